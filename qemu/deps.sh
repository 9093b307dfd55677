#!/bin/sh
# Installs from Debian what building, booting and testing need, if missing:
#   qemu-system-arm        qemu-system-aarch64 boots the image
#   qemu-user              qemu-aarch64 runs generated code on a host that is not arm64
#   gcc-aarch64-linux-gnu  the cross assembler and C compiler the encoder tests check against
#   python3-numpy          /usr/bin/python3 with NumPy, the ground truth for compiled models
#   llvm                   llvm-mca, the cycle estimates of make bench
set -e
need=""
command -v qemu-system-aarch64 >/dev/null 2>&1 || need="$need qemu-system-arm"
command -v qemu-aarch64 >/dev/null 2>&1 || need="$need qemu-user"
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need="$need gcc-aarch64-linux-gnu"
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || need="$need python3-numpy"
command -v llvm-mca >/dev/null 2>&1 || need="$need llvm"
[ -z "$need" ] && exit 0
echo "deps: installing$need from Debian (apt-get)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need

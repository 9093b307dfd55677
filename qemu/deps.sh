#!/bin/sh
# Installs what booting and testing the image need from Debian, if missing.
set -e
need=""
command -v qemu-system-aarch64 >/dev/null 2>&1 || need="$need qemu-system-arm"
[ -z "$need" ] && exit 0
echo "deps: installing$need from Debian (apt-get)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need

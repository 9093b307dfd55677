#!/bin/sh
# Installs from Debian every package that building, booting, testing and
# benchmarking need, when missing. This list is the only place they are
# named; each is checked with dpkg-query (by package, not by a command that
# happens to be on the PATH) and installed without recommendations, so no
# test can lean on a package that only a recommendation brought in.
#
#   qemu-system-arm        qemu-system-aarch64 boots the image: virt, imx8mp-evk
#                          (QEMU >= 10: on bookworm from bookworm-backports)
#   qemu-user              qemu-aarch64 runs generated code on a host that is not arm64
#   gcc-aarch64-linux-gnu  the cross assembler and C compiler the encoder tests check against
#   libc6-dev-arm64-cross  the C headers and static libc those test programs link with
#   python3-numpy          /usr/bin/python3 with NumPy, the ground truth for compiled models
#   llvm                   llvm-mca, the cycle estimates of make bench
#   mtools                 reads the Pi 4's SD card back in its test (mdir, mtype, mcopy)
#   dosfstools             fsck.fat checks that card's FAT32 partition
#   nodejs                 /usr/bin/node runs ONNX Runtime, the ground truth for ONNX models
#   npm                    installs onnxruntime-node from the npm registry (tools/onnxruntime.sh)
#   python3-onnx           onnx.helper for /usr/bin/python3, which writes the ONNX test models
#
# Usage: qemu/deps.sh [--list]   (--list prints the packages and exits)
set -e
packages="qemu-system-arm qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross python3-numpy llvm mtools dosfstools nodejs npm python3-onnx"
# Packages that must come from a QEMU new enough for every board.
qemu_packages="qemu-system-arm qemu-user"
qemu_min=10

if [ "$1" = "--list" ]; then
	echo $packages
	exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed; }
version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }
# owners FILE: the packages dpkg says FILE belongs to ("nodejs: /usr/bin/npm" -> nodejs)
owners() { dpkg -S "$1" 2>/dev/null | grep -v '^diversion ' | sed -n "s|: $1\$||p" | tr ',' ' '; }
# have PACKAGE: whether PACKAGE is installed; npm also counts as installed
# when the package owning /usr/bin/npm is (NodeSource's nodejs ships npm
# itself and conflicts with Debian's npm package).
have() {
	if [ "$1" = npm ]; then
		for o in $(owners /usr/bin/npm); do
			installed "$o" && return 0
		done
	fi
	installed "$1"
}
# upstream major version of an installed package: 1:10.0.2+ds-1~bpo12+1 -> 10
major() { version "$1" | sed 's/^[0-9]*://; s/[.+~-].*//'; }

. /etc/os-release
codename=${VERSION_CODENAME:-}
# On bookworm QEMU 10 comes from bookworm-backports; newer releases have it.
backports=""
if [ "$codename" = bookworm ]; then
	backports=bookworm-backports
fi

need=""
qemu_need=""
for p in $packages; do
	case " $qemu_packages " in
	*" $p "*)
		if ! installed "$p" || [ "$(major "$p")" -lt "$qemu_min" ] 2>/dev/null; then
			qemu_need="$qemu_need $p"
		fi
		;;
	*)
		have "$p" || need="$need $p"
		;;
	esac
done
[ -z "$need$qemu_need" ] && exit 0

. "$(dirname "$0")/../tools/apt-source.sh"
if [ -n "$qemu_need" ] && [ -n "$backports" ] && ! apt_sources_have "$backports"; then
	add_apt_source "$backports" main "deps (QEMU $qemu_min)"
fi

echo "deps: installing from Debian:$need$qemu_need"
$sudo apt-get update -qq
export DEBIAN_FRONTEND=noninteractive
if [ -n "$need" ]; then
	$sudo apt-get install -y -qq --no-install-recommends $need
fi
if [ -n "$qemu_need" ]; then
	if [ -n "$backports" ]; then
		$sudo apt-get install -y -qq --no-install-recommends -t "$backports" $qemu_need
	else
		$sudo apt-get install -y -qq --no-install-recommends $qemu_need
	fi
fi
for p in $qemu_packages; do
	if [ "$(major "$p")" -lt "$qemu_min" ]; then
		echo "deps: $p $(version "$p") is older than QEMU $qemu_min, which the imx8mp-evk board needs" >&2
		exit 1
	fi
done

#!/bin/sh
# Downloads the Raspberry Pi 4 GPU firmware (start4.elf, fixup4.dat) from
# Debian's raspi-firmware package into DIR (default build/raspi-firmware),
# for make sdcard FIRMWARE=DIR and the SD-card test, when DIR does not hold
# it yet. The package is only downloaded and unpacked, never installed: its
# maintainer scripts copy the firmware into /boot/firmware, which a
# workstation has no use for. It lives in Debian's non-free-firmware
# component; if apt's sources lack that component, it is added for this
# release (as qemu/deps.sh adds bookworm-backports), saying so.
#
# Usage: tools/raspi-firmware.sh [DIR]
set -e
dir=${1:-build/raspi-firmware}
if [ -f "$dir/start4.elf" ] && [ -f "$dir/fixup4.dat" ]; then
	exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

. /etc/os-release
codename=${VERSION_CODENAME:-bookworm}
. "$(dirname "$0")/apt-source.sh"
if ! apt_sources_have non-free-firmware; then
	add_apt_source "$codename" non-free-firmware "firmware (raspi-firmware)"
	$sudo apt-get update -qq
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "firmware: downloading Debian's raspi-firmware (not installing it) into $dir"
# apt-get download writes into the working directory as the _apt user
# where it can; a world-writable directory keeps it from warning.
chmod 1777 "$work"
if ! (cd "$work" && apt-get download -qq raspi-firmware 2>/dev/null); then
	$sudo apt-get update -qq
	(cd "$work" && apt-get download -qq raspi-firmware)
fi
dpkg-deb -x "$work"/raspi-firmware_*.deb "$work/x"
mkdir -p "$dir"
cp "$work/x/usr/lib/raspi-firmware/start4.elf" "$work/x/usr/lib/raspi-firmware/fixup4.dat" "$dir/"
cp "$work/x/usr/share/doc/raspi-firmware/copyright" "$dir/copyright"
echo "firmware: $dir holds start4.elf and fixup4.dat from $(basename "$work"/raspi-firmware_*.deb)"

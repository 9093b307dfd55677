# Sourced by qemu/deps.sh and tools/raspi-firmware.sh: the one way the
# project adds a Debian suite or component to apt's sources.
#
#   apt_sources_have WORD        whether an active apt source line names WORD
#   add_apt_source SUITE COMPONENT WHY
#                                adds SUITE's COMPONENT from the Debian mirror
#                                this machine already uses, saying WHY
# Both expect $sudo to be "" or "sudo".

apt_sources_have() {
	grep -rqsE "^[^#]*\b$1\b" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

add_apt_source() {
	mirror=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1)
	[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2}' /etc/apt/sources.list 2>/dev/null | grep -v security | head -1)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	echo "$3: adding $1 $2 ($mirror) to apt's sources"
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$mirror" "$1" "$2" | $sudo tee "/etc/apt/sources.list.d/$1-$2.sources" >/dev/null
}

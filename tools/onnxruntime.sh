#!/bin/sh
# Installs ONNX Runtime for Node.js, the ground truth for imported ONNX
# models (compiler/onnxtest runs it), from the npm registry when missing.
# It goes into a cache folder outside the repository, one per version, and
# is installed once: a later run finds it and prints nothing.
#
#   onnxruntime-node@1.30.0  its CPU library ships inside the package; its
#                            install script, which only downloads GPU extras,
#                            is not run (--ignore-scripts)
#
# It needs /usr/bin/node and /usr/bin/npm (Debian's nodejs and npm, which
# qemu/deps.sh installs).
#
# Usage: tools/onnxruntime.sh [--dir]   (--dir prints the install folder and exits)
set -e
version=1.30.0
dir="${XDG_CACHE_HOME:-$HOME/.cache}/muscle-referee/onnxruntime-$version"

if [ "$1" = "--dir" ]; then
	echo "$dir"
	exit 0
fi

[ -f "$dir/node_modules/onnxruntime-node/package.json" ] && exit 0

for tool in /usr/bin/node /usr/bin/npm; do
	if [ ! -x "$tool" ]; then
		echo "onnxruntime: $tool is missing (run qemu/deps.sh: Debian's nodejs and npm)" >&2
		exit 1
	fi
done

echo "onnxruntime: installing onnxruntime-node@$version from npm into $dir"
mkdir -p "$(dirname "$dir")"
# Installed beside its place and moved there whole, so that a folder that
# is there is complete, and two runs at once do not mix their files.
tmp=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A package.json of its own keeps npm from installing into a parent folder.
echo '{"name": "muscle-referee-onnxruntime", "private": true}' >"$tmp/package.json"
if ! (cd "$tmp" && /usr/bin/node /usr/bin/npm install --ignore-scripts --no-audit --no-fund \
	--save-exact "onnxruntime-node@$version") >"$tmp/npm.log" 2>&1; then
	cat "$tmp/npm.log" >&2
	echo "onnxruntime: npm install onnxruntime-node@$version failed" >&2
	exit 1
fi
rm -f "$tmp/npm.log"
# Another run may have finished first: then its folder stays.
mv -T "$tmp" "$dir" 2>/dev/null || [ -f "$dir/node_modules/onnxruntime-node/package.json" ]

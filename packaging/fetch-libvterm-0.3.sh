#!/usr/bin/env bash
# Fetches libvterm 0.3 (Debian trixie's source, the line nixpkgs ships as
# libvterm-neovim) into OUTDIR so the terminal code is also built and tested
# against 0.3, not only against bookworm's 0.1.4. Pinned by checksum;
# a second call with the tree in place does nothing.
#   packaging/fetch-libvterm-0.3.sh OUTDIR    → OUTDIR/libvterm-0.3.3
set -euo pipefail

out=${1:?usage: fetch-libvterm-0.3.sh OUTDIR}
version=0.3.3
sha256=09156f43dd2128bd347cbeebe50d9a571d32c64e0cf18d211197946aff7226e0
url=http://deb.debian.org/debian/pool/main/libv/libvterm/libvterm_${version}.orig.tar.gz
dest=$out/libvterm-$version

if [ -f "$dest/.nixtide-verified" ]; then
  exit 0
fi
mkdir -p "$out"
tmp=$(mktemp -d "$out/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! curl -fsS --retry 3 --max-time 60 -o "$tmp/src.tar.gz" "$url"; then
  echo "fetch-libvterm-0.3: cannot download $url (Debian's archive is needed for the libvterm 0.3 test build)" >&2
  exit 1
fi
if ! echo "$sha256  $tmp/src.tar.gz" | sha256sum -c --quiet -; then
  echo "fetch-libvterm-0.3: checksum mismatch for $url" >&2
  exit 1
fi
tar -xzf "$tmp/src.tar.gz" -C "$tmp"
touch "$tmp/libvterm-$version/.nixtide-verified"
rm -rf "$dest"
mv "$tmp/libvterm-$version" "$dest"

#!/bin/sh
# Usage: list-hashes.sh OUTDIR FILE...
# Writes OUTDIR/sha256 ("HEX  FILE" lines, as sha256sum prints them) for the
# guest's files. The demo library passes these hashes to builtins.path, which
# then takes a file already in the store without reading it: hashing the
# Wayland guest's 270 MB took about a second at every evaluation. A builder
# removes the list before it replaces a file and writes it again after, so a
# list never names an older file.
set -eu
outdir=$1
shift
cd "$outdir"
sha256sum -- "$@" >sha256.new
mv -f sha256.new sha256

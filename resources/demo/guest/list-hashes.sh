#!/bin/sh
# Usage: list-hashes.sh OUTDIR STAMP FILE...
# Writes OUTDIR/sha256: a first line "# stamp STAMP", then "HEX  FILE" lines
# as sha256sum prints them. The demo library passes these hashes to
# builtins.path, which then takes a file already in the store without
# reading it: hashing the Wayland guest's 270 MB took about a second at
# every evaluation. The library uses the list only while OUTDIR/stamp is
# STAMP, so outputs that another build (an older builder, say) replaced are
# read again. A builder removes the list before it replaces a file and
# writes it before the stamp.
set -eu
outdir=$1
stamp=$2
shift 2
cd "$outdir"
{
    echo "# stamp $stamp"
    sha256sum -- "$@"
} >sha256.new
mv -f sha256.new sha256

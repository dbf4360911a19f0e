#!/bin/bash
# Build the nixtide demo guest from the host's Debian packages.
#
# Usage: build-guest.sh OUTDIR
#
# Writes OUTDIR/kernel (the uncompressed PVH vmlinux when it can be extracted,
# else the stock bzImage), OUTDIR/initrd (cpio newc, gzip), OUTDIR/sha256
# (their hashes, see list-hashes.sh) and OUTDIR/stamp.
# The stamp holds a hash of every input (this directory's files, the kernel
# version and image, the busybox-static and bash-static versions); when it
# matches, the script exits at once. Outputs are built in a temporary
# directory and renamed into place, so OUTDIR never holds a half-written file.
#
# Host packages: linux-image-amd64, busybox-static, bash-static, cpio, kmod,
# gzip, python3. NIXTIDE_GUEST_KERNEL=VERSION
# picks a kernel other than the newest under /boot. NIXTIDE_GUEST_BUSYBOX,
# NIXTIDE_GUEST_BASH and NIXTIDE_GUEST_BOOT_DIR name the static busybox, the
# static bash and the kernels' directory (CMake passes what it looked up).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
    echo "build-guest: error: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: build-guest.sh OUTDIR"
outdir=$1

need_file() { # PATH PACKAGE
    [ -e "$1" ] || die "missing $1 (install the Debian package $2)"
}
need_tool() { # TOOL PACKAGE
    command -v "$1" >/dev/null 2>&1 || die "missing $1 (install the Debian package $2)"
}

busybox=${NIXTIDE_GUEST_BUSYBOX:-/bin/busybox}
bash_static=${NIXTIDE_GUEST_BASH:-/bin/bash-static}
boot=${NIXTIDE_GUEST_BOOT_DIR:-/boot}
need_file "$busybox" busybox-static
need_file "$bash_static" bash-static
need_tool cpio cpio
need_tool gzip gzip
need_tool modprobe kmod
need_tool dpkg-query dpkg
need_file /usr/bin/python3 python3

# The newest kernel that has its modules installed, unless one is named.
kver=${NIXTIDE_GUEST_KERNEL:-}
if [ -z "$kver" ]; then
    for image in $(printf "%s\n" "$boot"/vmlinuz-* | sort -V -r); do
        candidate=${image#"$boot"/vmlinuz-}
        if [ -d "/lib/modules/$candidate/kernel" ]; then
            kver=$candidate
            break
        fi
    done
fi
[ -n "$kver" ] || die "missing $boot/vmlinuz-* with modules under /lib/modules (install the Debian package linux-image-amd64)"
bzimage=$boot/vmlinuz-$kver
need_file "$bzimage" "linux-image-$kver"
[ -r "$bzimage" ] || die "cannot read $bzimage (run as root, or make it readable)"
need_file "/lib/modules/$kver/modules.dep" "linux-image-$kver"

pkg_version() {
    dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not-from-a-package"
}

# The drivers the guest needs. Which helpers they pull in, and in which order,
# differs by kernel (Debian 13's has fscache built in, Debian 12's as a
# module), so the load list is what modprobe --show-depends says for this
# kernel: each module's dependencies first, built-in ones ("builtin …") skipped.
modules=(virtio_pci virtio_console virtio-rng virtio_net 9pnet_virtio 9p bochs)
module_files=()
for module in "${modules[@]}"; do
    deps=$(modprobe -S "$kver" --show-depends "$module" 2>&1) ||
        die "kernel $kver has no module $module: $deps"
    while read -r verb path _; do
        [ "$verb" = insmod ] || continue
        case " ${module_files[*]-} " in *" $path "*) ;; *) module_files+=("$path") ;; esac
    done <<<"$deps"
done

# Everything the output depends on, hashed into the stamp.
inputs_hash=$(
    {
        echo "kernel $kver $(pkg_version "linux-image-$kver")"
        stat -c '%n %s %Y' "$bzimage" "${module_files[@]}"
        echo "busybox $(pkg_version busybox-static)"
        echo "bash $(pkg_version bash-static)"
        stat -c '%n %s %Y' "$busybox" "$bash_static"
        cd "$here"
        find . -type f ! -name '*.pyc' -print0 | LC_ALL=C sort -z |
            xargs -0 sha256sum
        find . -type f ! -name '*.pyc' -perm -u+x -print | LC_ALL=C sort
    } | sha256sum | cut -d' ' -f1
)

if [ -f "$outdir/stamp" ] && [ -f "$outdir/kernel" ] && [ -f "$outdir/initrd" ] &&
    [ "$(cat "$outdir/stamp")" = "$inputs_hash" ]; then
    # A list removed by hand (or made for another stamp) is written again.
    [ "$(head -n 1 "$outdir/sha256" 2>/dev/null)" = "# stamp $inputs_hash" ] ||
        "$here/list-hashes.sh" "$outdir" "$inputs_hash" kernel initrd
    exit 0
fi

echo "build-guest: building the demo guest (kernel $kver) in $outdir"
mkdir -p "$outdir"
work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,var/empty,lib/modules}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
ln -s /run "$root/var/run"

# busybox applets first; the guest's own files below replace some of them
# (sh, nc, base64, timeout, poweroff…).
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list-full); do
    case "$applet" in linuxrc | */busybox) continue ;; esac
    ln -sf /bin/busybox "$root/$applet"
done
cp "$bash_static" "$root/bin/bash"
# sh is bash, as on NixOS: the driver's `sh -c` needs ${PIPESTATUS[…]}.
ln -sf bash "$root/bin/sh"
rm -f "$root/bin/ash"
ln -sf bash "$root/bin/ash"

# The guest's own files (init, inittab, the driver's tools).
(cd "$here/rootfs" && find . -mindepth 1 \( -type f -o -type l \) -print) | while read -r f; do
    rm -f "${root:?}/$f"
    mkdir -p "$(dirname "$root/$f")"
    cp -a "$here/rootfs/$f" "$root/$f"
done

: >"$root/etc/nixtide/modules"
# Debian 13 ships modules xz-compressed; busybox's insmod takes plain ones.
for path in "${module_files[@]}"; do
    name=$(basename "$path")
    case "$name" in
        *.ko.xz) name=${name%.xz}; xz -dc "$path" >"$root/lib/modules/$name" ||
            die "cannot decompress $path (install the Debian package xz-utils)" ;;
        *.ko.zst) name=${name%.zst}; zstd -qdc "$path" >"$root/lib/modules/$name" ||
            die "cannot decompress $path (install the Debian package zstd)" ;;
        *) cp "$path" "$root/lib/modules/" ;;
    esac
    echo "$name" >>"$root/etc/nixtide/modules"
done

mkdir -p "$work/out"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner=0:0 --quiet) |
    gzip -6 -n >"$work/out/initrd"

# The uncompressed kernel boots about 2 s faster under TCG (no
# self-decompression); fall back to the bzImage if it cannot be extracted.
if /usr/bin/python3 "$here/extract-vmlinux.py" "$bzimage" "$work/out/kernel"; then
    format=vmlinux-pvh
else
    echo "build-guest: warning: booting the compressed kernel (slower)" >&2
    cp "$bzimage" "$work/out/kernel"
    format=bzImage
fi
{
    echo "kernel-version $kver"
    echo "kernel-format $format"
    echo "busybox $(pkg_version busybox-static)"
    echo "bash $(pkg_version bash-static)"
} >"$work/out/info"

# Replace the outputs one rename at a time; the stamp goes last, so an
# interrupted run is rebuilt next time.
rm -f "$outdir/stamp" "$outdir/sha256"
for f in kernel initrd info; do
    mv -f "$work/out/$f" "$outdir/$f"
done
"$here/list-hashes.sh" "$outdir" "$inputs_hash" kernel initrd
echo "$inputs_hash" >"$work/out/stamp"
mv -f "$work/out/stamp" "$outdir/stamp"
echo "build-guest: done ($format, initrd $(du -k "$outdir/initrd" | cut -f1) KiB)"

#!/bin/bash
# Build the nixtide Wayland demo guest from Debian 13 packages, without root.
#
# Usage: build-wayland-guest.sh TEXT-GUEST-DIR OUTDIR
#
# TEXT-GUEST-DIR is a built text guest (../build-guest.sh): its kernel is
# reused. Writes OUTDIR/kernel, OUTDIR/initrd (a small first stage that
# mounts the disk), OUTDIR/disk.img (ext4, the root file system, mounted
# read-only under a tmpfs overlay), OUTDIR/sha256 (their hashes, see
# ../list-hashes.sh) and OUTDIR/stamp.
#
# The packages (./packages) and their dependencies are resolved by apt from
# the build root's package lists, pruned by ./skip-packages, fetched with
# `apt-get download` into $NIXTIDE_DEB_CACHE (default OUTDIR/debs, kept
# between builds) and unpacked with dpkg-deb; busybox-static fills in the
# base tools and ../rootfs plus ./rootfs the guest's own files, so the
# backdoor, init and systemctl stand-in are the text guest's. The stamp is a
# hash of the resolved package versions, the kernel, busybox and every file
# of the guest's sources; when it matches, the script exits at once.
# Outputs are renamed into place, the stamp last.
#
# Host packages: apt, dpkg, e2fsprogs (mke2fs -d), binutils (readelf),
# busybox-static, cpio, kmod, xz-utils, python3, libxml2 (the guest's
# update-mime-database runs with it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
guest_src=$(dirname "$here")

die() {
    echo "build-wayland-guest: error: $*" >&2
    exit 1
}

[ $# -eq 2 ] || die "usage: build-wayland-guest.sh TEXT-GUEST-DIR OUTDIR"
text_guest=$1
outdir=$2
[ -f "$text_guest/kernel" ] && [ -f "$text_guest/info" ] ||
    die "$text_guest is not a built text guest (run ../build-guest.sh $text_guest first)"

export PATH=$PATH:/usr/sbin:/sbin
for tool in apt-get dpkg-deb mke2fs readelf cpio gzip modprobe python3 xz; do
    command -v "$tool" >/dev/null 2>&1 || die "missing $tool"
done
busybox=/bin/busybox
[ -x "$busybox" ] || die "missing $busybox (install the Debian package busybox-static)"
kver=$(sed -n 's/^kernel-version //p' "$text_guest/info")
[ -f "/lib/modules/$kver/modules.dep" ] || die "missing the modules of kernel $kver"

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
debs=${NIXTIDE_DEB_CACHE:-$outdir/debs}
mkdir -p "$debs"

# --- resolve -----------------------------------------------------------------
# apt resolves as if nothing were installed (an empty dpkg status), so the
# answer is the whole closure, whatever the build root has.
mapfile -t wanted < <(sed 's/#.*//; /^[[:space:]]*$/d' "$here/packages")
mapfile -t skips < <(sed 's/#.*//; /^[[:space:]]*$/d' "$here/skip-packages")
status=$(mktemp)
trap 'rm -f "$status"' EXIT
uris=$(apt-get -q -o Dir::State::status="$status" -o Debug::NoLocking=1 \
    -o APT::Install-Recommends=false -o APT::Install-Suggests=false \
    --print-uris -y install "${wanted[@]}" 2>&1) ||
    die "apt cannot resolve the guest's packages: $uris"
# Lines: 'URL' NAME_VERSION_ARCH.deb SIZE HASH
selected=()
while read -r _ file _; do
    package=${file%%_*}
    skip=
    for pattern in "${skips[@]}"; do
        # shellcheck disable=SC2053 # the pattern is a glob on purpose
        [[ $package == $pattern ]] && skip=1 && break
    done
    [ -n "$skip" ] || selected+=("$file")
done < <(grep "^'" <<<"$uris")
[ ${#selected[@]} -gt 0 ] || die "apt resolved no packages: $uris"

pkg_version() {
    dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not-from-a-package"
}

inputs_hash=$(
    {
        printf '%s\n' "${selected[@]}" | LC_ALL=C sort
        cat "$text_guest/stamp"
        echo "busybox $(pkg_version busybox-static)"
        cd "$guest_src"
        find rootfs wayland -type f ! -name '*.pyc' -print0 | LC_ALL=C sort -z |
            xargs -0 sha256sum
        find rootfs wayland -type f -perm -u+x -print | LC_ALL=C sort
    } | sha256sum | cut -d' ' -f1
)
if [ -f "$outdir/stamp" ] && [ -f "$outdir/disk.img" ] && [ -f "$outdir/initrd" ] &&
    [ -f "$outdir/kernel" ] && [ "$(cat "$outdir/stamp")" = "$inputs_hash" ]; then
    # A list removed by hand (or made for another stamp) is written again.
    [ "$(head -n 1 "$outdir/sha256" 2>/dev/null)" = "# stamp $inputs_hash" ] ||
        "$guest_src/list-hashes.sh" "$outdir" "$inputs_hash" kernel initrd disk.img
    exit 0
fi
started=$(date +%s)
echo "build-wayland-guest: building the Wayland demo guest (${#selected[@]} packages) in $outdir"

# --- fetch -------------------------------------------------------------------
missing=()
for file in "${selected[@]}"; do
    [ -s "$debs/$file" ] && continue
    name=${file%%_*}
    version=${file#*_}
    version=${version%_*}
    missing+=("$name=${version//%3a/:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    (cd "$debs" && apt-get -q -o Debug::NoLocking=1 download "${missing[@]}") ||
        die "apt-get download failed (is Debian's archive reachable?)"
fi
for file in "${selected[@]}"; do
    [ -s "$debs/$file" ] || die "apt-get download did not leave $debs/$file"
done

work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -f "$status"; rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"

# --- unpack ------------------------------------------------------------------
for file in "${selected[@]}"; do
    dpkg-deb -x "$debs/$file" "$root" || die "cannot unpack $file"
done
rm -rf "$root"/usr/share/{doc,man,info,locale,lintian,bug} "$root"/usr/lib/systemd/system

# busybox supplies what Debian's Essential packages would (coreutils, init,
# mount, ip…) wherever the closure has no program of that name.
cp "$busybox" "$root/usr/bin/busybox"
for applet in $("$busybox" --list-full); do
    case "$applet" in linuxrc | */busybox) continue ;; esac
    target=$root/usr/${applet#usr/}
    [ -e "$target" ] || [ -L "$target" ] || ln -s /usr/bin/busybox "$target"
done
[ -x "$root/usr/bin/bash" ] || die "the closure has no bash"
ln -sf bash "$root/usr/bin/sh"

# The text guest's files, then this guest's own on top.
for tree in "$guest_src/rootfs" "$here/rootfs"; do
    (cd "$tree" && find . -mindepth 1 \( -type f -o -type l \) -print) | while read -r f; do
        rm -f "${root:?}/$f"
        mkdir -p "$(dirname "$root/$f")"
        cp -a "$tree/$f" "$root/$f"
    done
done
mkdir -p "$root"/{proc,sys,dev,run,tmp,root,var/empty,usr/lib/modules}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"

# Kernel modules: list $1 resolved through modprobe --show-depends, built-ins
# skipped, each printed once.
resolve_modules() {
    local module deps verb path _
    for module in "$@"; do
        deps=$(modprobe -S "$kver" --show-depends "$module" 2>&1) ||
            die "kernel $kver has no module $module: $deps"
        while read -r verb path _; do
            [ "$verb" = insmod ] && echo "$path"
        done <<<"$deps"
    done | awk '!seen[$0]++'
}
# Decompressed copies (busybox insmod takes plain .ko) into $1, names
# appended to the load list $2.
install_modules() {
    local dir=$1 list=$2 path name
    shift 2
    mkdir -p "$dir"
    : >"$list"
    for path in "$@"; do
        name=$(basename "$path")
        case "$name" in
            *.ko.xz) name=${name%.xz}; xz -dc "$path" >"$dir/$name" ;;
            *.ko.zst) name=${name%.zst}; zstd -qdc "$path" >"$dir/$name" ;;
            *) cp "$path" "$dir/$name" ;;
        esac
        echo "$name" >>"$list"
    done
}
mapfile -t stage1_modules < <(resolve_modules virtio_pci virtio_blk ext4 overlay)
mapfile -t all_modules < <(resolve_modules virtio_pci virtio_blk ext4 overlay \
    virtio_console virtio-rng virtio_net 9pnet_virtio 9p bochs virtio_input evdev)
later_modules=()
for path in "${all_modules[@]}"; do
    case " ${stage1_modules[*]} " in *" $path "*) ;; *) later_modules+=("$path") ;; esac
done
install_modules "$root/usr/lib/modules" "$root/etc/nixtide/modules" "${later_modules[@]}"

# --- caches dpkg's triggers would make ----------------------------------------
# The guest's own tools, run here through the guest's dynamic loader and
# libraries (same architecture as the build root), write the caches GLib,
# GdkPixbuf and fontconfig look for, so the guest does not build them at boot.
guest_run() {
    "$root/usr/lib64/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/x86_64-linux-gnu" "$@"
}
guest_run "$root/usr/lib/x86_64-linux-gnu/glib-2.0/glib-compile-schemas" \
    "$root/usr/share/glib-2.0/schemas" || die "glib-compile-schemas failed"
loaders=usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0
guest_run "$root/usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders" \
    "$root/$loaders"/loaders/*.so | sed "s|$root||g" >"$root/$loaders/loaders.cache" ||
    die "gdk-pixbuf-query-loaders failed"
FONTCONFIG_FILE=$root/etc/fonts/fonts.conf guest_run "$root/usr/bin/fc-cache" \
    --sysroot="$root" --system-only >/dev/null 2>&1 || true
# The shared MIME database (mime.cache, magic). Without it GIO cannot tell a
# PNG from any other bytes, and GdkPixbuf asks GIO: GTK then fails to load
# even its built-in fallback icon and aborts when the application's window
# is first drawn (the window never appears). update-mime-database links
# libxml2, which skip-packages keeps out of the guest, so the build root's
# (the same Debian release) is found after the guest's libraries.
# XDG_DATA_DIRS names the guest's tree, so the tool does not warn that the
# database it writes is outside the (build root's) search path.
PKGSYSTEM_ENABLE_FSYNC=0 XDG_DATA_DIRS=$root/usr/share "$root/usr/lib64/ld-linux-x86-64.so.2" \
    --library-path "$root/usr/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu" \
    "$root/usr/bin/update-mime-database" "$root/usr/share/mime" ||
    die "update-mime-database failed"
[ -s "$root/usr/share/mime/mime.cache" ] || die "update-mime-database wrote no mime.cache"
# Icon theme caches, so GTK does not scan the themes' directories at start.
for theme in "$root"/usr/share/icons/*/; do
    [ -f "$theme/index.theme" ] || continue
    guest_run "$root/usr/bin/gtk-update-icon-cache" --force --quiet "$theme" ||
        die "gtk-update-icon-cache failed for $theme"
done

# --- check -------------------------------------------------------------------
# Every library the guest's programs and plugins link against is there.
python3 - "$root" <<'PY' || die "the guest would not run (see above): adjust skip-packages"
import glob, os, re, subprocess, sys
root = sys.argv[1]
libdirs = [root + "/usr/lib/x86_64-linux-gnu", root + "/usr/lib64", root + "/usr/lib"]
programs = ["usr/bin/weston", "usr/bin/foot", "usr/bin/yad", "usr/sbin/seatd",
            "usr/bin/seatd-launch", "usr/bin/udevadm", "usr/bin/bash",
            "usr/lib/systemd/systemd-udevd",
            "usr/lib/x86_64-linux-gnu/libweston-14/drm-backend.so",
            "usr/lib/x86_64-linux-gnu/weston/kiosk-shell.so",
            "usr/lib/x86_64-linux-gnu/weston/libexec_weston.so.0",
            "usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/2.10.0/loaders/*.so",
            "usr/lib/x86_64-linux-gnu/gio/modules/*.so"]
todo = []
for pattern in programs:
    found = glob.glob(os.path.join(root, pattern))
    if not found:
        sys.exit(f"build-wayland-guest: {pattern} is missing from the guest")
    todo += found
seen, bad = set(), []
while todo:
    path = todo.pop()
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    # RUNPATH entries (weston's and systemd's private libraries) first.
    origin = os.path.dirname(path)
    dirs = [root + d.replace("$ORIGIN", origin[len(root):])
            for entry in re.findall(r"\((?:RUNPATH|RPATH)\).*\[(.*)\]", out)
            for d in entry.split(":")] + libdirs
    for soname in re.findall(r"\(NEEDED\).*\[(.*)\]", out):
        if soname in seen:
            continue
        seen.add(soname)
        hit = next((os.path.join(d, soname) for d in dirs
                    if os.path.exists(os.path.join(d, soname))), None)
        if hit is None:
            bad.append(f"{soname} (needed by {os.path.relpath(path, root)})")
        else:
            todo.append(os.path.realpath(hit))
for line in bad:
    print(f"build-wayland-guest: missing library {line}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# --- images ------------------------------------------------------------------
mkdir -p "$work/out"
size_kib=$(du -sk --apparent-size "$root" | cut -f1)
# Room for the file system's own metadata; the guest writes to its overlay.
image_kib=$((size_kib + size_kib / 5 + 32768))
mke2fs -q -t ext4 -L nixtide-wayland -m 0 -O ^has_journal -E root_owner=0:0 \
    -d "$root" "$work/out/disk.img" "${image_kib}k" || die "mke2fs -d failed"

stage1=$work/stage1
mkdir -p "$stage1"/{bin,sbin,proc,sys,dev,mnt,etc/nixtide,lib/modules}
cp "$busybox" "$stage1/bin/busybox"
for applet in sh mount umount insmod switch_root mkdir seq sleep cat; do
    ln -s busybox "$stage1/bin/$applet"
done
cp "$here/stage1-init" "$stage1/init"
install_modules "$stage1/lib/modules" "$stage1/etc/nixtide/modules" "${stage1_modules[@]}"
(cd "$stage1" && find . -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner=0:0 --quiet) |
    gzip -6 -n >"$work/out/initrd"
cp "$text_guest/kernel" "$work/out/kernel"
{
    echo "kernel-version $kver"
    echo "packages ${#selected[@]}"
    echo "root-kib $size_kib"
} >"$work/out/info"

rm -f "$outdir/stamp" "$outdir/sha256"
for f in kernel initrd disk.img info; do
    mv -f "$work/out/$f" "$outdir/$f"
done
"$guest_src/list-hashes.sh" "$outdir" "$inputs_hash" kernel initrd disk.img
echo "$inputs_hash" >"$work/out/stamp"
mv -f "$work/out/stamp" "$outdir/stamp"
echo "build-wayland-guest: done in $(($(date +%s) - started)) s (${#selected[@]} packages, root $((size_kib / 1024)) MiB, disk.img $((image_kib / 1024)) MiB)"

#!/usr/bin/env bash
# nixtide developer entry point. The platform is Debian 13 (trixie):
#   ./packaging/dev.sh run [ARGS]   set up, build, start nixtide (the demo without ARGS)
#   ./packaging/dev.sh test [ARGS]  set up, build with ASan + UBSan in build-sanitize,
#                                   run the whole test suite there (ctest ARGS)
#   ./packaging/dev.sh test --plain [ARGS]  the same on the optimised build/ (as `run`)
#   ./packaging/dev.sh build        set up, build
#   ./packaging/dev.sh exec CMD...  run CMD on the platform (environment, working
#                                   directory and standard streams passed through)
# On a Debian 13 host everything runs natively. On any other Debian-family
# host (Debian 12 here) the first call makes a Debian 13 build root with
# debootstrap, cached in $NIXTIDE_ROOT (default /var/cache/nixtide/trixie-root)
# and updated only when the package list below changes; every command then
# runs inside it, in a private mount namespace, so nothing stays mounted when
# the command ends, however it ends.
# Idempotent: a second call skips what is in place and rebuilds only what changed.
set -euo pipefail

# chroot, debootstrap and apt's tools live in sbin, which a minimal PATH lacks.
export PATH=$PATH:/usr/sbin:/sbin
# Qt warns on stderr without a UTF-8 locale (and picks C.UTF-8 anyway); CI
# and `env -i` give none. An explicit choice of the caller is kept.
[ -n "${LC_ALL:-}${LC_CTYPE:-}${LANG:-}" ] || export LANG=C.UTF-8
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${NIXTIDE_BUILD:-$here/build}
root=${NIXTIDE_ROOT:-/var/cache/nixtide/trixie-root}
mirror=${NIXTIDE_MIRROR:-http://deb.debian.org/debian}
extra_cmake=()

packages=(
  build-essential cmake ninja-build pkg-config clang-format git curl ca-certificates ccache
  qt6-base-dev qt6-base-dev-tools libgl-dev libqscintilla2-qt6-dev
  libqtermwidget-dev libutf8proc-dev libkf6syntaxhighlighting-dev
  libvncserver-dev pybind11-dev python3-dev python3-pyflakes python3-jedi
  python3-pydantic mypy
  qemu-system-x86 qemu-utils busybox-static bash-static linux-image-amd64 cpio kmod zstd
  vde2 netpbm tesseract-ocr tesseract-ocr-eng libtesseract-dev nix-bin util-linux procps iproute2
  systemd-container openssh-server openssh-client clang libclang-rt-dev e2fsprogs
  xvfb xauth x11-apps x11-utils desktop-file-utils appstream
)

log() { printf '\033[1mdev.sh:\033[0m %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

need_root() {
  [ "$(id -u)" -eq 0 ] && return
  command -v sudo >/dev/null || die "root (or sudo) is needed to $*"
  echo sudo
}

is_trixie() {
  # shellcheck disable=SC1091
  (. /etc/os-release 2>/dev/null && [ "${VERSION_CODENAME:-}" = trixie ])
}

# --- on the platform (native Debian 13, or inside the build root) -----------

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages: all present"
    return
  fi
  local sudo; sudo=$(need_root "install ${missing[*]}")
  log "installing: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Debian's nix-bin has no nixbld group and builds in a sandbox without
# /bin/sh; the demo derivations use the host's /bin/sh and there is no binary
# cache to ask. Only a machine-wide nix.conf we do not recognise is left alone.
configure_nix() {
  local conf=/etc/nix/nix.conf marker='# nixtide packaging/dev.sh'
  if [ -f "$conf" ] && grep -q "$marker" "$conf"; then return; fi
  if [ -s "$conf" ]; then
    log "keeping your $conf; the demo needs: build-users-group =, sandbox = false"
    return
  fi
  local sudo; sudo=$(need_root "write $conf")
  $sudo mkdir -p /etc/nix
  printf '%s: offline build machine without nixbld users; demo builders use the host /bin/sh\nbuild-users-group =\nsandbox = false\nsubstituters =\n' \
    "$marker" | $sudo tee "$conf" >/dev/null
  log "wrote $conf"
}

# Environment-era NixOS test drivers (nixos-22.11 to 24.x) run on CPython
# 3.11, where the agent traces with sys.settrace; Debian 13 only has 3.13
# (sys.monitoring). So the demo's environment-era driver and a second run of
# the agent's tests use Debian 12's own python3.11, unpacked (not installed:
# nothing of bookworm enters the platform's dpkg database) under $python311.
python311=/opt/nixtide-python3.11

install_python311() {
  local interpreter=$python311/bin/python3.11
  [ -x "$interpreter" ] && return
  local sudo; sudo=$(need_root "unpack Python 3.11 in $python311")
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  if [ ! -f "$keyring" ]; then
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends debian-archive-keyring
  fi
  log "unpacking Debian 12's Python 3.11 in $python311"
  local work; work=$(mktemp -d)
  # A private apt state: bookworm's package lists never reach the platform's.
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/cache" "$work/debs"
  printf 'deb [signed-by=%s] %s bookworm main\ndeb [signed-by=%s] %s bookworm-security main\n' \
    "$keyring" "$mirror" "$keyring" "${NIXTIDE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}" \
    >"$work/sources.list"
  local apt=(apt-get -q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
    -o "Dir::Cache::Archives=$work/archives" -o Dir::Etc::PreferencesParts=/dev/null
    -o APT::Sandbox::User=root)
  $sudo "${apt[@]}" update >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get update for bookworm failed"; }
  (cd "$work/debs" && $sudo "${apt[@]}" download python3.11-minimal libpython3.11-minimal \
    libpython3.11-stdlib) >>"$work/apt.log" 2>&1 ||
    { cat "$work/apt.log" >&2; die "downloading python3.11 from bookworm failed"; }
  local tree="$python311.tmp"
  $sudo rm -rf "$tree"
  $sudo mkdir -p "$tree/bin"
  for deb in "$work"/debs/*.deb; do
    $sudo dpkg-deb -x "$deb" "$tree"
  done
  # The interpreter finds its standard library next to itself (usr/lib);
  # PYTHONHOME pins it all the same, whatever the caller's environment says.
  printf '#!/bin/sh\nPYTHONHOME=%s/usr exec %s/usr/bin/python3.11 "$@"\n' "$python311" "$python311" |
    $sudo tee "$tree/bin/python3.11" >/dev/null
  $sudo chmod 755 "$tree/bin/python3.11"
  PYTHONHOME="$tree/usr" "$tree/usr/bin/python3.11" -c 'import sys, ssl; print(sys.version)' >/dev/null ||
    die "the unpacked python3.11 in $tree does not run: see above"
  $sudo rm -rf "$python311" "$work"
  $sudo mv "$tree" "$python311"
  # Byte-compile once, as the packages' postinst would have.
  $sudo "$interpreter" -m compileall -q "$python311/usr/lib/python3.11" >/dev/null 2>&1 || true
  log "Python $("$interpreter" -c 'import platform; print(platform.python_version())') in $python311"
}

configure_build() {
  local werror=OFF
  [ -n "${CI:-}" ] && werror=ON
  # Configuring an existing tree takes a second and picks up new options.
  # ccache with paths relative to the tree: a second clone or worktree (CI's
  # fresh clone, say) reuses the objects of the first.
  export CCACHE_BASEDIR=$here CCACHE_NOHASHDIR=1 CCACHE_DIR=${CCACHE_DIR:-/var/cache/nixtide/ccache}
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache \
    -DPython_EXECUTABLE=/usr/bin/python3 -DNIXTIDE_WERROR=$werror \
    -DNIXTIDE_BUILD_TESTS=ON -DNIXTIDE_BUILD_BENCHMARKS=ON -DNIXTIDE_BUILD_DEMO_GUEST=ON \
    -DNIXTIDE_PYTHON311="$python311/bin/python3.11" "${extra_cmake[@]}" >/dev/null
  cmake --build "$build" -j "$(nproc)"
}

on_platform() {
  local cmd=$1; shift
  case "$cmd" in
    exec) exec "$@" ;;
  esac
  # The suite runs on an ASan + UBSan build of its own (build-sanitize), CI
  # included: the whole suite takes about as long there as on the
  # optimised build (bench/README.md, 2026-12-02), and a memory error fails
  # the test that meets it. --plain: the optimised build/ that `run` uses.
  if [ "$cmd" = test ]; then
    case "${1:-}" in
      --plain) shift ;;
      *)
        [ "${1:-}" = --sanitize ] && shift
        build=${NIXTIDE_SANITIZE_BUILD:-$here/build-sanitize}
        # -O1: ASan's usual level; -g1: line tables for its stack traces.
        # Half the compile time of RelWithDebInfo's -O2 -g. The benchmarks
        # are built too (so that CI compiles them), but their figures come
        # from the optimised build.
        extra_cmake=(-DNIXTIDE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1")
        ;;
    esac
  fi
  install_packages
  configure_nix
  install_python311
  configure_build
  case "$cmd" in
    build) ;;
    run)
      if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        log "no display: starting under Xvfb"
        exec xvfb-run -a -s '-screen 0 1400x900x24' "$build/app/nixtide" "$@"
      fi
      exec "$build/app/nixtide" "$@"
      ;;
    test)
      cd "$build"
      exec ctest --output-on-failure -j 2 --timeout 900 "$@"
      ;;
  esac
}

# --- the Debian 13 build root, from another host ----------------------------

packages_stamp() { printf '%s\n' "${packages[@]}" | sort | sha256sum | cut -c1-16; }

# Binds what a command on the platform needs, in a mount namespace of its own
# (unshare), then chroots. The mounts die with the namespace: when the last
# process in it ends, also after Ctrl+C or SIGKILL of this script.
enter_root() {
  local cwd; cwd=$(pwd)
  local binds=(/proc /sys /dev /tmp "$here")
  for d in /root /home "$cwd"; do
    [ -d "$d" ] && binds+=("$d")
  done
  local script='set -e; r=$1; shift; n=$1; shift
    for ((i = 0; i < n; i++)); do
      src=$1; shift
      mkdir -p "$r$src"
      mount --rbind "$src" "$r$src"
      mount --make-rslave "$r$src"
    done
    cwd=$1; shift
    exec chroot "$r" /usr/bin/env -C "$cwd" "$@"'
  local sudo; sudo=$(need_root "enter the build root")
  # The platform's own PATH: the host's (pyenv shims, say) must not pick tools.
  exec $sudo unshare --mount --propagation private -- bash -c "$script" enter-root \
    "$root" "${#binds[@]}" "${binds[@]}" "$cwd" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# Runs one command inside the root with its own /proc, /dev and /sys, for
# setting it up (apt needs them; nothing of the host is bound).
in_root_setup() {
  unshare --mount --propagation private -- bash -c '
    set -e; r=$1; shift
    mount -t proc proc "$r/proc"; mount --rbind /dev "$r/dev"; mount --rbind /sys "$r/sys"
    mount --make-rslave "$r/dev"; mount --make-rslave "$r/sys"
    exec chroot "$r" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"' \
    setup "$1" "${@:2}"
}

make_root() {
  local stamp; stamp=$(packages_stamp)
  if [ -f "$root/.nixtide-stamp" ] && [ "$(cat "$root/.nixtide-stamp")" = "$stamp" ]; then
    return
  fi
  [ "$(id -u)" -eq 0 ] || die "making the Debian 13 build root in $root needs root"
  # One set-up at a time; a second caller waits, then finds the root ready.
  mkdir -p "$(dirname "$root")"
  exec 9>"$root.lock"
  flock 9
  if [ -f "$root/.nixtide-stamp" ] && [ "$(cat "$root/.nixtide-stamp")" = "$stamp" ]; then
    exec 9>&-
    return
  fi
  if [ ! -x "$root/usr/bin/apt-get" ]; then
    if ! command -v debootstrap >/dev/null; then
      log "installing debootstrap"
      apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
    fi
    local tmp="$root.tmp"
    rm -rf "$tmp"
    mkdir -p "$(dirname "$root")"
    log "making a Debian 13 build root in $root (debootstrap, about 2 minutes)"
    debootstrap --variant=minbase trixie "$tmp" "$mirror" >"$(dirname "$root")/debootstrap.log" 2>&1 ||
      die "debootstrap failed; see $(dirname "$root")/debootstrap.log"
    # Documentation is not needed in a build root; it is a third of its size.
    printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
      >"$tmp/etc/dpkg/dpkg.cfg.d/nixtide-nodoc"
    mv "$tmp" "$root"
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # The guest takes the kernel image and modules; an initramfs for booting
  # the root itself would be a minute of work and 70 MB for nothing.
  mkdir -p "$root/etc/initramfs-tools"
  echo 'update_initramfs=no' >"$root/etc/initramfs-tools/update-initramfs.conf"
  local aptlog; aptlog="$(dirname "$root")/apt.log"
  log "installing the platform's packages in the build root (about 2 minutes the first time; log: $aptlog)"
  { in_root_setup "$root" apt-get update -q &&
    in_root_setup "$root" apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confold "${packages[@]}" &&
    in_root_setup "$root" apt-get clean; } >"$aptlog" 2>&1 ||
    die "installing packages in the build root failed; the end of $aptlog:$(printf '\n'; tail -n 15 "$aptlog")"
  echo "$stamp" >"$root/.nixtide-stamp"
  exec 9>&-
  log "build root ready: $(du -sh "$root" 2>/dev/null | cut -f1)"
}

cmd=${1:-}
case "$cmd" in
  build|run|test) ;;
  exec) [ $# -ge 2 ] || { echo "usage: $0 exec CMD [ARGS]" >&2; exit 2; } ;;
  inside) ;;
  *) echo "usage: $0 run|test|build|exec CMD..." >&2; exit 2 ;;
esac
shift

if is_trixie; then
  [ "$cmd" = inside ] && { cmd=$1; shift; }
  on_platform "$cmd" "$@"
  exit 0
fi
if [ "$cmd" = inside ]; then
  die "'inside' is for the build root, and this is not Debian 13"
fi

make_root
if [ "$cmd" = exec ]; then
  enter_root "$@"
fi
# Inside the root this script finds Debian 13 and runs the steps natively.
# The X display the host has is reachable through the bound /tmp/.X11-unix.
enter_root "$here/packaging/dev.sh" inside "$cmd" "$@"

#!/usr/bin/env bash
# nixtide developer entry point on Debian 12 (bookworm):
#   ./packaging/dev.sh run    install what is missing, build, start nixtide on the demo
#   ./packaging/dev.sh test   install what is missing, build, run the whole test suite
#   ./packaging/dev.sh build  install what is missing, build
# Idempotent: a second call skips packages already installed and rebuilds
# only what changed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${NIXTIDE_BUILD:-$here/build}

packages=(
  build-essential cmake ninja-build pkg-config clang-format curl ca-certificates
  qt6-base-dev qt6-base-dev-tools libgl-dev libqscintilla2-qt6-dev
  libvterm-dev libvncserver-dev pybind11-dev python3-dev python3-pyflakes python3-jedi
  qemu-system-x86 qemu-utils busybox-static bash-static linux-image-amd64 cpio kmod
  vde2 netpbm tesseract-ocr tesseract-ocr-eng nix-bin util-linux procps
  xvfb xauth x11-apps x11-utils desktop-file-utils appstream
)

log() { printf '\033[1mdev.sh:\033[0m %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then echo sudo; else
      log "root (or sudo) is needed to install: $*"; exit 2; fi
  fi
}

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "Debian packages: all present"
    return
  fi
  local sudo; sudo=$(need_root "${missing[*]}")
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
  local sudo; sudo=$(need_root "$conf")
  $sudo mkdir -p /etc/nix
  printf '%s: offline build machine without nixbld users; demo builders use the host /bin/sh\nbuild-users-group =\nsandbox = false\nsubstituters =\n' \
    "$marker" | $sudo tee "$conf" >/dev/null
  log "wrote $conf"
}

configure_build() {
  local werror=OFF
  [ -n "${CI:-}" ] && werror=ON
  # The terminal suite also runs against libvterm 0.3 (nixpkgs' line).
  "$here/packaging/fetch-libvterm-0.3.sh" "$build/third-party"
  # Configuring an existing tree takes a second and picks up new options.
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPython_EXECUTABLE=/usr/bin/python3 -DNIXTIDE_WERROR=$werror \
    -DNIXTIDE_VTERM03_DIR="$build/third-party/libvterm-0.3.3" >/dev/null
  cmake --build "$build" -j "$(nproc)"
}

cmd=${1:-}
case "$cmd" in
  build|run|test) ;;
  *) echo "usage: $0 run|test|build" >&2; exit 2 ;;
esac

install_packages
configure_nix
configure_build

case "$cmd" in
  build) ;;
  run)
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      log "no display: starting under Xvfb"
      exec xvfb-run -a -s '-screen 0 1400x900x24' "$build/app/nixtide" "${@:2}"
    fi
    exec "$build/app/nixtide" "${@:2}"
    ;;
  test)
    cd "$build"
    exec ctest --output-on-failure -j 2 --timeout 900 "${@:2}"
    ;;
esac

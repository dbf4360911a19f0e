# `bin/run-<name>-container` for one demo container node: the demo guest's
# tree under systemd-nspawn. The test driver runs it in the machine's state
# directory with TMPDIR, USE_TMPDIR and SHARED_DIR set, as a VM's start
# script; the container's console is the script's stdin and stdout, and the
# backdoor talks through the FIFOs `backdoor/in` and `backdoor/out` that the
# driver made in the state directory.
#
# VLANs: for each of the node's VLANs a tap device joins the driver's
# vde_switch ($QEMU_VDE_SOCKET_<vlan>, through vde_plug2tap) and is moved into
# a network namespace of the container's own as eth<i>, with the node's
# address. Without the switch (run on its own) eth<i> is a dummy interface.
{
  lib,
  pkgs,
  hostTools,
  guest,
}:
# The node's evaluated configuration (see nodes.nix).
config:
let
  name = config.system.name;
  index = config.demo.nodeIndex;

  interfaceSetup = lib.concatMapStringsSep "\n" (
    i:
    let
      sock = "QEMU_VDE_SOCKET_${toString i.vlan}";
    in
    ''
      if [ -n "''${${sock}:-}" ]; then
          join_vlan "''$${sock}" ${i.name} 52:54:00:12:${lib.toHex2 i.vlan}:${lib.toHex2 index} ${i.address}/${toString i.prefixLength}
      else
          innet ip link add ${i.name} type dummy
          innet ip addr add ${i.address}/${toString i.prefixLength} dev ${i.name}
          innet ip link set ${i.name} up
      fi''
  ) config.demo.interfaces;

  initArgs = [
    "nixtide.hostname=${config.networking.hostName}"
  ]
  ++ lib.optional (config.demo.hosts != [ ]) (
    "nixtide.hosts=" + lib.concatMapStringsSep "," (h: "${h.name}:${h.address}") config.demo.hosts
  )
  ++ lib.optional (config.demo.activeUnits != [ ]) (
    "nixtide.units=" + builtins.concatStringsSep "," config.demo.activeUnits
  );

  script = ''
    #!${hostTools.bash}
    # Start the nixtide demo container "${name}" (systemd-nspawn).
    set -euo pipefail
    export PATH=${lib.escapeShellArg hostTools.driverPath}

    # Whoever started this script may die without a word (a killed driver):
    # take the container down with it.
    if [ -z "''${NIXTIDE_CONTAINER_GUARDED:-}" ]; then
        NIXTIDE_CONTAINER_GUARDED=1 exec ${hostTools.setpriv} --pdeathsig TERM -- "$0" "$@"
    fi

    if [ -z "''${TMPDIR:-}" ] || [ -z "''${USE_TMPDIR:-}" ]; then
        TMPDIR=$(mktemp -d nix-container.XXXXXXXXXX --tmpdir)
    fi
    mkdir -p "$TMPDIR/xchg"
    cd "$TMPDIR"

    # systemd-nspawn makes / a slave mount, which fails
    # with EINVAL when / is not a mount point (a chroot, such as
    # packaging/dev.sh's build root): then go on in a mount namespace whose /
    # is a bind mount of ours.
    if ! mountpoint -q /; then
        mkdir -p "$TMPDIR/host-root"
        exec unshare --mount --propagation unchanged -- /bin/sh -c '
            mount --rbind / "$0" && mount --make-rprivate "$0" && cd "$0" && exec chroot . "$@"
        ' "$TMPDIR/host-root" "$0" "$@"
    fi

    # A fresh tree from the guest's initrd at every start: like a VM booted
    # from its initrd, the container keeps nothing between runs.
    root=$TMPDIR/root
    rm -rf "$root"
    mkdir -p "$root"
    (cd "$root" && gzip -dc ${guest.initrd} | cpio -id --quiet --no-absolute-filenames)

    plugs=()
    container=
    holder=
    cleanup() {
        if [ -n "$container" ]; then
            kill -TERM "$container" 2>/dev/null || true
            wait "$container" 2>/dev/null || true
        fi
        for plug in "''${plugs[@]}" $holder; do
            kill -TERM "$plug" 2>/dev/null || true
        done
    }
    trap cleanup EXIT
    trap 'exit 143' TERM INT HUP

    # vde_plug2tap makes the tap in our namespace; it keeps working once the
    # tap is moved into the container's.
    join_vlan() { # SOCKET IFNAME MAC ADDRESS/PREFIX
        local tap=ntc$$-''${#plugs[@]}
        vde_plug2tap -s "$1" "$tap" </dev/null &
        plugs+=("$!")
        local tries=0
        until ip link show "$tap" >/dev/null 2>&1; do
            if ! kill -0 "$!" 2>/dev/null || [ $((tries += 1)) -gt 200 ]; then
                echo "run-${name}-container: vde_plug2tap could not join $1" >&2
                exit 1
            fi
            sleep 0.05
        done
        ip link set "$tap" netns "$holder"
        innet ip link set "$tap" name "$2" address "$3"
        innet ip addr add "$4" dev "$2"
        innet ip link set "$2" up
    }

    # The container's network namespace is held by a process of ours, not
    # by a mount (ip netns add): it goes when that process goes, however the
    # script ends (even SIGKILL to its process group). Its command line
    # names the state directory, so a sweep for this run's processes finds it.
    ${hostTools.setpriv} --pdeathsig KILL -- unshare --net -- \
        bash -c 'exec -a "$0" sleep infinity' "nixtide-netns $TMPDIR" </dev/null &
    holder=$!
    netns=/proc/$holder/ns/net
    tries=0
    until [ "$(readlink "$netns" 2>/dev/null)" != "$(readlink /proc/$$/ns/net)" ]; do
        if ! kill -0 "$holder" 2>/dev/null || [ $((tries += 1)) -gt 200 ]; then
            echo "run-${name}-container: cannot make a network namespace" >&2
            exit 1
        fi
        sleep 0.05
    done
    innet() { nsenter --net="$netns" -- "$@"; }
    innet ip link set lo up
    ${interfaceSetup}

    binds=(--bind="''${SHARED_DIR:-$TMPDIR/xchg}:/run/nixtide-shared")
    if [ -d "$TMPDIR/backdoor" ]; then
        binds+=(--bind="$TMPDIR/backdoor:/run/nixtide-backdoor")
    fi
    nspawn=(
        systemd-nspawn --quiet --register=no --keep-unit --console=pipe
        --kill-signal=SIGTERM --machine=${lib.escapeShellArg name}
        --network-namespace-path="$netns"
        --directory="$root" "''${binds[@]}"
        /etc/nixtide/container-init ${lib.escapeShellArgs initArgs}
    )
    # In the background so that the TERM trap runs at once; stdin passed on
    # explicitly (a background job would get /dev/null).
    exec 3<&0
    "''${nspawn[@]}" <&3 &
    container=$!
    status=0
    wait "$container" || status=$?
    container=
    exit "$status"
  '';
in
pkgs.runCommand "nixos-container-${name}"
  {
    inherit script;
    passAsFile = [ "script" ];
  }
  ''
    mkdir -p "$out/bin"
    cp "$scriptPath" "$out/bin/run-${name}-container"
    chmod +x "$out/bin/run-${name}-container"
  ''

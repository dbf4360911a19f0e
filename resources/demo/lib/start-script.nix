# `bin/run-<name>-vm` for one demo node, shaped like NixOS' start script: the
# test driver runs it with its own QEMU arguments appended, in the machine's
# state directory, with TMPDIR, USE_TMPDIR and SHARED_DIR set.
{
  lib,
  pkgs,
  hostTools,
  guests,
}:
# The node's evaluated configuration (see nodes.nix).
config:
let
  name = config.system.name;
  virt = config.virtualisation;
  index = config.demo.nodeIndex;
  guest =
    guests.${config.demo.guest}
      or (throw "nixtide demo: node ${name}: demo.guest must be \"text\" or \"wayland\", not \"${config.demo.guest}\"");

  # The Wayland guest's root file system is a disk image, shared read-only by
  # every run (the guest writes to a tmpfs overlay); its pointer is a tablet,
  # so the VNC client's absolute positions land where they point.
  guestArgs = lib.optionals (guest ? disk) [
    "-drive file=${guest.disk},if=virtio,format=raw,readonly=on"
    "-device virtio-tablet-pci"
  ];

  vlanIndexes = builtins.genList (i: i) (builtins.length virt.vlans);
  vlanId = i: "vlan${toString (i + 1)}";
  vlanNetdevs = lib.concatMapStringsSep "\n" (
    i:
    let
      vlan = builtins.elemAt virt.vlans i;
      sock = "QEMU_VDE_SOCKET_${toString vlan}";
    in
    ''
      if [ -n "''${${sock}:-}" ]; then
          ${vlanId i}="vde,id=${vlanId i},sock=''$${sock}"
      else
          ${vlanId i}="hubport,id=${vlanId i},hubid=${toString (100 + vlan)}"
      fi''
  ) vlanIndexes;
  vlanArgs = builtins.concatMap (
    i:
    let
      vlan = builtins.elemAt virt.vlans i;
    in
    [
      "-netdev \"\$${vlanId i}\""
      "-device virtio-net-pci,netdev=${vlanId i},mac=52:54:00:12:${lib.toHex2 vlan}:${lib.toHex2 index}"
    ]
  ) vlanIndexes;

  kernelParams = [
    "console=ttyS0,115200n8"
    "panic=-1"
    # With both host cores busy, the kernel's check that the IO-APIC timer
    # ticks can see no tick under emulation and panic ("IO-APIC + timer
    # doesn't work!", cli.run-isolation under tests/load/with-cpu-hog.sh).
    # QEMU's timer works; the check only measures the host's load.
    "no_timer_check"
    "nixtide.hostname=${config.networking.hostName}"
  ]
  ++ lib.optional (config.demo.interfaces != [ ]) (
    "nixtide.net="
    + lib.concatMapStringsSep "," (i: "${i.name}:${i.address}/${toString i.prefixLength}") config.demo.interfaces
  )
  ++ lib.optional (config.demo.hosts != [ ]) (
    "nixtide.hosts=" + lib.concatMapStringsSep "," (h: "${h.name}:${h.address}") config.demo.hosts
  )
  ++ lib.optional (config.demo.activeUnits != [ ]) (
    "nixtide.units=" + builtins.concatStringsSep "," config.demo.activeUnits
  )
  ++ config.boot.kernelParams;

  script = ''
    #!${hostTools.sh}
    # Start the nixtide demo node "${name}" (QEMU, TCG). Extra QEMU arguments
    # come from $QEMU_OPTS and the command line; extra kernel parameters from
    # $QEMU_KERNEL_PARAMS.
    set -e

    # Where the VM keeps its temporary data.
    if [ -z "$TMPDIR" ] || [ -z "$USE_TMPDIR" ]; then
        TMPDIR=$(${hostTools.coreutils}/mktemp -d nix-vm.XXXXXXXXXX --tmpdir)
    fi
    # A directory for exchanging data with the VM.
    ${hostTools.coreutils}/mkdir -p "$TMPDIR/xchg"
    cd "$TMPDIR"

    # One virtio NIC per VLAN, on the driver's vde_switch for that VLAN
    # ($QEMU_VDE_SOCKET_<vlan>, as upstream). Run outside the driver, a NIC
    # sits on an empty hub instead, so that interface names stay the same.
    ${vlanNetdevs}

    # exec, and QEMU dies with whoever started this script: the driver may
    # run it through a /bin/sh that does not exec its last command, and then
    # signals only that shell.
    exec ${hostTools.setpriv} --pdeathsig TERM -- ${hostTools.qemu} \
        -name ${lib.escapeShellArg name} \
        -accel tcg \
        -m ${toString virt.memorySize} \
        -smp ${toString virt.cores} \
        -device virtio-rng-pci \
        -netdev "user,id=user.0''${QEMU_NET_OPTS:+,$QEMU_NET_OPTS}" \
        -device virtio-net-pci,netdev=user.0 \
        ${builtins.concatStringsSep " \\\n    " (vlanArgs ++ guestArgs)} \
        -virtfs "local,path=''${SHARED_DIR:-$TMPDIR/xchg},security_model=none,mount_tag=shared" \
        -virtfs "local,path=$TMPDIR/xchg,security_model=none,mount_tag=xchg" \
        -kernel ${guest.kernel} \
        -initrd ${guest.initrd} \
        -append ${lib.escapeShellArg (builtins.concatStringsSep " " kernelParams)}"''${QEMU_KERNEL_PARAMS:+ $QEMU_KERNEL_PARAMS}" \
        ${lib.escapeShellArgs virt.qemu.options} \
        $QEMU_OPTS \
        "$@"
  '';
in
pkgs.runCommand "nixos-vm-${name}"
  {
    inherit script;
    passAsFile = [ "script" ];
  }
  ''
    mkdir -p "$out/bin"
    cp "$scriptPath" "$out/bin/run-${name}-vm"
    chmod +x "$out/bin/run-${name}-vm"
  ''

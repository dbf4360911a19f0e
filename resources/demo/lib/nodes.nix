# Evaluates a test's `nodes` into configurations that look like NixOS ones
# where the demo has an equivalent (networking.primaryIPAddress,
# virtualisation.vlans, system.build.vm…). A node is an attribute set or a
# module function `{ config, pkgs, nodes, name, ... }:`. The test's values
# replace the built-in defaults; its `defaults` module and the node's own
# merge as NixOS definitions do (lists concatenated). Options the demo guest
# cannot honour (services.*, environment.*) are kept but have no effect.
#
# Addresses follow NixOS' test network: nodes are numbered 1.. in name order,
# and a node's interface for the i-th entry of virtualisation.vlans is
# eth<i> with 192.168.<vlan>.<number>/24 (eth0 is QEMU's user network).
{
  lib,
  pkgs,
  startScript,
  containerScript,
}:
# The test's `nodes` (VMs) and `containers` (systemd-nspawn containers, as
# nixos-26.05 tests declare them), and its `defaults` (a module applied to
# every node before the node's own, as runNixOSTest does). VMs and containers
# share one numbering and one network; a container gets
# `system.build.container` (bin/run-<name>-container) instead of
# `system.build.vm`.
{
  nodes,
  containers ? { },
  defaults ? { },
}:
let
  clashes = builtins.filter (n: nodes ? ${n}) (builtins.attrNames containers);
  nodeModules =
    if clashes != [ ] then
      throw "nixtide demo: ${builtins.head clashes} is both in nodes and in containers"
    else
      nodes // containers;
  isContainer = name: containers ? ${name};
  names = builtins.attrNames nodeModules;
  numbered = builtins.listToAttrs (
    builtins.genList (i: {
      name = builtins.elemAt names i;
      value = i + 1;
    }) (builtins.length names)
  );

  builtinDefaults = name: {
    networking.hostName = name;
    virtualisation = {
      vlans = [ 1 ];
      memorySize = 256;
      cores = 1;
      qemu.options = [ ];
    };
    boot.kernelParams = [ ];
    demo.activeUnits = [ ];
    # "text" (kernel + initramfs, a console on the screen) or "wayland" (a
    # disk image with a Wayland session; give it virtualisation.memorySize
    # = 1024).
    demo.guest = "text";
  };

  applyModule =
    name: config: module:
    if builtins.isFunction module then
      lib.callWith module {
        inherit
          config
          pkgs
          lib
          name
          ;
        nodes = evaluated;
        modulesPath = throw "nixtide demo: modulesPath: the demo has no NixOS modules";
      }
    else
      module;

  # Address of `node` on each of its VLANs.
  interfacesOf =
    name: config:
    builtins.genList (
      i:
      let
        vlan = builtins.elemAt config.virtualisation.vlans i;
      in
      {
        name = "eth${toString (i + 1)}";
        inherit vlan;
        address = "192.168.${toString vlan}.${toString numbered.${name}}";
        prefixLength = 24;
      }
    ) (builtins.length config.virtualisation.vlans);

  primaryAddressOf =
    name: config:
    let
      ifaces = interfacesOf name config;
    in
    if ifaces == [ ] then "" else (builtins.head ifaces).address;

  # /etc/hosts of every node: each node that shares a VLAN with it, under its
  # host name, at its address on that VLAN (the first shared one).
  hostsOf =
    name: config:
    builtins.concatMap (
      other:
      let
        otherConfig = evaluated.${other};
        shared = builtins.filter (
          i: builtins.elem i.vlan config.virtualisation.vlans
        ) otherConfig.demo.interfaces;
      in
      lib.optional (shared != [ ]) {
        name = otherConfig.networking.hostName;
        address = (builtins.head shared).address;
      }
    ) names;

  evaluate =
    name:
    let
      # The built-in defaults give way to what the test says (as mkDefault
      # values do); the test's `defaults` and node modules add up.
      base = lib.recursiveUpdate (builtinDefaults name) (
        lib.mergeConfigs (applyModule name config defaults) (applyModule name config nodeModules.${name})
      );
      interfaces = interfacesOf name base;
      config = lib.recursiveUpdate base {
        system.name = name;
        networking = {
          primaryIPAddress = primaryAddressOf name base;
          interfaces = builtins.listToAttrs (
            map (i: {
              inherit (i) name;
              value.ipv4.addresses = [ { inherit (i) address prefixLength; } ];
            }) interfaces
          );
        };
        demo = {
          nodeIndex = numbered.${name};
          inherit interfaces;
          hosts = hostsOf name config;
        };
        demo.isContainer = isContainer name;
        system.build =
          if isContainer name then
            { container = containerScript config; }
          else
            { vm = startScript config; };
      };
    in
    config;

  evaluated = builtins.listToAttrs (
    map (name: {
      inherit name;
      value = evaluate name;
    }) names
  );
in
evaluated

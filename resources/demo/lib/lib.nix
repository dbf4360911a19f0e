# The few list, string and attribute helpers the demo library needs, written
# on builtins alone (there is no nixpkgs on the build machines).
rec {
  hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;

  hasSuffix =
    suffix: s:
    let
      ls = builtins.stringLength s;
      lsuf = builtins.stringLength suffix;
    in
    ls >= lsuf && builtins.substring (ls - lsuf) lsuf s == suffix;

  concatMapStringsSep = sep: f: list: builtins.concatStringsSep sep (map f list);

  mapAttrsToList = f: attrs: map (n: f n attrs.${n}) (builtins.attrNames attrs);

  filterAttrs =
    pred: attrs:
    builtins.listToAttrs (
      builtins.concatMap (
        n: if pred n attrs.${n} then [ { name = n; value = attrs.${n}; } ] else [ ]
      ) (builtins.attrNames attrs)
    );

  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  optionalString = cond: s: if cond then s else "";
  optionalAttrs = cond: attrs: if cond then attrs else { };

  # [ from .. to ], inclusive.
  range = from: to: if from > to then [ ] else builtins.genList (i: from + i) (to - from + 1);

  # Elements in first-seen order without repeats.
  unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];

  # Two lowercase hex digits, as the NixOS test framework writes MAC bytes.
  toHex2 =
    n:
    let
      digits = "0123456789abcdef";
      digit = i: builtins.substring i 1 digits;
    in
    if n < 0 || n > 255 then
      throw "nixtide demo: ${toString n} does not fit in a MAC address byte"
    else
      digit (n / 16) + digit (n - (n / 16) * 16);

  # Single-quoted for a POSIX shell.
  escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
  escapeShellArgs = concatMapStringsSep " " escapeShellArg;

  # Deep merge: attribute sets merge, anything else in `b` wins.
  recursiveUpdate =
    a: b:
    a
    // builtins.mapAttrs (
      n: v: if builtins.isAttrs v && builtins.isAttrs (a.${n} or null) && !(v ? type && v.type == "derivation") then recursiveUpdate a.${n} v else v
    ) b;

  # Merge two configurations as NixOS merges definitions of the same
  # options: attribute sets recursively, lists concatenated, anything else
  # from `b`.
  mergeConfigs =
    a: b:
    a
    // builtins.mapAttrs (
      n: v:
      let
        old = a.${n} or null;
      in
      if builtins.isList v && builtins.isList old then
        old ++ v
      else if builtins.isAttrs v && builtins.isAttrs old && !(v ? type && v.type == "derivation") then
        mergeConfigs old v
      else
        v
    ) b;

  # Call a module-style function with the arguments it names, like nixpkgs'
  # callPackage: `{ config, pkgs, ... }:` gets just those; a function taking a
  # plain argument (`args: …`) gets them all.
  callWith =
    f: available:
    let
      wanted = builtins.functionArgs f;
    in
    if wanted == { } then f available else f (builtins.intersectAttrs wanted available);

  # Turn a machine name into a Python identifier, as the NixOS test framework
  # does for the names in the test script's namespace.
  pythonizeName =
    name:
    let
      chars = builtins.genList (i: builtins.substring i 1 name) (builtins.stringLength name);
      ok = i: c: builtins.match (if i == 0 then "[A-Za-z_]" else "[A-Za-z0-9_]") c != null;
    in
    builtins.concatStringsSep "" (
      builtins.genList (
        i:
        let
          c = builtins.elemAt chars i;
        in
        if ok i c then c else "_"
      ) (builtins.length chars)
    );
}

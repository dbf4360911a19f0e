{
  outputs =
    { self }:
    {
      checks.x86_64-linux.broken = import ./syntax-error.nix { lib = import ./testlib.nix { }; };
    };
}

{
  outputs =
    { self }:
    {
      checks.x86_64-linux.broken = import ./broken.nix { lib = import ./testlib.nix { }; };
    };
}

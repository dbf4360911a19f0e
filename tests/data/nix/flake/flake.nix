{
  outputs =
    { self }:
    let
      lib = import ./testlib.nix { nonce = "@NONCE@"; };
    in
    {
      checks.x86_64-linux.one = import ./one.nix { inherit lib; };
      checks.x86_64-linux.two = lib.runTest {
        name = "two";
        nodes.machine = { };
        testScript = ''
          machine.succeed("two")
        '';
      };
    };
}

import ./make-test-python.nix (
  { pkgs, lib, ... }:
  {
    name = "old-style";
    nodes = {
      # a comment before the first node
      client = { };
      /* and one between */
      "web-server" = {
        demo.activeUnits = [ "hello.service" ];
      }; # after it
    };
    testScript = ''
      start_all()
      web_server.wait_for_unit("hello.service")
      # A '#' inside a Nix string is Python here:
      client.succeed("echo '#1' | grep -q '#'")
    '';
  }
)

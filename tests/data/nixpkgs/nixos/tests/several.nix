# Several tests in one file, old style.
{
  system ? builtins.currentSystem,
  pkgs ? import ../.. { inherit system; },
  ...
}:
with import ../lib/testing-python.nix { inherit system pkgs; };
{
  first = makeTest {
    name = "several-first";
    nodes.machine = { };
    testScript = ''
      machine.start()
      machine.succeed("true")
    '';
  };
  second = makeTest {
    name = "several-second";
    nodes.machine = { };
    testScript = ''
      machine.start()
      machine.succeed("test -d /")
    '';
  };
}

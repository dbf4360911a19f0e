{ lib, ... }:
let
  # The script sits behind a `let … in`, under its own name.
  script = ''
    start_all()
    for name in ["etc", "tmp"]:
        with subtest(f"/{name} exists"):
            machine.succeed(f"test -d /{name}")
  '';
in
{
  name = "let-in";
  nodes.machine = { };
  testScript = script;
}

(import ./testlib.nix { nonce = "@NONCE@"; }).runTest {
  name = "broken";
  testScript = ''
    start_all()
  '';
  nodes = { machine = { } ;; };
}

(import ./testlib.nix { nonce = "@NONCE@"; }).runTest {
  name = "failing";
  failBuild = true;
  testScript = ''
    start_all()
  '';
}

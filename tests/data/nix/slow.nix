# A driver whose build takes minutes: for cancelling.
(import ./testlib.nix { nonce = "@NONCE@"; }).runTest {
  name = "slow";
  nodes.machine = { };
  sleep = 300;
  testScript = ''
    start_all()
  '';
}

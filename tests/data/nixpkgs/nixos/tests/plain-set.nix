# A test module that is a plain attribute set.
{
  name = "plain-set";
  nodes.server = { };
  testScript = ''
    server.start()
    server.wait_for_unit("multi-user.target")
    server.succeed("true")
  '';
}

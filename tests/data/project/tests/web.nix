# A test module of the project (module style).
{ lib, ... }:
{
  name = "project-web";
  nodes.webserver = {
    demo.activeUnits = [ "hello.service" ];
  };
  testScript = ''
    webserver.start()
    webserver.wait_for_unit("hello.service")
  '';
}

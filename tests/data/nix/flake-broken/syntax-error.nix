{ lib }:
lib.runTest {
  name = "broken";
  testScript = ''
    start_all()
  '' + ;
}

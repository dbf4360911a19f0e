# The script in a file of its own: breakpoints are set in script.py.
{ ... }:
{
  name = "read-file";
  nodes.machine = { };
  testScript = builtins.readFile ./script.py;
}

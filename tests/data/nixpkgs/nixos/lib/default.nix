# nixos/lib as the tests use it: runTest takes a test module (a path, a
# function of runTest's arguments, or an attribute set, with `imports`),
# makeTest an old-style test's attribute set.
{ demo }:
let
  load = m: if builtins.isPath m || builtins.isString m then import m else m;
  callModule =
    m: args:
    let
      v = load m;
    in
    if builtins.isFunction v then
      v (builtins.intersectAttrs (builtins.functionArgs v) args)
    else
      v;
  # `{ imports = [ a b ]; x = …; }`: the imported modules' attributes, then
  # the module's own, one level deep as these tests need.
  flatten =
    module: args:
    let
      m = callModule module args;
      imported = map (i: flatten i args) (m.imports or [ ]);
    in
    builtins.foldl' (a: b: a // b) { } imported // builtins.removeAttrs m [ "imports" ];
in
{
  runTest = module: demo.runTest (args: flatten module args);
  makeTest = test: demo.runTest test;
}

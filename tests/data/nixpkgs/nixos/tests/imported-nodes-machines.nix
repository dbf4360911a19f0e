# The nodes of imported-nodes.nix.
{
  "gateway-1" = { };
}

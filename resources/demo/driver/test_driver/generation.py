"""Which upstream generation this copy of the demo driver behaves as.

- "environment" (nixos-22.11 to 25.05): inputs from the wrapper's
  environment (`EnvDefault`), machines and VLANs built in `Driver.__init__`,
  `machines` a list, `ptpython.repl.embed`; runs on Python 3.11 as those
  releases did, so it needs nothing beyond the standard library.
- "configuration" (master): `--config driverConfiguration.json` validated
  with pydantic, machines and VLANs built in `Driver.__enter__`, `machines`
  a property over `machines_qemu` and `machines_nspawn`,
  `ptpython.ipython.embed`; runs on Python 3.13.

Within the environment era, COMMAND_LINE chooses whose options the parser
has: "nixos-22.11" (`--keep-vm-state`, `--interactive`, `--start-scripts`,
`--vlans`, `--output_directory` and the test script: no `--junit-xml`,
`--global-timeout` or `--log-level`, so passing one is a usage error, exit 2)
or "current" (the later releases' options).

The demo's Nix package (lib/driver-package.nix) replaces this file with the
bundle's generation and command line. Run from the source tree,
NIXTIDE_DEMO_DRIVER_GENERATION chooses, "configuration" by default, and
NIXTIDE_DEMO_DRIVER_COMMAND_LINE, "current" by default.
"""

import os

GENERATIONS = ("environment", "configuration")

GENERATION = os.environ.get("NIXTIDE_DEMO_DRIVER_GENERATION", "configuration")
if GENERATION not in GENERATIONS:
    raise SystemExit(
        f"NIXTIDE_DEMO_DRIVER_GENERATION={GENERATION!r}: expected one of {', '.join(GENERATIONS)}"
    )

COMMAND_LINES = ("current", "nixos-22.11")

COMMAND_LINE = os.environ.get("NIXTIDE_DEMO_DRIVER_COMMAND_LINE", "current")
if COMMAND_LINE not in COMMAND_LINES:
    raise SystemExit(
        f"NIXTIDE_DEMO_DRIVER_COMMAND_LINE={COMMAND_LINE!r}: expected one of {', '.join(COMMAND_LINES)}"
    )
if COMMAND_LINE == "nixos-22.11" and GENERATION != "environment":
    raise SystemExit("the nixos-22.11 command line belongs to the environment generation")

"""Which upstream generation this copy of the demo driver behaves as.

- "environment" (nixos-22.11 to 25.05): inputs from the wrapper's
  environment (`EnvDefault`), machines and VLANs built in `Driver.__init__`,
  `machines` a list, `ptpython.repl.embed`; runs on Python 3.11 as those
  releases did, so it needs nothing beyond the standard library.
- "configuration" (master): `--config driverConfiguration.json` validated
  with pydantic, machines and VLANs built in `Driver.__enter__`, `machines`
  a property over `machines_qemu` and `machines_nspawn`,
  `ptpython.ipython.embed`; runs on Python 3.13.

The demo's Nix package (lib/driver-package.nix) replaces this file with the
bundle's generation. Run from the source tree, NIXTIDE_DEMO_DRIVER_GENERATION
chooses, "configuration" by default.
"""

import os

GENERATIONS = ("environment", "configuration")

GENERATION = os.environ.get("NIXTIDE_DEMO_DRIVER_GENERATION", "configuration")
if GENERATION not in GENERATIONS:
    raise SystemExit(
        f"NIXTIDE_DEMO_DRIVER_GENERATION={GENERATION!r}: expected one of {', '.join(GENERATIONS)}"
    )

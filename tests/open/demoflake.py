"""Writes the demo flake (tests/data/flake-demo) into a directory: the demo
library and the built guest as `path:` inputs with absolute paths, and
single.nix and vlan.nix copied from resources/demo so that their testScripts
are in the flake's own source (nixtide maps the store copy back to them)."""
import os
import shutil

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(SOURCE, "resources", "demo")
TEMPLATE = os.path.join(SOURCE, "tests", "data", "flake-demo", "flake.nix")
MODULE_FLAKE = os.path.join(SOURCE, "tests", "data", "flake-module")
CHECKS_TEMPLATE = os.path.join(SOURCE, "tests", "data", "flake-checks", "flake.nix")
SYSTEM_CHECKS = "checks.x86_64-linux"


def guest_dir():
    return os.environ.get("NIXTIDE_DEMO_GUEST") or os.path.join(SOURCE, "build", "demo-guest")


def write_demo_flake(directory, guest=None):
    """Fills `directory` with the demo flake; returns `path:<directory>`."""
    guest = os.path.abspath(guest or guest_dir())
    for needed in ("kernel", "initrd"):
        if not os.path.isfile(os.path.join(guest, needed)):
            raise FileNotFoundError("the demo guest is not built: %s/%s is missing"
                                    % (guest, needed))
    with open(TEMPLATE) as handle:
        text = handle.read()
    text = text.replace("@DEMO_DIR@", DEMO).replace("@GUEST_DIR@", guest)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "flake.nix"), "w") as handle:
        handle.write(text)
    for test in ("single.nix", "vlan.nix"):
        shutil.copyfile(os.path.join(DEMO, test), os.path.join(directory, test))
    return "path:" + os.path.abspath(directory)


def write_checks_flake(directory, nonce, broken=True, guest=None):
    """Fills `directory` with the flake of three checks (tests/data/flake-checks),
    `failing` failing when `broken`; a new `nonce` makes Nix build every check
    again. Returns `path:<directory>`."""
    guest = os.path.abspath(guest or guest_dir())
    for needed in ("kernel", "initrd"):
        if not os.path.isfile(os.path.join(guest, needed)):
            raise FileNotFoundError("the demo guest is not built: %s/%s is missing"
                                    % (guest, needed))
    with open(CHECKS_TEMPLATE) as handle:
        text = handle.read()
    text = (text.replace("@DEMO_DIR@", DEMO).replace("@GUEST_DIR@", guest)
            .replace("@NONCE@", nonce).replace("@BROKEN@", "true" if broken else "false"))
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "flake.nix"), "w") as handle:
        handle.write(text)
    return "path:" + os.path.abspath(directory)


def write_module_flake(directory, guest=None):
    """Fills `directory` with the flake whose check is the module-style
    test.nix (tests/data/flake-module), its nixpkgs stand-in in
    `directory`/.nixpkgs; returns `path:<directory>`."""
    guest = os.path.abspath(guest or guest_dir())
    directory = os.path.abspath(directory)
    nixpkgs = os.path.join(directory, ".nixpkgs")
    os.makedirs(nixpkgs, exist_ok=True)
    with open(os.path.join(MODULE_FLAKE, "nixpkgs-flake.nix")) as handle:
        text = handle.read().replace("@DEMO_DIR@", DEMO).replace("@GUEST_DIR@", guest)
    with open(os.path.join(nixpkgs, "flake.nix"), "w") as handle:
        handle.write(text)
    with open(os.path.join(MODULE_FLAKE, "flake.nix")) as handle:
        text = handle.read().replace("@NIXPKGS_DIR@", nixpkgs)
    with open(os.path.join(directory, "flake.nix"), "w") as handle:
        handle.write(text)
    for name in ("test.nix", "other.nix"):
        shutil.copyfile(os.path.join(MODULE_FLAKE, name), os.path.join(directory, name))
    return "path:" + directory

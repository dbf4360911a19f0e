"""Debug a plain Python script: `python -m nixtide_agent --socket PATH script.py`.

Used by the tests and the overhead benchmark; the driver path goes through
`inject/sitecustomize.py` instead."""

import argparse
import os
import sys
import traceback

from .runner import run_script
from .session import Session, SocketDirectoryError


def main():
    parser = argparse.ArgumentParser(prog="nixtide_agent")
    parser.add_argument("--socket", required=True)
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    session = Session(options.socket)
    try:
        session.listen()
    except SocketDirectoryError as error:
        sys.stderr.write("nixtide agent: refusing to listen on %s: %s\n" % (options.socket, error))
        return 2
    session.debugger.backend.install()
    path = os.path.abspath(options.script)
    with open(path) as handle:
        text = handle.read()
    sys.argv = [path] + options.args
    namespace = {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__}
    code = 0
    try:
        run_script(session, namespace, text, path)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    session.finish(code)
    return code


if __name__ == "__main__":
    sys.exit(main())

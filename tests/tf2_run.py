"""Runs proof programs in one Python process (one TensorFlow import): ``tf2_run.py MAIN:MODE ...``.

Each argument is a program's main file (an original or a copy) and a harness
mode (``loop``, ``reference``, ``both``).  The programs run one after the other
as ``__main__`` with their own folder first on ``sys.path``; modules imported
from a program's folder are forgotten before the next one, so a copy's own
``network.py`` is the one it gets.  Prints one JSON list, one result per argument.
"""
import contextlib
import importlib
import io
import json
import os
import runpy
import sys


def _forget_modules_under(folder, harness):
    """Drop the program's own modules (not the shared harness: it holds RESULTS and set up the framework once)."""
    folder = os.path.abspath(folder) + os.sep
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if name != harness and path and os.path.abspath(path).startswith(folder):
            del sys.modules[name]


def run_programs(harness_name, arguments):
    """Runs each ``MAIN:MODE`` with the harness module ``harness_name`` collecting its result."""
    harness = importlib.import_module(harness_name)
    results = []
    for argument in arguments:
        path, mode = argument.rsplit(":", 1)
        folder = os.path.dirname(os.path.abspath(path))
        sys.path.insert(0, folder)
        sys.argv = [path, mode]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                runpy.run_path(path, run_name="__main__")
            results.append(harness.RESULTS.pop())
        finally:
            sys.path.remove(folder)
            _forget_modules_under(folder, harness_name)
    print(json.dumps(results))


if __name__ == "__main__":
    run_programs("tf2harness", sys.argv[1:])

"""Runs Keras 3 backend proof programs in one Python process: ``k3_run.py MAIN:MODE ...``.

All arguments run on one backend (``KERAS_BACKEND``, set by the caller before Keras is
imported): a program as written and its lp-fixed copy share one Keras and JAX / torch import.
Each program runs as ``__main__`` with its own folder first on ``sys.path``; its modules are
forgotten before the next one.  Prints one JSON list, one result per argument.
"""
import contextlib
import io
import json
import os
import runpy
import sys


def _forget_modules_under(folder):
    folder = os.path.abspath(folder) + os.sep
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if name != "k3harness" and path and os.path.abspath(path).startswith(folder):
            del sys.modules[name]


def main(arguments):
    import k3harness

    results = []
    for argument in arguments:
        path, mode = argument.rsplit(":", 1)
        folder = os.path.dirname(os.path.abspath(path))
        sys.path.insert(0, folder)
        sys.argv = [path, mode]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                runpy.run_path(path, run_name="__main__")
            results.append(k3harness.RESULTS.pop())
        finally:
            sys.path.remove(folder)
            _forget_modules_under(folder)
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])

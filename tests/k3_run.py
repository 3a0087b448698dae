"""Runs Keras 3 backend proof programs in one Python process: ``k3_run.py MAIN:MODE ...``.

All arguments run on one backend (``KERAS_BACKEND``, set by the caller before Keras is
imported): a program as written and its lp-fixed copy share one Keras and JAX / torch import.
Each program runs as ``__main__`` with its own folder first on ``sys.path``; its modules are
forgotten before the next one.  Prints one JSON list, one result per argument.
"""
import sys

from tf2_run import run_programs

if __name__ == "__main__":
    run_programs("k3harness", sys.argv[1:])

"""Accuracy on public code: recall and precision on the hand-labelled real-world corpora (issue 19).

    python bench/accuracy.py [--realworld DIR]

Runs the corpora's own scorer (``score.py``, in DIR: ``$LP_REALWORLD`` or ``../shared/realworld``
from the project root) with the flake8 of this Python on a temporary copy of each corpus (``tf1``
with every code, ``tf2`` with LP3 only, as its labels are for LP300), and prints its figures and
every miss and noise finding.  Prints, never judges: docs/accuracy.md explains the figures.
Exits 2 when the corpora are not there.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = (("tf1", "LP"), ("tf2", "LP3"))


def default_folder() -> str:
    return os.environ.get("LP_REALWORLD") or os.path.join(os.path.dirname(ROOT), "shared", "realworld")


def score(folder: str, name: str, prefix: str) -> str:
    """The scorer's report (``-v``) for one corpus, run on a copy (a tool may write into a tree)."""
    flake8 = os.path.join(os.path.dirname(sys.executable), "flake8")
    with tempfile.TemporaryDirectory() as temp:
        tree = os.path.join(temp, name)
        shutil.copytree(os.path.join(folder, name), tree)
        done = subprocess.run(
            [sys.executable, os.path.join(folder, "score.py"), tree, "--prefix", prefix, "--flake8", flake8, "-v"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
        )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.replace(tree, name)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realworld", default=default_folder(), help="folder holding score.py, tf1/ and tf2/")
    args = parser.parse_args(argv)
    if not os.path.isfile(os.path.join(args.realworld, "score.py")):
        print("no real-world corpora in {} (set LP_REALWORLD)".format(args.realworld), file=sys.stderr)
        return 2
    for name, prefix in CORPORA:
        print(score(args.realworld, name, prefix), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())

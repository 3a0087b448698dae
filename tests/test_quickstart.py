"""The README's quick start in the clone itself: flake8 with the repository's own setup.cfg.

The clone's flake8 configuration must not hide the shipped example: ``flake8 --select=LP
examples`` (no trailing slash, as users type it) and ``flake8 .`` report it as
``flake8 --select=LP examples/`` does (issue 22, item 4).
"""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parent.parent


@pytest.mark.parametrize("target", ["examples", "examples/", "."])
def test_flake8_in_the_clone_reports_the_shipped_example(target):
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=LP", target],
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    found = sorted(line.split(" ")[:2] for line in lines)
    assert found == [
        ["{}examples/train_loop.py:26:18:".format("./" if target == "." else ""), "LP100"],
        ["{}examples/train_loop.py:26:18:".format("./" if target == "." else ""), "LP200"],
        ["{}examples/train_step_tf2.py:22:16:".format("./" if target == "." else ""), "LP300"],
    ], done.stdout
    # and nothing else: tests/fixtures, defects on purpose, stays excluded

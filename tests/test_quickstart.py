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
    example = [line for line in lines if "examples/train_loop.py:26:18: " in line]
    assert [line.split(": ")[1].split()[0] for line in example] == ["LP100", "LP200"], done.stdout
    # tests/fixtures stays excluded: its files are defects on purpose
    assert not [line for line in lines if "fixtures" in line], done.stdout

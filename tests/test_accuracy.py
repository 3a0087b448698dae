"""bench/accuracy.py: the real-world corpora's scorer, run with this project's flake8.

The figures are printed, never thresholded (docs/accuracy.md records them).  The corpora are not
in the repository: set LP_REALWORLD to the folder holding score.py, tf1/ and tf2/ to run them.
"""
import os
import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "bench"))

import accuracy  # noqa: E402


def test_without_the_corpora_it_says_where_it_looked_and_exits_2(tmp_path, capsys):
    assert accuracy.main(["--realworld", str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err


@pytest.mark.skipif(not os.environ.get("LP_REALWORLD"), reason="set LP_REALWORLD to the real-world corpora")
def test_scores_both_corpora_and_prints_the_figures(capsys):
    assert accuracy.main([]) == 0
    out = capsys.readouterr().out
    with capsys.disabled():
        print("\n" + out)
    figures = re.findall(r"^(tf1|tf2): recall (\d+)/(\d+), precision (\d+)/(\d+)", out, re.M)
    assert [name for name, *_ in figures] == ["tf1", "tf2"]

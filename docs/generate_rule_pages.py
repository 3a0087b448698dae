"""Writes docs/rules/<code>.md for every registered rule (the examples the tests check)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from flake8_learning_phase.core import rules  # noqa: E402
from flake8_learning_phase.frontends.rule_pages import render_page  # noqa: E402


def main(folder: str = os.path.join(HERE, "rules")) -> None:
    os.makedirs(folder, exist_ok=True)
    for rule in rules():
        with open(os.path.join(folder, rule.code + ".md"), "w", encoding="utf-8") as page:
            page.write(render_page(rule))


if __name__ == "__main__":
    main(*sys.argv[1:])

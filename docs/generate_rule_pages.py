"""Writes docs/rules/<code>.md from the rule catalog (the examples the tests check)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from flake8_learning_phase.core._catalog import RULES, render_page  # noqa: E402


def main():
    folder = os.path.join(HERE, "rules")
    os.makedirs(folder, exist_ok=True)
    for rule in RULES:
        with open(os.path.join(folder, rule.code + ".md"), "w", encoding="utf-8") as page:
            page.write(render_page(rule))


if __name__ == "__main__":
    main()

"""Writes what lists the registered rules, from the registry: docs/rules/<code>.md for every rule
(the examples the tests check), the Rules section of mkdocs.yml's nav and the rules line of
docs/index.md.  README.md's rules table is written by hand (where each rule reports, what is
wrong) and checked against the registry (tests/test_docs_pages.py, :func:`readme_table_codes`).

    python docs/generate_rule_pages.py [ROOT]
"""
import os
import re
import sys
from typing import List, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from flake8_learning_phase.core import Rule, rules  # noqa: E402
from flake8_learning_phase.frontends.rule_pages import render_page  # noqa: E402

NAV_BEGIN = "      # the rules: written by docs/generate_rule_pages.py from the registry\n"
NAV_END = "      # end of the rules\n"
INDEX_MARK = "<!-- written by docs/generate_rule_pages.py -->"
_README_ROW = re.compile(r"^\| \[(LP\d+)\]\(docs/rules/\1\.md\) \|", re.M)


def nav(registered: Sequence[Rule]) -> str:
    """mkdocs.yml's nav entries for the rule pages, between the markers."""
    return NAV_BEGIN + "".join("      - {0}: rules/{0}.md\n".format(r.code) for r in registered) + NAV_END


def index_line(registered: Sequence[Rule]) -> str:
    """docs/index.md's line linking every rule page."""
    links = ", ".join("[{0}](rules/{0}.md)".format(r.code) for r in registered)
    return "- Rules: {} {}\n".format(links, INDEX_MARK)


def with_nav(text: str, registered: Sequence[Rule]) -> str:
    start, end = text.index(NAV_BEGIN), text.index(NAV_END) + len(NAV_END)
    return text[:start] + nav(registered) + text[end:]


def with_index_line(text: str, registered: Sequence[Rule]) -> str:
    lines = text.splitlines(True)
    (number,) = [n for n, line in enumerate(lines) if line.rstrip().endswith(INDEX_MARK)]
    lines[number] = index_line(registered)
    return "".join(lines)


def readme_table_codes(readme: str) -> List[str]:
    """The codes README.md's rules table has a row for, in order."""
    return _README_ROW.findall(readme)


def _rewrite(path: str, change) -> None:
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(change(text))


def main(root: str = os.path.dirname(HERE)) -> None:
    registered = rules()
    folder = os.path.join(root, "docs", "rules")
    os.makedirs(folder, exist_ok=True)
    for rule in registered:
        with open(os.path.join(folder, rule.code + ".md"), "w", encoding="utf-8") as page:
            page.write(render_page(rule))
    _rewrite(os.path.join(root, "mkdocs.yml"), lambda text: with_nav(text, registered))
    _rewrite(os.path.join(root, "docs", "index.md"), lambda text: with_index_line(text, registered))


if __name__ == "__main__":
    main(*sys.argv[1:])

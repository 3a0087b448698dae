"""The README, the docs home page and the package summary, organised by what the user writes
(issue 22, item 2): TF2 / Keras 3 loops first, then TF 1.x backend functions, then TF 1.x
sessions (graph mode), then Keras 3 on JAX or PyTorch; each family with its proof page one
click away, and the rules tables matching the registry."""
import configparser
import pathlib
import re
import runpy

import pytest

from flake8_learning_phase.core import rules

ROOT = pathlib.Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
INDEX = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")

# (heading start, proof page or None while the family's rules are being added)
FAMILIES = [
    ("TF2 / Keras 3", "why-training-true-matters.md"),
    ("TF 1.x: a Keras backend function", "why-your-loop-diverges.md"),
    ("TF 1.x: sessions and graph mode", "tf1-graph-proof.md"),
    ("Keras 3 on JAX or PyTorch", None),
]


def _sections(text):
    """``### `` sections under "What you write": heading -> body."""
    part = text.split("## What you write, and what is reported\n", 1)[1].split("\n## ", 1)[0]
    found = re.split(r"^### (.*)$", part, flags=re.M)[1:]
    return list(zip(found[::2], found[1::2]))


@pytest.mark.parametrize("page, text, prefix", [("README.md", README, "docs/"), ("docs/index.md", INDEX, "")])
def test_families_come_in_the_order_users_meet_them(page, text, prefix):
    sections = _sections(text)
    assert len(sections) == len(FAMILIES), [h for h, _ in sections]
    for (heading, body), (start, proof) in zip(sections, FAMILIES):
        assert heading.startswith(start), "{}: {!r} where {!r} belongs".format(page, heading, start)
        if proof is not None:
            assert "]({}{})".format(prefix, proof) in body, "{}: {} has no link to {}".format(page, heading, proof)
    # the first family is the first thing after the introduction, and its rule is named first
    assert re.findall(r"^## (.*)$", text, flags=re.M)[0] == "What you write, and what is reported"
    assert text.index("LP300") < text.index("LP100")


def test_readme_tables_match_the_registry():
    rows = re.findall(r"^\| \[(LP\d+)\]\(docs/rules/(LP\d+)\.md\) \|", README, flags=re.M)
    assert all(code == page for code, page in rows), rows
    listed = [code for code, _ in rows]
    # a rule may serve two families (LP300: tape steps, and Keras 3 on JAX / torch), never twice in one
    for heading, body in _sections(README):
        in_section = re.findall(r"^\| \[(LP\d+)\]", body, flags=re.M)
        assert len(in_section) == len(set(in_section)), "{}: a rule listed twice: {}".format(heading, in_section)
    assert set(listed) == {rule.code for rule in rules()}
    for code in listed:
        assert (ROOT / "docs" / "rules" / (code + ".md")).is_file(), code


def test_docs_home_links_every_rule_page():
    for rule in rules():
        assert "](rules/{}.md)".format(rule.code) in INDEX, rule.code


def test_package_summary_names_tf2_before_tf1():
    config = configparser.ConfigParser()
    config.read(str(ROOT / "setup.cfg"))
    summary = config.get("metadata", "description")
    assert summary.index("TF2") < summary.index("TF 1.x"), summary
    assert not config.has_option("metadata", "long_description")  # setup.py makes it, from the README


# A Markdown link whose target has no scheme: relative to the repository, so broken on PyPI.
_RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:)([^)\s]+)")


def test_the_long_description_is_the_readme_with_absolute_links():
    setup = runpy.run_path(str(ROOT / "setup.py"), run_name="setup")
    described = setup["long_description"]()
    assert _RELATIVE_LINK.findall(README), "the README has relative links: this test would prove nothing"
    assert _RELATIVE_LINK.findall(described) == []
    base = "https://github.com/flake8-learning-phase/flake8-learning-phase/blob/main/"
    assert described == _RELATIVE_LINK.sub(lambda m: "](" + base + m.group(1), README)
    for target in _RELATIVE_LINK.findall(README):  # each one names a file of the repository
        assert (ROOT / target.split("#")[0]).exists(), target


def test_readme_names_the_quick_check_and_what_the_full_run_costs():
    section = README.split("## Run the tests\n", 1)[1].split("\n## ", 1)[0]
    quick = re.search(r"^python -m pip install tox && tox -e (\w+)$", section, flags=re.M)
    assert quick, "no quick check in the README"
    tox = configparser.RawConfigParser()
    tox.read(str(ROOT / "tox.ini"))
    assert tox.has_section("testenv:" + quick.group(1))
    envlist = [env.strip() for env in tox.get("tox", "envlist").split(",")]
    assert quick.group(1) not in envlist, "the quick check would add to CI's time"
    # the cost of each, in minutes, on 2 cores
    assert re.search(r"about \d+ minutes on 2 cores", section)
    assert re.search(r"full run.*took \d+ minutes", section, flags=re.S)

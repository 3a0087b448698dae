"""Hand-kept pages agree with their generators (those that need TensorFlow are not re-run here)."""
import ast
import pathlib
import sys

from flake8_learning_phase.core import codes, rules

DOCS = pathlib.Path(__file__).parent.parent / "docs"
sys.path.insert(0, str(DOCS))
import generate_rule_pages  # noqa: E402

sys.path.pop(0)


def test_mkdocs_nav_lists_every_registered_rule():
    text = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    assert generate_rule_pages.with_nav(text, rules()) == text, "run python docs/generate_rule_pages.py"


def test_docs_index_links_every_registered_rule():
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    assert generate_rule_pages.with_index_line(text, rules()) == text, "run python docs/generate_rule_pages.py"


def test_readme_rules_table_has_a_row_per_registered_rule():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    # the README groups the rules by what the user writes (its own order; LP300 serves two families)
    assert set(generate_rule_pages.readme_table_codes(readme)) == set(codes())


def _generator_strings():
    tree = ast.parse((DOCS / "generate_tf_proof.py").read_text(encoding="utf-8"))
    notes = next(
        node.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "NOTES"
    )
    lists = [ast.literal_eval(v) for v in notes.values]
    main = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main")
    header = next(
        node.value
        for node in ast.walk(main)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "lines"
    )
    return lists, [ast.literal_eval(e) for e in header.elts]


def test_tf_proof_page_has_the_generators_caption_and_notes():
    page = (DOCS / "why-your-loop-diverges.md").read_text(encoding="utf-8")
    notes, header = _generator_strings()
    assert page.startswith("\n".join(header))
    for lines in notes:
        assert "\n".join(lines) in page
    assert "*The plot:" in page
    # the note on the deep net: model.fit's own evaluation loss is far above its training losses
    # (the number itself moves with the float rounding of the TensorFlow build: 387.7, 669.1)
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in page.split("## deeper")[1].split("\n## ")[0].splitlines() if line.startswith("| ")}
    assert float(rows["evaluation"]) > 100 * float(rows["3"])
    assert "evaluation loss of model.fit" in page

"""Hand-kept pages agree with their generators (those that need TensorFlow are not re-run here)."""
import ast
import pathlib

DOCS = pathlib.Path(__file__).parent.parent / "docs"


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
    assert "*The plot:" in page and "387.7" in page.split("## deeper")[1]
    assert "evaluation loss of model.fit" in page

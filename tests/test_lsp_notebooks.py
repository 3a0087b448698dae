"""lp-lsp and notebooks (LSP 3.17 notebook document sync), through a real server process over stdio.

The editor's side is played as VS Code plays it: one ``notebookDocument/didOpen`` with the
cells, each cell a text document with its own ``vscode-notebook-cell:`` URI.
"""
import json
import os
import sys

import pytest

from conftest import FIXTURES
from flake8_learning_phase import check_source
from flake8_learning_phase.notebook import from_cells
from lsp_client import LspClient, apply_edits

pytest.importorskip("pygls", reason="lp-lsp needs the [lsp] extra")

NOTEBOOK = FIXTURES / "notebooks" / "gan_k_function.ipynb"
NB_URI = NOTEBOOK.resolve().as_uri()
ADD_PHASE = "Add the learning phase to this training step"


def cell_uri(index):
    return "vscode-notebook-cell:{}#W{}sZmlsZQ%3D%3D".format(NOTEBOOK.resolve().as_posix(), index)


def notebook_cells(path=NOTEBOOK):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(c["cell_type"], c["source"] if isinstance(c["source"], str) else "".join(c["source"])) for c in cells]


@pytest.fixture
def client():
    command = os.path.join(os.path.dirname(sys.executable), "lp-lsp")
    client = LspClient([command])
    reply = client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": None,
            "capabilities": {"notebookDocument": {"synchronization": {"dynamicRegistration": False}}},
        },
    )
    client.capabilities = reply["result"]["capabilities"]
    client.notify("initialized", {})
    yield client
    client.close()


def open_notebook(client, cells):
    client.notify(
        "notebookDocument/didOpen",
        {
            "notebookDocument": {
                "uri": NB_URI,
                "notebookType": "jupyter-notebook",
                "version": 1,
                "cells": [{"kind": 2 if kind == "code" else 1, "document": cell_uri(i)} for i, (kind, _) in enumerate(cells)],
            },
            "cellTextDocuments": [
                {"uri": cell_uri(i), "languageId": "python" if kind == "code" else "markdown", "version": 1, "text": text}
                for i, (kind, text) in enumerate(cells)
            ],
        },
    )
    return collect(client, [cell_uri(i) for i, (kind, _) in enumerate(cells) if kind == "code"])


def collect(client, uris):
    """The diagnostics published for each of ``uris`` (one message each)."""
    found = {}
    while set(found) != set(uris):
        message = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        found[message["params"]["uri"]] = message["params"]["diagnostics"]
    return found


def by_cell(published):
    return sorted(
        (int(uri.rsplit("#W", 1)[1].split("s", 1)[0]), d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"])
        for uri, diagnostics in published.items()
        for d in diagnostics
    )


def test_server_offers_notebook_sync_for_python_cells(client):
    sync = client.capabilities["notebookDocumentSync"]
    assert sync["notebookSelector"] == [{"cells": [{"language": "python"}]}]


def test_open_publishes_each_finding_on_its_cell(client):
    cells = notebook_cells()
    published = open_notebook(client, cells)
    expected = sorted(
        (p.cell_index, f.code, p.line - 1, p.col)
        for nb in [from_cells(cells)]
        for f in check_source(nb.source)
        for p in [nb.position(f.line, f.col)]
    )
    assert by_cell(published) == expected == [(4, "LP100", 8, 13), (5, "LP100", 2, 13)]
    assert all(d["source"] == "flake8-learning-phase" for ds in published.values() for d in ds)


def test_quick_fix_edits_the_step_cell_and_the_call_cell(client):
    cells = notebook_cells()
    published = open_notebook(client, cells)
    (diagnostic,) = published[cell_uri(4)]
    line = diagnostic["range"]["start"]["line"]
    reply = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": cell_uri(4)},
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "context": {"diagnostics": [diagnostic]},
        },
    )
    actions = {a["title"]: a for a in reply["result"]}
    changes = actions[ADD_PHASE]["edit"]["changes"]
    assert sorted(changes) == [cell_uri(4), cell_uri(8)]  # the step's cell, and the cell that calls it
    edited = [(kind, apply_edits(text, changes.get(cell_uri(i), []))) for i, (kind, text) in enumerate(cells)]
    assert "netD_real_input, noisev, K.learning_phase()" in edited[4][1]
    assert "netD_train([real_data, noise, True])" in edited[8][1]
    nb = from_cells(edited)
    remaining = [(nb.position(f.line, f.col).cell_index, f.code) for f in check_source(nb.source)]
    assert remaining == [(5, "LP100")]
    fix_all = actions["Fix all LP findings in this notebook"]
    assert fix_all["kind"] == "source.fixAll"
    everything = [(k, apply_edits(t, fix_all["edit"]["changes"].get(cell_uri(i), []))) for i, (k, t) in enumerate(cells)]
    assert check_source(from_cells(everything).source) == []


def test_change_of_a_cell_republishes_the_notebook(client):
    cells = notebook_cells()
    open_notebook(client, cells)
    fixed = cells[5][1].replace("K.function([noisev]", "K.function([noisev, K.learning_phase()]")
    client.notify(
        "notebookDocument/didChange",
        {
            "notebookDocument": {"uri": NB_URI, "version": 2},
            "change": {
                "cells": {"textContent": [{"document": {"uri": cell_uri(5), "version": 2}, "changes": [{"text": fixed}]}]}
            },
        },
    )
    published = collect(client, [cell_uri(i) for i, (kind, _) in enumerate(cells) if kind == "code"])
    # The step (cell index 5) now has the phase, but its call (cell index 8) does not feed it: LP101 there.
    assert by_cell(published) == [(4, "LP100", 8, 13), (8, "LP101", 11, 16)]


def test_unparsable_cell_gets_a_note_and_the_others_their_findings(client):
    cells = notebook_cells(FIXTURES / "notebooks" / "unparsable_cell.ipynb")
    published = open_notebook(client, cells)
    notes = [(uri, d) for uri, ds in published.items() for d in ds if "code" not in d]
    assert [uri for uri, _ in notes] == [cell_uri(1)]
    assert notes[0][1]["severity"] == 3 and "does not parse" in notes[0][1]["message"]
    assert sorted(code for _, code, _, _ in by_cell({u: [d for d in ds if "code" in d] for u, ds in published.items()})) == [
        "LP100",
        "LP200",
    ]


def test_noqa_in_a_cell_is_neither_published_nor_fixed(client):
    """Issue 22: what flake8 (through nbQA) would not print, lp-lsp neither publishes nor fixes."""
    cells = notebook_cells()
    kind, text = cells[4]
    cells[4] = (kind, text.replace("training_updates)", "training_updates)  # noqa: LP100", 1))
    assert cells[4][1] != text
    published = open_notebook(client, cells)
    assert [(cell, code) for cell, code, _, _ in by_cell(published)] == [(5, "LP100")]
    reply = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": cell_uri(4)},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 40, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        },
    )
    (fix_all,) = reply["result"]
    changes = fix_all["edit"]["changes"]
    assert cell_uri(5) in changes and cell_uri(4) not in changes  # netG's step only; netD's is left
    edited = [(k, apply_edits(t, changes.get(cell_uri(i), []))) for i, (k, t) in enumerate(cells)]
    assert "netD_train([real_data, noise, True])" not in edited[8][1]

"""The editor server, started as a real process and spoken to in LSP over stdio."""
import os
import pathlib
import shutil
import sys

import pytest

from flake8_learning_phase import check_source
from lsp_client import LspClient, apply_edits

pytest.importorskip("pygls", reason="lp-lsp needs the [lsp] extra")

EXAMPLE = pathlib.Path(__file__).parent.parent / "examples" / "train_loop.py"
URI = EXAMPLE.resolve().as_uri()
FIXTURES_LP300 = pathlib.Path(__file__).parent / "fixtures" / "lp300"


@pytest.fixture
def client():
    command = os.path.join(os.path.dirname(sys.executable), "lp-lsp")
    client = LspClient([command])
    client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    yield client
    client.close()


def open_document(client, text, version=1):
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": URI, "languageId": "python", "version": version, "text": text}},
    )
    return client.diagnostics(URI)


def test_open_publishes_lp100_and_lp200_on_the_function_line(client):
    text = EXAMPLE.read_text()
    diagnostics = open_document(client, text)
    line = next(i for i, l in enumerate(text.splitlines()) if "K.function(" in l)
    assert sorted((d["code"], d["range"]["start"]["line"]) for d in diagnostics) == [("LP100", line), ("LP200", line)]
    assert all(d["source"] == "flake8-learning-phase" for d in diagnostics)


def test_python_m_runs_the_server(tmp_path):
    # What the VS Code extension and an editor without the scripts folder on its PATH start;
    # run outside the clone, so that the installed package answers.
    client = LspClient([sys.executable, "-m", "flake8_learning_phase.frontends.lsp"], cwd=str(tmp_path))
    try:
        client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        assert sorted(d["code"] for d in open_document(client, EXAMPLE.read_text())) == ["LP100", "LP200"]
    finally:
        client.close()


def test_change_republishes(client):
    text = EXAMPLE.read_text()
    open_document(client, text)
    fixed = text.replace("[x, y], [loss], updates=updates)", "[x, y], [loss], updates=updates + model.updates)")
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]},
    )
    assert [d["code"] for d in client.diagnostics(URI)] == ["LP100"]


def code_actions(client, diagnostics):
    line = diagnostics[0]["range"]["start"]["line"]
    reply = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": URI},
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "context": {"diagnostics": diagnostics},
        },
    )
    return {action["title"]: action for action in reply["result"]}


def test_quick_fix_adds_the_learning_phase_and_feeds_true(client):
    text = EXAMPLE.read_text()
    actions = code_actions(client, open_document(client, text))
    edited = apply_edits(text, actions["Add the learning phase to this training step"]["edit"]["changes"][URI])
    assert "K.function([x, y, K.learning_phase()]" in edited and "train_step([xb, yb, True])" in edited
    assert [f.code for f in check_source(edited)] == ["LP200"]


def test_fix_all_gives_code_that_lints_clean(client):
    text = EXAMPLE.read_text()
    actions = code_actions(client, open_document(client, text))
    action = actions["Fix all LP findings in this file"]
    assert action["kind"] == "source.fixAll"
    assert check_source(apply_edits(text, action["edit"]["changes"][URI])) == []


def test_syntax_error_publishes_no_diagnostics(client):
    assert open_document(client, "def broken(:\n    get_updates\n") == []


def test_fix_all_after_a_form_feed_line_keeps_every_line(client):
    # A form feed is not a line break for Python or LSP; splitting at it used to
    # duplicate the K.function line and delete the next one.
    text = EXAMPLE.read_text().replace("\nimport numpy as np\n", "\n\x0c\nimport numpy as np\n", 1)
    assert "\x0c" in text
    actions = code_actions(client, open_document(client, text))
    edited = apply_edits(text, actions["Fix all LP findings in this file"]["edit"]["changes"][URI])
    assert edited.count("K.function(") == 1 and edited.count("\x0c") == 1
    assert check_source(edited) == []
    assert len(edited.splitlines()) == len(text.splitlines())


def test_silenced_findings_are_neither_published_nor_fixed(tmp_path):
    """Issue 22: ``# noqa`` and per-file-ignores, read as flake8 reads them, from the server's folder."""
    (tmp_path / "setup.cfg").write_text("[flake8]\nper-file-ignores = quiet.py:LP200\n")
    text = EXAMPLE.read_text()
    line = next(each for each in text.splitlines() if "K.function(" in each)
    noqa = text.replace(line, line + "  # noqa: LP100")
    command = os.path.join(os.path.dirname(sys.executable), "lp-lsp")
    client = LspClient([command], cwd=str(tmp_path))
    try:
        client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        results = {}
        silent = noqa.replace("LP100", "LP100,LP200")
        for name, source in (("loud.py", noqa), ("quiet.py", text), ("silent.py", silent)):
            uri = (tmp_path / name).as_uri()
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": source}},
            )
            codes = [d["code"] for d in client.diagnostics(uri)]
            reply = client.request(
                "textDocument/codeAction",
                {
                    "textDocument": {"uri": uri},
                    "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}},
                    "context": {"diagnostics": [], "only": ["source.fixAll"]},
                },
            )
            fixed = [apply_edits(source, a["edit"]["changes"][uri]) for a in reply["result"]]
            results[name] = codes, fixed
    finally:
        client.close()
    assert results["loud.py"][0] == ["LP200"]
    (loud_fixed,) = results["loud.py"][1]
    assert "model.updates" in loud_fixed and "learning_phase" not in loud_fixed
    assert results["quiet.py"][0] == ["LP100"]
    (quiet_fixed,) = results["quiet.py"][1]
    assert "learning_phase()" in quiet_fixed and "model.updates" not in quiet_fixed
    assert results["silent.py"] == ([], [])


def _publications(client, uri, seconds):
    """Every publishDiagnostics for ``uri`` within ``seconds``."""
    import queue
    import time

    found, end = [], time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return found
        try:
            message = client.messages.get(timeout=left)
        except queue.Empty:
            return found
        if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
            found.append(message["params"])


def test_a_burst_of_changes_is_analysed_at_most_three_times_at_its_last_version(client):
    """Issue 18: lp-lsp analyses a document's latest version only (10 quick edits: at most 3 analyses)."""
    text = EXAMPLE.read_text()
    open_document(client, text)
    fixed = text.replace("[x, y], [loss], updates=updates)", "[x, y], [loss], updates=updates + model.updates)")
    for version in range(2, 12):
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": URI, "version": version},
                "contentChanges": [{"text": fixed if version == 11 else text + "#" * version}],
            },
        )
    published = _publications(client, URI, 2.0)
    assert 1 <= len(published) <= 3, [p.get("version") for p in published]
    assert published[-1]["version"] == 11
    assert [d["code"] for d in published[-1]["diagnostics"]] == ["LP100"]


def test_code_actions_reuse_the_published_analysis(tmp_path):
    """Issue 18: findings carry their edits, so a code action runs no second analysis.  The
    project changes on disk after the analysis: a second analysis would find nothing to fix."""
    project = FIXTURES_LP300 / "cross_module_train_step"
    for name in ("backbone.py", "trainer.py"):
        shutil.copy(str(project / name), str(tmp_path / name))
    trainer = tmp_path / "trainer.py"
    uri = trainer.as_uri()
    command = os.path.join(os.path.dirname(sys.executable), "lp-lsp")
    client = LspClient([command], cwd=str(tmp_path))
    try:
        client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        text = trainer.read_text()
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
        )
        assert [d["code"] for d in client.diagnostics(uri)] == ["LP300"]
        backbone = (tmp_path / "backbone.py").read_text()
        (tmp_path / "backbone.py").write_text(backbone.replace("tf.keras.layers.BatchNormalization(), ", ""))
        reply = client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 40, "character": 0}},
                "context": {"diagnostics": [], "only": ["source.fixAll"]},
            },
        )
        (action,) = reply["result"]
        assert "self.encoder(x, training=True)" in apply_edits(text, action["edit"]["changes"][uri])
        # A new version is analysed again, and sees the project as it is now.
        client.notify(
            "textDocument/didSave", {"textDocument": {"uri": uri}},
        )
        assert client.diagnostics(uri) == []
    finally:
        client.close()

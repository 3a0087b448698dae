"""VS Code (issue 22, item 3): the Flake8 extension's route and the lp-lsp extension in
editors/vscode, as far as they run without VS Code.

- The Flake8 extension (``"flake8.importStrategy": "fromEnvironment"``) runs the environment's
  flake8 with its own ``--format``; the LP records must come out in that format.
- The extension's server command (editors/vscode/server.js, run by Node.js) starts a real
  lp-lsp from a Python command, which publishes the example's diagnostics.
- The .vsix is built as the docs say (``npm ci``, then vsce) and its manifest checked; that
  needs the npm registry and about 20 seconds, so it runs where ``LP_VSCODE=1`` (tox py311).

Not tested here: the extension running inside VS Code (activation, the Python extension's
interpreter API, quick fixes and fix on save through the editor).
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from lsp_client import LspClient

ROOT = pathlib.Path(__file__).parent.parent
EXTENSION = ROOT / "editors" / "vscode"
EXAMPLE = ROOT / "examples" / "train_loop.py"
NODE = shutil.which("node")
NPM = shutil.which("npm")

# The record format the Flake8 extension passes to flake8 (quotes included), and the shape it parses.
FLAKE8_EXTENSION_FORMAT = "--format='%(row)d,%(col)d,%(code).1s,%(code)s:%(text)s'"
RECORD = re.compile(r"^'(\d+),(-?\d+),(\w+),(\w+\d+):([^\r\n]*)'$")


def test_flake8_extension_reads_the_lp_records():
    done = subprocess.run(
        [sys.executable, "-m", "flake8", FLAKE8_EXTENSION_FORMAT, "--select=LP", str(EXAMPLE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
    )
    records = [RECORD.match(line).groups() for line in done.stdout.splitlines()]
    assert [r[:4] for r in records] == [("26", "18", "L", "LP100"), ("26", "18", "L", "LP200")], done.stdout


def _node(expression):
    done = subprocess.run(
        [NODE, "-e", "const s = require(process.argv[1]); console.log(JSON.stringify(" + expression + "))", str(EXTENSION / "server.js")],
        stdout=subprocess.PIPE,
        universal_newlines=True,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_the_extensions_server_command_starts_lp_lsp():
    pytest.importorskip("pygls", reason="lp-lsp needs the [lsp] extra")
    server = _node("s.serverCommand({}, [])".format(json.dumps([sys.executable])))
    assert server["command"] == sys.executable
    client = LspClient([server["command"]] + server["args"])
    try:
        client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        uri = EXAMPLE.resolve().as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": EXAMPLE.read_text()}},
        )
        assert sorted(d["code"] for d in client.diagnostics(uri)) == ["LP100", "LP200"]
    finally:
        client.close()


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_the_extensions_install_check(tmp_path):
    # -S: no site-packages, so no lp-lsp; run outside the clone, whose package -c would import
    for python, installed in (([sys.executable], True), ([sys.executable, "-S"], False)):
        check = _node("s.checkCommand({})".format(json.dumps(python)))
        done = subprocess.run(
            [check["command"]] + check["args"], cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert (done.returncode == 0) == installed, (python, done.stderr)


@pytest.mark.skipif(os.environ.get("LP_VSCODE") != "1", reason="npm ci and vsce: set LP_VSCODE=1 (tox py311)")
def test_vsix_packages_with_its_manifest(tmp_path):
    assert NPM is not None and NODE is not None, "LP_VSCODE=1 needs Node.js and npm"
    work = tmp_path / "vscode"
    shutil.copytree(str(EXTENSION), str(work), ignore=shutil.ignore_patterns("node_modules", "*.vsix"))
    for command in (
        [NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        [NPM, "run", "package"],
    ):
        done = subprocess.run(command, cwd=str(work), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:]
    with zipfile.ZipFile(str(work / "lp-lsp.vsix")) as vsix:
        names = set(vsix.namelist())
        manifest = json.loads(vsix.read("extension/package.json").decode("utf-8"))
        vsixmanifest = vsix.read("extension.vsixmanifest").decode("utf-8")
    for name in ("extension/extension.js", "extension/server.js", "extension/readme.md", "extension/LICENSE.txt",
                 "extension/node_modules/vscode-languageclient/node.js"):
        assert name in names
    assert not [n for n in names if "/node_modules/@vscode/vsce" in n], "a dev dependency was packaged"
    assert manifest["main"] == "./extension.js"
    assert manifest["extensionDependencies"] == ["ms-python.python"]
    assert "onLanguage:python" in manifest["activationEvents"]
    assert 'Id="lp-lsp"' in vsixmanifest and 'Publisher="flake8-learning-phase"' in vsixmanifest
    assert 'Version="{}"'.format(manifest["version"]) in vsixmanifest
    # the extension and the Python package share a version
    init = (ROOT / "flake8_learning_phase" / "__init__.py").read_text()
    assert '__version__ = "{}"'.format(manifest["version"]) in init


# The Flake8 extension's settings this page uses, with the values its package.json declares.
FLAKE8_SETTINGS = {
    "flake8.importStrategy": {"useBundled", "fromEnvironment"},
    "flake8.severity": {"Error", "Warning", "Information", "Hint"},
    "flake8.args": None,
}


def test_documented_settings_are_json_the_extensions_declare():
    page = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    section = page.split("### VS Code\n", 1)[1].split("\n### ", 1)[0]
    blocks = [json.loads(body) for body in re.findall(r"^```json\n(.*?)^```$", section, flags=re.S | re.M)]
    flake8 = next(block for block in blocks if "flake8.importStrategy" in block)
    assert flake8["flake8.importStrategy"] == "fromEnvironment"
    for key, value in flake8.items():
        assert key in FLAKE8_SETTINGS, key
    assert set(flake8["flake8.severity"].values()) <= FLAKE8_SETTINGS["flake8.severity"]
    on_save = next(block for block in blocks if "[python]" in block)
    assert on_save["[python]"]["editor.codeActionsOnSave"] == {"source.fixAll": "explicit"}
    # the extension's own settings, as its package.json declares them
    declared = json.loads((EXTENSION / "package.json").read_text())["contributes"]["configuration"]["properties"]
    for name in re.findall(r"`(lpLsp\.\w+)`", section):
        assert name in declared, name

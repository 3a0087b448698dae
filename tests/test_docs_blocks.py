"""Every console and YAML block in README.md and docs/ runs as written, on a fresh clone.

A block a user cannot run headless (a synopsis, an editor's config, a form
that needs a release) carries ``<!-- not run: <reason> -->`` on the line
above it; every other block runs here:

- console blocks, line by line, in a copy of the working tree (what a fresh
  clone holds, with any uncommitted edit), with one virtualenv made for the
  session first on PATH, so ``python -m pip install .`` installs into it;
- YAML blocks with ``repos:``, as the ``.pre-commit-config.yaml`` of a new
  git repository holding the shipped example, through real pre-commit: the
  first run fixes the example and fails, the second passes (flake8 included).

Installing takes about a minute and a half, so the runs happen where
``LP_DOCS_BLOCKS=1`` (tox's py311 env); the check that every block is run or
says why not runs everywhere.
"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import venv

import pytest

from conftest import copy_checkout

ROOT = pathlib.Path(__file__).parent.parent
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
FENCE = re.compile(
    r"^(?:<!--\s*not run:(?P<reason>[^>]*)-->\n)?```(?P<lang>console|yaml|shell|bash|sh)\n(?P<body>.*?)^```$",
    re.S | re.M,
)


class Block:
    def __init__(self, page, line, lang, body, reason):
        self.page, self.line, self.lang, self.body = page, line, lang, body
        self.reason = None if reason is None else reason.strip()

    @property
    def name(self):
        return "{}:{}".format(self.page.relative_to(ROOT).as_posix(), self.line)


def blocks():
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start("lang")) + 1
            found.append(Block(page, line, match.group("lang"), match.group("body"), match.group("reason")))
    return found


ALL = blocks()
RUN = [b for b in ALL if b.reason is None]


def test_every_block_runs_or_says_why_not():
    assert RUN, "no block to run?"
    for block in ALL:
        assert block.lang in ("console", "yaml"), "{}: use console or yaml".format(block.name)
        assert block.reason is None or len(block.reason) > 5, "{}: say why it is not run".format(block.name)
        if block.lang == "yaml" and block.reason is None:
            assert "repos:" in block.body, "{}: a YAML block this test cannot run".format(block.name)


# -- the runs ------------------------------------------------------------------------------

needs_runs = pytest.mark.skipif(
    os.environ.get("LP_DOCS_BLOCKS") != "1", reason="installs into a new virtualenv: set LP_DOCS_BLOCKS=1 (tox py311)"
)


def _sh(command, cwd, env, timeout=600):
    """Run ``command`` in a shell; on timeout, end it and everything it started."""
    process = subprocess.Popen(
        command,
        shell=True,
        cwd=str(cwd),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, out)


@pytest.fixture(scope="session")
def clone(tmp_path_factory):
    """The working tree as a fresh clone holds it: tracked and new files, no build or tox leftovers."""
    return copy_checkout(tmp_path_factory.mktemp("clone") / "flake8-learning-phase")


class Session:
    """One virtualenv for every block, first on PATH; install lines already run are not repeated."""

    def __init__(self, folder, clone):
        self.clone = clone
        self.home = folder
        venv.EnvBuilder(with_pip=True).create(str(folder / "venv"))
        bin_dir = folder / "venv" / ("Scripts" if os.name == "nt" else "bin")
        self.env = dict(os.environ, VIRTUAL_ENV=str(folder / "venv"), PIP_DISABLE_PIP_VERSION_CHECK="1")
        self.env["PATH"] = str(bin_dir) + os.pathsep + os.environ.get("PATH", "")
        for variable in ("PYTHONPATH", "PYTHONHOME", "PIP_USER"):
            self.env.pop(variable, None)
        self.installed = set()

    def run(self, command, cwd=None):
        done = _sh(command, cwd or self.clone, self.env)
        if done.returncode == 0 and command.startswith("python -m pip install ") and "&&" not in command:
            self.installed.add(command)
        return done


@pytest.fixture(scope="session")
def session(tmp_path_factory, clone):
    session = Session(tmp_path_factory.mktemp("docs-venv"), clone)
    # The install line of docs/index.md and docs/integrations.md, run once for all blocks.
    done = session.run("python -m pip install '.[lsp]'")
    assert done.returncode == 0, done.stdout[-3000:]
    return session


def _commands(body):
    lines = [line.strip() for line in body.splitlines()]
    return [line[2:] if line.startswith("$ ") else line for line in lines if line and not line.startswith("#")]


CONSOLE = [b for b in RUN if b.lang == "console"]
PRE_COMMIT = [b for b in RUN if b.lang == "yaml"]


@needs_runs
@pytest.mark.parametrize("block", CONSOLE, ids=[b.name for b in CONSOLE])
def test_console_block_runs_as_written(session, block):
    for command in _commands(block.body):
        if command in session.installed:
            continue
        done = session.run(command)
        where = "{}: {!r} exited {}:\n{}".format(block.name, command, done.returncode, done.stdout[-3000:])
        assert "Traceback" not in done.stdout, where
        # 1 is the documented "found something" of flake8 and lp-fix; anything else is a failure.
        assert done.returncode in (0, 1), where
        if "pip install" in command:
            assert "Successfully installed" in done.stdout, where
        if "flake8 --select=LP examples" in command:
            for code in ("LP300", "LP100", "LP200"):
                assert code in done.stdout, where
            assert done.returncode == 1, where
        if command.startswith("lp-fix --diff examples/train_loop.py"):
            assert "+    train_step = K.function(" in done.stdout and done.returncode == 1, where
        if command.startswith("lp-fix --diff examples/train_step_tf2.py"):
            assert "+        pred = model(x, training=True)" in done.stdout and done.returncode == 1, where


@needs_runs
@pytest.mark.parametrize("block", PRE_COMMIT, ids=[b.name for b in PRE_COMMIT])
def test_pre_commit_config_block_fixes_then_passes(session, block, tmp_path):
    pytest.importorskip("pre_commit", reason="pre-commit is a test dependency (tox installs it)")
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(str(session.clone / "examples" / "train_loop.py"), str(project / "train_loop.py"))
    (project / ".pre-commit-config.yaml").write_text(block.body)
    env = dict(session.env, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    for command in ("git init -q", "git config user.email t@example.com", "git config user.name t", "git add -A"):
        assert _sh(command, project, env).returncode == 0
    pre_commit = "{} -m pre_commit run --all-files".format(sys.executable)
    first = _sh(pre_commit, project, env)
    assert first.returncode == 1 and "files were modified by this hook" in first.stdout, first.stdout
    assert "K.learning_phase()" in (project / "train_loop.py").read_text()
    assert _sh("git add -A", project, env).returncode == 0
    second = _sh(pre_commit, project, env)
    assert second.returncode == 0, "{}: the second run fails:\n{}".format(block.name, second.stdout)

"""The lp-fix pre-commit hook, for real: pre-commit try-repo on a fresh git repository."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES

ROOT = pathlib.Path(__file__).parent.parent
pytest.importorskip("pre_commit", reason="pre-commit is a test dependency (tox installs it)")

if not (ROOT / ".git").exists():
    pytest.skip("try-repo needs this project as a git checkout", allow_module_level=True)


def git(folder, *args):
    subprocess.run(["git"] + list(args), cwd=str(folder), check=True, stdout=subprocess.PIPE)


def try_repo(folder, env):
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "lp-fix", "--all-files"]
    return subprocess.run(command, cwd=str(folder), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.fixture
def repository(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    git(folder, "init", "-q")
    git(folder, "config", "user.email", "test@example.com")
    git(folder, "config", "user.name", "test")
    return folder


@pytest.fixture
def env(tmp_path):
    return dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))


def test_hook_fixes_then_passes(repository, env):
    shutil.copy(str(FIXTURES / "steps" / "updates_through_name.py"), str(repository / "train.py"))
    # The fixture's lines (with their "# expect" comments) pass 79: lp-fix would wrap them.
    (repository / ".flake8").write_text("[flake8]\nmax-line-length = 120\n")
    git(repository, "add", "train.py", ".flake8")
    first = try_repo(repository, env)
    assert first.returncode == 1, first.stdout.decode()
    fixed = (FIXTURES / "steps" / "updates_through_name.fixed.py").read_text()
    assert (repository / "train.py").read_text() == fixed
    git(repository, "add", "train.py")
    second = try_repo(repository, env)
    assert second.returncode == 0, second.stdout.decode()


def test_hook_passes_without_python_files(repository, env):
    (repository / "README.txt").write_text("no Python here\n")
    git(repository, "add", "README.txt")
    done = try_repo(repository, env)
    assert done.returncode == 0, done.stdout.decode()

"""The lp-fix pre-commit hook, for real: pre-commit try-repo on a fresh git repository."""
import os
import re
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


def readme_local_hooks() -> str:
    """The README's own pre-commit configuration (the first YAML block with local hooks)."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    return next(block for block in blocks if "repo: local" in block and "lp-fix" in block)


def test_readme_hooks_leave_silenced_findings_unchanged(repository, env):
    """Issue 22: a ``# noqa: LP100,LP200`` line and a per-file-ignores entry pass both README hooks as they are."""
    step = (FIXTURES / "steps" / "updates_through_name.py").read_text()
    marker = re.search(r"  # expect: LP100\S* LP200\S*", step).group(0)
    silenced = step.replace(marker, "  # noqa: LP100,LP200")
    assert silenced != step
    (repository / "train.py").write_text(silenced)
    (repository / "other.py").write_text(step.replace(marker, ""))
    (repository / ".flake8").write_text("[flake8]\nmax-line-length = 120\nper-file-ignores = other.py:LP100,LP200\n")
    (repository / ".pre-commit-config.yaml").write_text(readme_local_hooks())
    git(repository, "add", ".")
    before = {name: (repository / name).read_bytes() for name in ("train.py", "other.py")}
    # language: system hooks run the commands installed beside this Python.
    env = dict(env, PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=str(repository),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert done.returncode == 0, done.stdout.decode()
    assert {name: (repository / name).read_bytes() for name in before} == before
    # Without the per-file-ignores entry the lp-fix hook fixes other.py: the hooks really ran on these files.
    (repository / ".flake8").write_text("[flake8]\nmax-line-length = 120\n")
    git(repository, "add", ".")
    again = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=str(repository),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = again.stdout.decode()
    assert again.returncode == 1 and "fixed other.py" in output and "train.py" not in output, output

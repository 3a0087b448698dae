"""The release candidate: metadata that builds without warnings, and the built sdist and wheel
as a user meets them (issue 22, item 9).

Building and installing take about two minutes (an isolated build, then a fresh virtual
environment on Python 3.7 from the sdist and one on 3.13 from the wheel), so those runs happen
where ``LP_PACKAGING=1`` (tox's py313 env); the metadata check runs everywhere.
"""
import configparser
import email
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

import flake8_learning_phase
from conftest import copy_checkout

ROOT = pathlib.Path(__file__).parent.parent
SDIST = "flake8_learning_phase-{}.tar.gz".format(flake8_learning_phase.__version__)
WHEEL = "flake8_learning_phase-{}-py3-none-any.whl".format(flake8_learning_phase.__version__)

# An LSTM with a dropout constant: the model resolver reads the constant (``ast.Constant.n``
# warned on 3.12 and 3.13 and is gone in 3.14).
LSTM_STEP = """\
from keras import backend as K
from keras.layers import LSTM, Dense, Input
from keras.models import Model
from keras.optimizers import Adam

x = Input((5, 3))
y = K.placeholder((None, 1))
model = Model(x, Dense(1)(LSTM(4, dropout=0.2)(x)))
loss = K.mean(K.square(model.output - y))
updates = Adam().get_updates(loss, model.trainable_weights)
train = K.function([x, y], [loss], updates)
"""


def test_no_license_classifier():
    # setuptools 77+ warns "License classifiers are deprecated" on every build;
    # `license = MIT` (an SPDX identifier) says it, and installs on Python 3.7's setuptools too.
    config = configparser.ConfigParser()
    config.read(str(ROOT / "setup.cfg"))
    classifiers = config.get("metadata", "classifiers").splitlines()
    assert not [c for c in classifiers if c.strip().startswith("License ::")]
    assert config.get("metadata", "license") == "MIT"


# -- the built artifacts ----------------------------------------------------------------------

needs_builds = pytest.mark.skipif(
    os.environ.get("LP_PACKAGING") != "1", reason="builds and installs into new virtualenvs: set LP_PACKAGING=1 (tox py313)"
)


def _run(command, cwd, env=None, timeout=900):
    return subprocess.run(
        [str(c) for c in command],
        cwd=str(cwd),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """sdist and wheel built by ``python -m build`` from what a fresh clone holds."""
    clone = copy_checkout(tmp_path_factory.mktemp("clone") / "flake8-learning-phase")
    out = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "build", "--outdir", out, clone], clone)
    assert done.returncode == 0, done.stdout[-3000:]
    assert sorted(p.name for p in out.iterdir()) == sorted([SDIST, WHEEL]), done.stdout[-3000:]
    return out


@needs_builds
def test_twine_check_accepts_sdist_and_wheel(dist):
    done = _run([sys.executable, "-m", "twine", "check", "--strict", dist / SDIST, dist / WHEEL], dist)
    assert done.returncode == 0, done.stdout
    assert done.stdout.count("PASSED") == 2, done.stdout


@needs_builds
def test_sdist_ships_the_quick_start_example_and_the_changelog(dist):
    with tarfile.open(str(dist / SDIST)) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for name in ("README.md", "CHANGELOG.md", "LICENSE", "examples/train_loop.py", "setup.cfg"):
        assert name in names


@needs_builds
def test_wheel_metadata(dist):
    with zipfile.ZipFile(str(dist / WHEEL)) as wheel:
        prefix = "flake8_learning_phase-{}.dist-info/".format(flake8_learning_phase.__version__)
        metadata = email.message_from_string(wheel.read(prefix + "METADATA").decode("utf-8"))
        entry_points = wheel.read(prefix + "entry_points.txt").decode("utf-8")
    assert metadata["Name"] == "flake8-learning-phase"
    assert metadata["Requires-Python"] == ">=3.7"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "Changelog, https://github.com/" in metadata.get_all("Project-URL")[1]
    # the description is the README, whose first section is about TF2 / Keras 3 loops
    assert metadata.get_payload().startswith("# flake8-learning-phase")
    # PyPI shows it away from the repository: every link absolute (setup.py rewrites the README's)
    assert re.findall(r"\]\((?![a-z][a-z0-9+.-]*:)[^)\s]+", metadata.get_payload()) == []
    for line in ("LP = flake8_learning_phase.frontends.plugin:LearningPhaseChecker", "lp-fix = ", "lp-lsp = "):
        assert line in entry_points


def _interpreter(version):
    """``python3.7`` / ``python3.13`` on PATH (pyenv shims find them when PYENV_VERSION lists them)."""
    found = shutil.which("python" + version)
    if found is None:
        pytest.fail("python{} is not on PATH: with pyenv, PYENV_VERSION must list it".format(version))
    return found


@needs_builds
@pytest.mark.parametrize("version, artifact", [("3.7", SDIST), ("3.13", WHEEL)])
def test_fresh_venv_installs_and_runs_the_quick_start(dist, tmp_path, version, artifact):
    venv_dir = tmp_path / "venv"
    done = _run([_interpreter(version), "-m", "venv", venv_dir], tmp_path)
    assert done.returncode == 0, done.stdout
    bin_dir = venv_dir / "bin"
    env = dict(os.environ, VIRTUAL_ENV=str(venv_dir), PIP_DISABLE_PIP_VERSION_CHECK="1")
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    for variable in ("PYTHONPATH", "PYTHONHOME", "PIP_USER", "PYENV_VERSION"):
        env.pop(variable, None)
    done = _run([bin_dir / "python", "-m", "pip", "install", dist / artifact], tmp_path, env)
    assert done.returncode == 0 and "Successfully installed" in done.stdout, done.stdout[-3000:]
    done = _run([bin_dir / "python", "-c", "import sys, flake8_learning_phase as p; print(sys.version_info[:2], p.__file__)"], tmp_path, env)
    assert done.stdout.startswith("({}, {})".format(*version.split("."))) and str(venv_dir) in done.stdout, done.stdout

    # The quick start on the example the sdist ships, and a deprecated-API check on the way.
    with tarfile.open(str(dist / SDIST)) as sdist:
        member = sdist.getmember(SDIST[: -len(".tar.gz")] + "/examples/train_loop.py")
        (tmp_path / "train_loop.py").write_bytes(sdist.extractfile(member).read())
    (tmp_path / "lstm_step.py").write_text(LSTM_STEP)
    env["PYTHONWARNINGS"] = "error::DeprecationWarning"
    done = _run(["flake8", "--select=LP", "train_loop.py", "lstm_step.py"], tmp_path, env)
    assert done.returncode == 1, done.stdout
    found = sorted(line.split(" ")[:2] for line in done.stdout.splitlines())
    assert found == [
        ["lstm_step.py:11:9:", "LP100"],
        ["train_loop.py:26:18:", "LP100"],
        ["train_loop.py:26:18:", "LP200"],
    ], done.stdout
    for script in ("lp-fix", "lp-lsp"):
        assert (bin_dir / script).is_file(), script
    done = _run(["lp-fix", "--help"], tmp_path, env)
    assert done.returncode == 0 and "lp-fix" in done.stdout, done.stdout

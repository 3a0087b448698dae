"""The plugin through real flake8, as a subprocess: registration, options, noqa."""
import re
import subprocess
import sys

from conftest import FIXTURES


def flake8(*args, cwd=None):
    command = [sys.executable, "-m", "flake8", "--select=LP"] + list(args)
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, universal_newlines=True)
    return done.returncode, done.stdout, done.stderr


def test_reports_lp100_and_lp200_on_the_call_line():
    path = FIXTURES / "steps" / "updates_through_name.py"
    code, out, err = flake8(str(path))
    assert code == 1, err
    lines = out.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["{}:7:13".format(path)] * 2
    assert [line.split(": ")[1].split()[0] for line in lines] == ["LP100", "LP200"]


def test_silent_fixtures_are_clean():
    code, out, err = flake8(str(FIXTURES / "silent"))
    assert (code, out) == (0, ""), err


def test_noqa_silences_one_code(tmp_path):
    source = (FIXTURES / "steps" / "updates_through_name.py").read_text()
    source = re.sub(r"# expect: LP100:\d+ LP200:\d+", "# noqa: LP100", source)
    assert "# noqa: LP100" in source
    path = tmp_path / "train.py"
    path.write_text(source)
    code, out, _ = flake8(str(path))
    assert [line.split(": ")[1].split()[0] for line in out.splitlines()] == ["LP200"]


def test_option_from_config_file(tmp_path):
    path = tmp_path / "train.py"
    path.write_text((FIXTURES / "steps" / "tensorflow_python_keras.py").read_text())
    (tmp_path / "setup.cfg").write_text("[flake8]\nlp-learning-phase = symbolic_learning_phase\n")
    code, out, err = flake8("train.py", cwd=str(tmp_path))
    assert "KB.symbolic_learning_phase()" in out, err


def test_bad_option_value_is_refused(tmp_path):
    code, out, err = flake8("--lp-learning-phase=phase", str(FIXTURES / "silent"))
    assert code != 0 and "invalid choice" in err


def test_syntax_error_is_flake8s_e999_not_a_plugin_crash(tmp_path):
    path = tmp_path / "old.py"
    path.write_text("print 'get_updates'\n")
    code, out, err = flake8("--select=LP,E999", str(path))
    assert "E999" in out and "LP" not in out
    assert "Traceback" not in err and "plugin" not in err.lower()

"""lp-fix as a user runs it: ``main(argv)`` on temp files, and the installed command."""
import os
import shutil
import stat
import subprocess
import sys

import pytest

from conftest import FIXTURES, read
from flake8_learning_phase.frontends.cli import main

BEFORE = FIXTURES / "steps" / "updates_through_name.py"
AFTER = FIXTURES / "steps" / "updates_through_name.fixed.py"
SILENT = FIXTURES / "silent" / "fixed_step.py"


@pytest.fixture
def step_file(tmp_path):
    path = tmp_path / "train.py"
    shutil.copy(str(BEFORE), str(path))
    return path


def test_fixes_in_place_and_exits_1(step_file, capsys):
    assert main([str(step_file)]) == 1
    assert read(step_file) == read(AFTER)
    err = capsys.readouterr().err
    assert "fixed " + str(step_file) in err
    assert "1 file fixed, 1 call site updated, 0 need a manual edit" in err


def test_second_run_exits_0_and_does_not_rewrite(step_file):
    main([str(step_file)])
    before = os.stat(str(step_file)).st_mtime_ns
    assert main([str(step_file)]) == 0
    assert os.stat(str(step_file)).st_mtime_ns == before


def test_file_without_finding_is_never_rewritten(tmp_path):
    path = tmp_path / "ok.py"
    shutil.copy(str(SILENT), str(path))
    os.utime(str(path), ns=(1, 1))
    assert main([str(path)]) == 0
    assert os.stat(str(path)).st_mtime_ns == 1


def test_diff_prints_and_writes_nothing(step_file, capsys):
    assert main(["--diff", str(step_file)]) == 1
    out = capsys.readouterr().out
    assert "-    train = K.function([x, y], [loss], updates=updates)" in out
    assert "+    train = K.function([x, y, K.learning_phase()], [loss], updates=updates + model.updates)" in out
    assert "+        train([xb, yb, True])" in out
    assert read(step_file) == read(BEFORE)


def test_check_writes_nothing(step_file, capsys):
    assert main(["--check", str(step_file)]) == 1
    assert read(step_file) == read(BEFORE)
    assert "would fix" in capsys.readouterr().err


def test_quiet_prints_nothing(step_file, capsys):
    assert main(["-q", "--check", str(step_file)]) == 1
    assert capsys.readouterr() == ("", "")


def test_verbose_prints_findings(step_file, capsys):
    main(["-v", "--check", str(step_file)])
    assert "{}:7:13: LP100 ".format(step_file) in capsys.readouterr().err


def test_select_and_ignore(step_file):
    assert main(["--select", "LP2", str(step_file)]) == 1
    assert "learning_phase" not in read(step_file)
    assert main(["--ignore", "LP200", str(step_file)]) == 1
    assert read(step_file) == read(AFTER)


def test_unknown_code_is_a_usage_error(step_file):
    assert main(["--select", "E501", str(step_file)]) == 2


def test_no_path_is_a_usage_error():
    assert main([]) == 2


def test_manual_edit_is_reported_and_exits_1(tmp_path, capsys):
    path = tmp_path / "gan.py"
    shutil.copy(str(FIXTURES / "steps" / "gan_applied_inline.py"), str(path))
    assert main([str(path)]) == 1
    err = capsys.readouterr().err
    assert "{}:21: netD is applied to a tensor at line 19".format(path) in err
    assert "1 needs a manual edit" in err
    assert main(["--check", str(path)]) == 1  # the finding stays until a person adds the updates


def test_unparsable_file_exits_123_and_others_are_processed(tmp_path, step_file, capsys):
    broken = tmp_path / "broken.py"
    broken.write_bytes(b"opt.get_updates(\n")
    assert main([str(broken), str(step_file)]) == 123
    assert broken.read_bytes() == b"opt.get_updates(\n"
    assert read(step_file) == read(AFTER)
    assert "{}: cannot parse: ".format(broken) in capsys.readouterr().err


def test_missing_path_exits_123(tmp_path, capsys):
    assert main([str(tmp_path / "nope.py")]) == 123
    assert "nope.py: cannot read: No such file or directory" in capsys.readouterr().err


def test_directory_recursion_skips_hidden_venv_and_excluded(tmp_path):
    for folder in ("pkg", ".hidden", "venv", "pkg/generated"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(str(BEFORE), str(tmp_path / folder / "train.py"))
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "pkg" / "notes.txt").write_text("get_updates")
    assert main([str(tmp_path), "--exclude", "*/generated"]) == 1
    assert read(tmp_path / "pkg" / "train.py") == read(AFTER)
    for untouched in (".hidden", "venv", "pkg/generated"):
        assert read(tmp_path / untouched / "train.py") == read(BEFORE)


def test_permission_bits_are_kept(step_file):
    os.chmod(str(step_file), 0o640)
    main([str(step_file)])
    assert stat.S_IMODE(os.stat(str(step_file)).st_mode) == 0o640
    assert sorted(os.listdir(str(step_file.parent))) == ["train.py"]


def test_crlf_file(tmp_path):
    path = tmp_path / "crlf.py"
    path.write_bytes(BEFORE.read_bytes().replace(b"\n", b"\r\n"))
    assert main([str(path)]) == 1
    assert path.read_bytes() == AFTER.read_bytes().replace(b"\n", b"\r\n")


def test_utf8_bom_is_kept(tmp_path):
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + BEFORE.read_bytes())
    assert main([str(path)]) == 1
    assert path.read_bytes() == b"\xef\xbb\xbf" + AFTER.read_bytes()


def test_latin1_file_with_cookie_stays_latin1(tmp_path):
    path = tmp_path / "latin.py"
    cookie = "# -*- coding: latin-1 -*-\n# Entraînement\n"
    path.write_bytes((cookie + read(BEFORE)).encode("latin-1"))
    assert main([str(path)]) == 1
    assert path.read_bytes() == (cookie + read(AFTER)).encode("latin-1")


def test_bytes_invalid_in_declared_encoding_exit_123(tmp_path, capsys):
    path = tmp_path / "bad.py"
    data = b"# opt.get_updates(\nname = '\xff'\n"
    path.write_bytes(data)
    assert main([str(path)]) == 123
    assert path.read_bytes() == data
    assert "cannot parse" in capsys.readouterr().err


def _run(*args, stdin=None):
    command = [sys.executable, "-m", "flake8_learning_phase"] + list(args)
    return subprocess.run(command, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_stdin_to_stdout():
    done = _run("-", stdin=BEFORE.read_bytes())
    assert done.returncode == 1
    assert done.stdout == AFTER.read_bytes()


def test_stdin_without_finding_is_echoed():
    done = _run("-", stdin=SILENT.read_bytes())
    assert (done.returncode, done.stdout) == (0, SILENT.read_bytes())


def test_installed_console_script(step_file):
    script = shutil.which("lp-fix", path=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    assert script, "lp-fix is not installed next to this Python"
    done = subprocess.run([script, "--diff", str(step_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert done.returncode == 1 and b"K.learning_phase()" in done.stdout


def test_jobs_give_the_same_results_as_one_job(tmp_path, capsys):
    for copy in ("a", "b"):
        folder = tmp_path / copy
        for name in ("inline_updates", "helper_returns_step", "returned_no_callers", "lp101_short_feed"):
            (folder / "pkg").mkdir(parents=True, exist_ok=True)
            shutil.copy(str(FIXTURES / "steps" / (name + ".py")), str(folder / "pkg" / (name + ".py")))
        shutil.copy(str(SILENT), str(folder / "pkg" / "silent.py"))
        (folder / "pkg" / "broken.py").write_bytes(b"opt.get_updates(\n")
    one = main(["-j", "1", str(tmp_path / "a")]), capsys.readouterr().err.replace(str(tmp_path / "a"), "")
    many = main(["-j", "3", str(tmp_path / "b")]), capsys.readouterr().err.replace(str(tmp_path / "b"), "")
    assert one == many
    assert one[0] == 123
    for name in os.listdir(str(tmp_path / "a" / "pkg")):
        assert read(tmp_path / "a" / "pkg" / name) == read(tmp_path / "b" / "pkg" / name)


def test_jobs_must_be_positive_or_0_or_auto(step_file):
    assert main(["-j", "-1", str(step_file)]) == 2
    assert main(["-j", "two", str(step_file)]) == 2
    assert main(["--check", "-j", "0", str(step_file)]) == 1
    assert main(["--check", "-j", "auto", str(step_file)]) == 1


def test_learning_phase_from_flake8_config(tmp_path, monkeypatch):
    (tmp_path / "tox.ini").write_text("[flake8]\nlp-learning-phase = symbolic_learning_phase\n")
    (tmp_path / "pkg").mkdir()
    path = tmp_path / "pkg" / "train.py"
    shutil.copy(str(BEFORE), str(path))
    monkeypatch.chdir(str(tmp_path / "pkg"))
    assert main([str(path)]) == 1
    assert "K.symbolic_learning_phase()" in read(path)


def test_command_line_beats_the_config(tmp_path, monkeypatch, step_file):
    (tmp_path / "setup.cfg").write_text("[flake8]\nlp-learning-phase = symbolic_learning_phase\n")
    monkeypatch.chdir(str(tmp_path))
    assert main(["--learning-phase", "learning_phase", str(step_file)]) == 1
    assert "K.learning_phase()" in read(step_file)


def test_bad_config_value_is_a_usage_error(tmp_path, monkeypatch, step_file):
    (tmp_path / ".flake8").write_text("[flake8]\nlp-learning-phase = phase\n")
    monkeypatch.chdir(str(tmp_path))
    assert main([str(step_file)]) == 2


def test_diff_after_a_form_feed_line_applies_with_git(tmp_path):
    # A form feed is not a line break: a diff split at it is rejected as corrupt.
    source = read(BEFORE)
    source = source.replace("\n\n", "\n\x0c\n", 1)
    path = tmp_path / "train.py"
    path.write_bytes(source.encode("utf-8"))
    subprocess.run(["git", "init", "-q"], cwd=str(tmp_path), check=True)
    done = subprocess.run(
        [sys.executable, "-m", "flake8_learning_phase", "--diff", "--max-line-length", "120", "train.py"],
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert done.returncode == 1, done.stderr.decode()
    (tmp_path / "fix.patch").write_bytes(done.stdout)
    applied = subprocess.run(["git", "apply", "fix.patch"], cwd=str(tmp_path), stderr=subprocess.PIPE)
    assert applied.returncode == 0, applied.stderr.decode()
    assert path.read_bytes().decode("utf-8") == read(AFTER).replace("\n\n", "\n\x0c\n", 1)


def test_verbose_output_with_two_workers_equals_one_worker(tmp_path):
    # Workers return data and only the main process prints, in path order.
    for number in range(4):
        shutil.copy(str(BEFORE), str(tmp_path / "train{}.py".format(number)))
    outputs = []
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "flake8_learning_phase", "-v", "--check", "-j", jobs, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert done.returncode == 1
        outputs.append((done.stdout, done.stderr))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].count(b"LP100") == 4


def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path):
    # ``lp-fix check . | head -1``: more output than a pipe holds, its reader gone after one line
    source = read(FIXTURES / "lp300" / "models_in_comprehensions.py")
    for number in range(300):
        (tmp_path / "train_{}.py".format(number)).write_text(source)
    process = subprocess.Popen([sys.executable, "-m", "flake8_learning_phase", "check", "-j", "1", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert b"LP300" in process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait() == 1
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors

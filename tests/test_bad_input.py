"""Messy real input (issue 7): a clear one-line message and an intact file, never a traceback."""
import errno
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, read
from flake8_learning_phase.frontends import cli, files as _files
from flake8_learning_phase.frontends.cli import main

BEFORE = read(FIXTURES / "steps" / "updates_through_name.py")
AFTER = read(FIXTURES / "steps" / "updates_through_name.fixed.py")

# name -> (bytes, exit status lp-fix gives it alone)
UNPARSABLE = {
    "syntax_error.py": b"def broken(:\n    opt.get_updates(\n",
    "python2.py": b"print opt.get_updates(loss)\nprint x\n",
    "bad_bytes.py": b"# -*- coding: utf-8 -*-\n# opt.get_updates(\nname = '\xff\xfe'\n",
    "deep_nesting.py": b"# opt.get_updates(\nx = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n",
    "null_byte.py": b"# opt.get_updates(\nx = 1\x00\n",
}


def lines_of(path):
    return path.read_bytes()


@pytest.mark.parametrize("name", sorted(UNPARSABLE))
def test_unparsable_file_is_reported_in_one_line_and_left_alone(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(UNPARSABLE[name])
    assert main([str(path)]) == 123
    assert path.read_bytes() == UNPARSABLE[name]
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("{}: cannot parse: ".format(path)) and len(err) == 2  # the message, the summary
    assert "Traceback" not in "".join(err)


def test_other_files_still_processed_exit_123(tmp_path):
    (tmp_path / "a_broken.py").write_bytes(UNPARSABLE["python2.py"])
    (tmp_path / "b_train.py").write_text(BEFORE)
    assert main([str(tmp_path)]) == 123
    assert read(tmp_path / "b_train.py") == AFTER


def fix_bytes(tmp_path, data):
    path = tmp_path / "train.py"
    path.write_bytes(data)
    status = main(["-q", str(path)])
    return status, path.read_bytes()


def test_mixed_line_endings_are_kept_line_by_line(tmp_path):
    before = BEFORE.splitlines(True)
    after = AFTER.splitlines(True)
    crlf = {0, 2, 9}  # lines untouched by the fix keep their own ending
    mixed = "".join(l.replace("\n", "\r\n") if i in crlf else l for i, l in enumerate(before))
    expected = "".join(l.replace("\n", "\r\n") if i in crlf else l for i, l in enumerate(after))
    assert fix_bytes(tmp_path, mixed.encode()) == (1, expected.encode())


def test_tabs(tmp_path):
    status, data = fix_bytes(tmp_path, BEFORE.replace("    ", "\t").encode())
    assert (status, data) == (1, AFTER.replace("    ", "\t").encode())


def test_form_feed(tmp_path):
    source = BEFORE.replace("\n\n\ndef fit", "\n\n\x0c\ndef fit")
    status, data = fix_bytes(tmp_path, source.encode())
    assert (status, data) == (1, AFTER.replace("\n\n\ndef fit", "\n\n\x0c\ndef fit").encode())


def test_empty_file(tmp_path):
    assert fix_bytes(tmp_path, b"") == (0, b"")


def test_fifty_thousand_lines(tmp_path):
    filler = "".join("CONSTANT_{0} = {0}\n".format(i) for i in range(50000))
    status, data = fix_bytes(tmp_path, (filler + BEFORE).encode())
    assert (status, data) == (1, (filler + AFTER).encode())


def test_directory_symlink_loop(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(BEFORE)
    os.symlink(str(tmp_path), str(tmp_path / "pkg" / "loop"))
    assert main(["-q", str(tmp_path)]) == 1
    assert read(tmp_path / "pkg" / "train.py") == AFTER


def test_unreadable_file(tmp_path, monkeypatch, capsys):
    # Tests run as root, which reads any file: simulate the refusal at the read.
    path = tmp_path / "secret.py"
    path.write_text(BEFORE)
    real = _files.read

    def refuse(name):
        if os.path.abspath(name) == str(path):
            raise _files.SourceError(os.strerror(errno.EACCES))
        return real(name)

    monkeypatch.setattr(_files, "read", refuse)
    assert main([str(path)]) == 123
    assert "{}: cannot read: Permission denied".format(path) in capsys.readouterr().err
    assert read(path) == BEFORE


def test_file_replaced_between_read_and_write_is_not_clobbered(tmp_path, monkeypatch, capsys):
    path = tmp_path / "train.py"
    path.write_text(BEFORE)
    newer = BEFORE + "# saved by the editor meanwhile\n"
    real = cli.fix_source

    def fix_while_someone_saves(*args, **kwargs):
        result = real(*args, **kwargs)
        path.write_text(newer)
        return result

    monkeypatch.setattr(cli, "fix_source", fix_while_someone_saves)
    assert main([str(path)]) == 123
    assert read(path) == newer
    assert "changed on disk" in capsys.readouterr().err
    assert os.listdir(str(tmp_path)) == ["train.py"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_failed_write_leaves_original_and_no_temporary_file(tmp_path, monkeypatch, capsys, code):
    path = tmp_path / "train.py"
    path.write_text(BEFORE)

    def fail(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(_files.os, "fsync", fail)
    assert main([str(path)]) == 123
    assert read(path) == BEFORE
    assert os.listdir(str(tmp_path)) == ["train.py"]
    assert "{}: cannot write: {}".format(path, os.strerror(code)) in capsys.readouterr().err


# flake8 parses these itself before any plugin runs; on Python 3.7 (flake8 5) that parse
# raises MemoryError (1,000 nested parentheses) or ValueError (a null byte) inside flake8.
BEFORE_ANY_PLUGIN = ("deep_nesting.py", "null_byte.py")


def flake8(*paths):
    command = [sys.executable, "-m", "flake8", "--select=LP,E9", "-j", "1"] + [str(p) for p in paths]
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)


def test_flake8_survives_every_bad_input(tmp_path):
    for name, data in UNPARSABLE.items():
        if name not in BEFORE_ANY_PLUGIN:
            (tmp_path / name).write_bytes(data)
    (tmp_path / "huge.py").write_text("".join("C{0} = {0}\n".format(i) for i in range(50000)) + BEFORE)
    (tmp_path / "latin.py").write_bytes(("# -*- coding: latin-1 -*-\n# Entraînement\n" + BEFORE).encode("latin-1"))
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + BEFORE.encode())
    (tmp_path / "empty.py").write_bytes(b"")
    done = flake8(tmp_path)
    assert "Traceback" not in done.stderr and "plugin" not in done.stderr.lower(), done.stderr
    reported = {
        (os.path.basename(line.split(":")[0]), line.split(": ")[1].split()[0]) for line in done.stdout.splitlines()
    }
    for name in ("huge.py", "latin.py", "bom.py"):
        assert (name, "LP100") in reported and (name, "LP200") in reported
    for name in ("syntax_error.py", "python2.py"):
        assert (name, "E999") in reported


@pytest.mark.parametrize("name", BEFORE_ANY_PLUGIN)
def test_input_flake8_cannot_parse_never_reaches_the_plugin(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(UNPARSABLE[name])
    done = flake8(path)
    assert "flake8_learning_phase" not in done.stderr and "plugin" not in done.stderr.lower()
    if sys.version_info >= (3, 8):
        assert "E999" in done.stdout and "Traceback" not in done.stderr

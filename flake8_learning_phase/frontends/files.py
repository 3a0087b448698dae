"""Reading and writing source files without losing a byte.

A file is decoded with the encoding Python itself would use (coding cookie,
UTF-8 BOM), newlines untouched, and written back in the same encoding through
a temporary file in the same folder that is renamed over the original.
"""
import errno
import io
import os
import re
import stat
import tokenize

from flake8_learning_phase.core.records import Record


class SourceError(Exception):
    """A file that cannot be read or decoded; the message says why."""


class ChangedOnDisk(SourceError):
    """The file changed between our read and our write: the newer text wins."""


class Source(Record):
    raw: bytes
    text: str
    encoding: str  # "utf-8-sig" for a file with a BOM


def decode(raw: bytes) -> Source:
    """The text Python would read from ``raw``; SourceError says what Python would say if none."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return Source(raw, raw.decode(encoding), encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        raise SourceError(_python_says(raw, error)) from None


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _python_says(raw: bytes, error: Exception) -> str:
    """Python's own words for a file it cannot decode (``python file.py`` prints them)."""
    declared = any(_COOKIE.match(line) for line in raw.splitlines()[:2])
    if not declared and not raw.startswith(b"\xef\xbb\xbf"):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = raw.count(b"\n", 0, bad.start) + 1
            return (
                "Non-UTF-8 code starting with '\\x{:02x}' on line {}, but no encoding declared; "
                "see https://peps.python.org/pep-0263/ for details".format(raw[bad.start], line)
            )
    if isinstance(error, UnicodeDecodeError):
        line = raw.count(b"\n", 0, error.start) + 1
        return "(unicode error) {} (line {})".format(error, line)
    return str(error)


def encode(source: Source, text: str) -> bytes:
    return text.encode(source.encoding)


def read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise SourceError(error.strerror or str(error)) from None


def write(path: str, data: bytes, expected: bytes) -> None:
    """Replace ``path``'s content with ``data`` if it still holds ``expected``.

    A file you may not write is refused (``PermissionError``, "Permission
    denied"), as black and ruff refuse it: lp-fix does not get around a
    file's permissions by renaming over it.

    Normally written to a temporary file beside the target, with the target's
    permission bits and owner, then renamed over it: a crash leaves the old
    or the new file, never a truncated one.  When a rename would lose
    something, the file is overwritten in place instead: it has several hard
    links (a rename would break them), its owner cannot be given to the new
    file (another user's file you may write through its group), or the
    folder is not writable.  In place, a crash in the middle of the write can
    leave a partly written file: the price of keeping the links and owner.
    A symlink is followed, not replaced.
    """
    target = os.path.realpath(path)
    status = os.stat(target)
    if not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    if status.st_nlink > 1 or not os.access(os.path.dirname(target), os.W_OK | os.X_OK):
        _write_in_place(target, data, expected)
        return
    try:
        _write_by_rename(target, status, data, expected)
    except _CannotKeepOwner:
        _write_in_place(target, data, expected)


class _CannotKeepOwner(Exception):
    pass


def _write_by_rename(target: str, status: os.stat_result, data: bytes, expected: bytes) -> None:
    import tempfile

    folder = os.path.dirname(target)
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".lp-fix", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        if hasattr(os, "chown"):
            new = os.stat(temporary)
            if (new.st_uid, new.st_gid) != (status.st_uid, status.st_gid):
                try:
                    os.chown(temporary, status.st_uid, status.st_gid)
                except OSError:
                    raise _CannotKeepOwner() from None
        if read(target) != expected:
            raise ChangedOnDisk("changed on disk while being fixed; left as it is now")
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _write_in_place(target: str, data: bytes, expected: bytes) -> None:
    """Overwrite the file itself (same inode: links, owner and mode stay)."""
    with open(target, "r+b") as out:
        if out.read() != expected:
            raise ChangedOnDisk("changed on disk while being fixed; left as it is now")
        out.seek(0)
        out.write(data)
        out.truncate()
        out.flush()
        os.fsync(out.fileno())

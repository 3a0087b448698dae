"""Reading and writing source files without losing a byte.

A file is decoded with the encoding Python itself would use (coding cookie,
UTF-8 BOM), newlines untouched, and written back in the same encoding through
a temporary file in the same folder that is renamed over the original.
"""
import io
import os
import stat
import tokenize
from dataclasses import dataclass


class SourceError(Exception):
    """A file that cannot be read or decoded; the message says why."""


class ChangedOnDisk(SourceError):
    """The file changed between our read and our write: the newer text wins."""


@dataclass(frozen=True)
class Source:
    raw: bytes
    text: str
    encoding: str  # "utf-8-sig" for a file with a BOM


def decode(raw: bytes) -> Source:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return Source(raw, raw.decode(encoding), encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        raise SourceError(str(error)) from None


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

    Written to a temporary file beside the target, with the target's
    permission bits, then renamed over it: a crash leaves the old or the new
    file, never a truncated one.  A symlink is followed, not replaced.
    """
    import tempfile

    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    folder = os.path.dirname(target)
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".lp-fix", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if read(target) != expected:
            raise ChangedOnDisk("changed on disk while being fixed; left as it is now")
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise

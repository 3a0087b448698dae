"""What lp-lsp's text documents (``lsp.py``) and notebooks (``lsp_notebooks.py``) share.

LSP positions and edits, the code action kinds a request wants, and the two
things that bound the server's work: the last analysis of each document (code
actions reuse its findings, which carry their edits) and the debounce that
analyses only a document's latest version after a burst of changes.
"""
import difflib
import time
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from lsprotocol import types as lsp

from flake8_learning_phase.core import Finding, split_lines
from flake8_learning_phase.core.records import Record

SOURCE = "flake8-learning-phase"
FIX_ALL = "Fix all LP findings in this file"
# Seconds of quiet that make a change the first of a burst, analysed at once; a change that comes
# sooner (after another change, or right after an analysis) waits that long for the next.  A
# burst of keystrokes costs an analysis of its first and one of its last version, not one per
# keystroke, and an edit after a pause is not delayed.
DEBOUNCE = 0.1


class Analysis(Record):
    """The findings of one version of a document (or of a notebook's joined module)."""

    version: Optional[int]
    source: str
    findings: Tuple[Finding, ...]


def utf16(line: str, col: int) -> int:
    """LSP counts columns in UTF-16 code units; the core in code points."""
    return len(line[:col].encode("utf-16-le")) // 2


def file_path(uri: str) -> Optional[str]:
    """The local path of a ``file:`` URI (the model resolver reads the project from there)."""
    if not uri.startswith("file:"):
        return None
    return url2pathname(unquote(urlparse(uri).path))


def wanted(kind: str, only: Optional[List[str]]) -> bool:
    """A kind matches a request's ``context.only`` and its sub-kinds, as LSP says (``source``
    matches ``source.fixAll``)."""
    if not only:
        return True
    return any(kind == want or kind.startswith(want + ".") for want in only)


def text_edits(old: str, new: str) -> list:
    """Whole-line replacements that turn ``old`` into ``new``."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    edits = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            lsp.TextEdit(
                range=lsp.Range(start=lsp.Position(line=i1, character=0), end=lsp.Position(line=i2, character=0)),
                new_text="".join(new_lines[j1:j2]),
            )
        )
    return edits


class SyncMethods(Record):
    """The four notifications that keep a kind of document in sync (text documents, notebooks)."""

    open: str
    change: str
    save: str
    close: str


TEXT_SYNC = SyncMethods(
    lsp.TEXT_DOCUMENT_DID_OPEN, lsp.TEXT_DOCUMENT_DID_CHANGE, lsp.TEXT_DOCUMENT_DID_SAVE, lsp.TEXT_DOCUMENT_DID_CLOSE
)
NOTEBOOK_SYNC = SyncMethods(
    lsp.NOTEBOOK_DOCUMENT_DID_OPEN,
    lsp.NOTEBOOK_DOCUMENT_DID_CHANGE,
    lsp.NOTEBOOK_DOCUMENT_DID_SAVE,
    lsp.NOTEBOOK_DOCUMENT_DID_CLOSE,
)


def register_sync(server, methods: SyncMethods, uri_of: Callable[[object], str], debounce: "Debounce",
                  close: Callable[[str], None]) -> None:
    """The same rule for every kind of document: open and save are analysed at once, a change
    through the debounce (only the latest version), and close forgets the document.
    ``uri_of`` reads the document's URI from a notification's params."""

    def now(params) -> None:
        debounce.now(uri_of(params))

    def later(params) -> None:
        debounce.later(uri_of(params))

    def closed(params) -> None:
        close(uri_of(params))

    for method, handler in ((methods.open, now), (methods.change, later), (methods.save, now), (methods.close, closed)):
        server.feature(method)(handler)


class Debounce(object):
    """Runs ``action(uri)`` on a change after :data:`DEBOUNCE` seconds of quiet at once, else once
    the document has had no change for that long."""

    def __init__(self, server, action: Callable[[str], None]):
        self.server = server
        self.action = action
        self.pending: Dict[str, object] = {}
        self.active: Dict[str, float] = {}  # when each document last changed or was analysed

    def later(self, uri: str) -> None:
        quiet = time.monotonic() - self.active.get(uri, float("-inf"))
        if uri not in self.pending and quiet >= DEBOUNCE:
            self.now(uri)
            return
        self.cancel(uri)
        self.active[uri] = time.monotonic()
        self.pending[uri] = self.server.loop.call_later(DEBOUNCE, self.now, uri)

    def now(self, uri: str) -> None:
        self.cancel(uri)
        self.action(uri)
        self.active[uri] = time.monotonic()

    def cancel(self, uri: str) -> None:
        self.active.pop(uri, None)
        timer = self.pending.pop(uri, None)
        if timer is not None:
            timer.cancel()

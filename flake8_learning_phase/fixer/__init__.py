"""The fixer: the core's findings, applied with libcst (what ``lp-fix`` and the editor run)."""
import ast
from typing import Callable, Collection, Dict, List, Optional, Sequence, Tuple

from flake8_learning_phase.core import Edit, Finding, Settings, analyze, might_matter, split_lines
from flake8_learning_phase.core.records import Record

__all__ = ["FixResult", "fix_findings", "fix_source"]

_NOT_APPLIED = "the fix could not be applied here; edit by hand"
# A finding with neither edits nor a note of its own still needs a person (lp-fix exits 1).
NO_EDIT = "no automatic fix for this one; edit by hand"


class FixResult(Record):
    """What fixing one source text did."""

    source: str  # the new text; the old one when nothing changed
    findings: Tuple[Finding, ...]  # every selected finding in the old text
    fixed: Tuple[Finding, ...]  # those whose edits were applied
    call_sites_updated: int
    manual: Tuple[Tuple[int, str], ...]  # (line, what a person has to do)
    held: Tuple[Finding, ...] = ()  # fixable, but ``allow`` kept their edits back (unsafe fixes)

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def fix_source(
    source: str,
    settings: Settings = Settings(),
    codes: Optional[Collection[str]] = None,
    keep: Callable[[Finding], bool] = lambda finding: True,
    path: Optional[str] = None,
    line_length: Optional[int] = None,
    apply: bool = True,
    allow: Callable[[Finding], bool] = lambda finding: True,
    tree: Optional[ast.Module] = None,
) -> FixResult:
    """Fix every finding in ``source`` of the selected ``codes`` (default: all) that ``keep`` accepts.

    Raises SyntaxError (or ValueError, for a null byte) for text that cannot
    be parsed.  A finding is fixed whole or not at all: a step's inputs and
    its feeds must agree.  libcst is imported only when there is something
    to fix.  ``path`` is the file's path, if known (the model resolver reads
    the project's other modules from there).
    With ``line_length`` (flake8's max-line-length), a call on a
    line the fix made longer than that is wrapped, as black would.
    ``apply=False`` (``lp-fix --check``) says what would be fixed without
    running libcst: every finding with edits counts as fixed, and the source
    is returned as it is.  A finding with edits that ``allow`` refuses (an
    unsafe fix without ``--unsafe-fixes``) is reported and left, in ``held``.
    ``tree`` is ``ast.parse(source)`` when the caller has it already (a notebook's, made from
    its cells' trees): the source is then not parsed again.
    """
    findings: Tuple[Finding, ...] = ()
    if not might_matter(source, codes):
        tree = None
    elif tree is None:
        tree = ast.parse(source)
    if tree is not None:
        findings = tuple(f for f in analyze(tree, split_lines(source), settings, codes, path) if keep(f))
    return _apply(source, tree, findings, line_length, apply, allow)


def fix_findings(source: str, findings: Sequence[Finding], line_length: Optional[int] = None) -> FixResult:
    """Apply the edits of ``findings``, found in ``source`` before: no second analysis (an editor's
    code actions reuse the findings it published).  Raises SyntaxError for text that does not parse."""
    return _apply(source, ast.parse(source) if findings else None, tuple(findings), line_length, True, lambda f: True)


def _apply(source, tree, findings: Tuple[Finding, ...], line_length, apply: bool, allow) -> FixResult:
    fixable = [f for f in findings if f.edits and allow(f)]
    held = tuple(f for f in findings if f.edits and f not in fixable)
    fixed: Tuple[Finding, ...] = ()
    new_source = source
    if fixable and not apply:
        fixed = tuple(fixable)
    elif fixable:
        import libcst as cst

        from flake8_learning_phase.fixer.chunks import ChunkedSource

        chunked = ChunkedSource(source, split_lines(source), tree)
        try:
            nodes = chunked.locate([edit.target for f in fixable for edit in f.edits])
        except cst.ParserSyntaxError as error:
            raise SyntaxError("libcst: " + error.message, (None, error.raw_line, error.raw_column, None)) from None
        fixed = tuple(f for f in fixable if all(edit.target in nodes for edit in f.edits))
        if fixed:
            new_source = chunked.apply(_unique(edit for f in fixed for edit in f.edits), line_length)
            ast.parse(new_source)  # the output always parses, or nothing is written
    manual = [(f.line, f.manual) for f in findings if f.manual]
    manual += [(f.line, NO_EDIT) for f in findings if not f.edits and not f.manual]
    manual += [(f.line, _NOT_APPLIED) for f in fixable if f not in fixed]
    updated = {call for f in fixed for call in f.call_sites}
    return FixResult(new_source, findings, fixed, len(updated), tuple(sorted(set(manual))), held)


def _unique(edits) -> List[Edit]:
    seen: Dict[Edit, None] = {}
    for edit in edits:
        seen.setdefault(edit, None)
    return list(seen)

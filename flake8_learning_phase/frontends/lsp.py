"""``lp-lsp``: the editor front end, a Language Server on stdio (pygls).

It publishes LP diagnostics on open, change and save, and answers
``textDocument/codeAction`` with a quick fix per diagnostic plus "fix all";
notebooks too, through LSP 3.17 notebook document sync (``lsp_notebooks.py``):
the same core findings and the same fixer as lp-fix, so the editor, flake8
and lp-fix never disagree.
"""
import difflib
import sys
from typing import List, Optional

from flake8_learning_phase import __version__
from flake8_learning_phase.core import Finding, Settings, get, split_lines
from flake8_learning_phase.fixer import fix_source
from flake8_learning_phase.frontends import config, suppression
from flake8_learning_phase.frontends.common import message

try:
    from lsprotocol import types as lsp
    from pygls.server import LanguageServer
except ImportError:  # pragma: no cover - exercised by users without the extra
    lsp = None

SOURCE = "flake8-learning-phase"
FIX_ALL = "Fix all LP findings in this file"


def _utf16(line: str, col: int) -> int:
    """LSP counts columns in UTF-16 code units; the core in code points."""
    return len(line[:col].encode("utf-16-le")) // 2


def _range(lines: List[str], line: int, col: int, end_line: Optional[int], end_col: Optional[int]):
    text = lines[line - 1] if line <= len(lines) else ""
    if end_line is None:  # Python 3.7's ast has no end: underline to the end of the line
        end_line, end_col = line, len(text.rstrip("\r\n"))
    end_text = lines[end_line - 1] if end_line <= len(lines) else ""
    return lsp.Range(
        start=lsp.Position(line=line - 1, character=_utf16(text, col)),
        end=lsp.Position(line=end_line - 1, character=_utf16(end_text, end_col)),
    )


def _file_path(uri: str) -> Optional[str]:
    """The local path of a ``file:`` URI (the model resolver reads the project from there)."""
    if not uri.startswith("file:"):
        return None
    from urllib.parse import unquote, urlparse
    from urllib.request import url2pathname

    return url2pathname(unquote(urlparse(uri).path))


def diagnostics(
    source: str, settings: Settings, path: Optional[str] = None, policy: suppression.Policy = suppression.Policy()
) -> list:
    """The diagnostics of what flake8 would report (``# noqa``, ignore, per-file-ignores, exclude honoured)."""
    try:
        findings = policy.findings(source, settings, path)
    except (SyntaxError, ValueError, RecursionError):
        return []  # the editor shows the syntax error already
    lines = split_lines(source)
    return [_diagnostic(lines, finding) for finding in findings]


def _diagnostic(lines: List[str], finding: Finding):
    return lsp.Diagnostic(
        range=_range(lines, finding.line, finding.col, finding.end_line, finding.end_col),
        message=message(finding).split(" ", 1)[1],
        severity=lsp.DiagnosticSeverity.Warning,
        code=finding.code,
        source=SOURCE,
    )


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


def code_actions(
    uri: str,
    source: str,
    start_line: int,
    end_line: int,
    settings: Settings,
    line_length: Optional[int] = None,
    only: Optional[List[str]] = None,
    policy: suppression.Policy = suppression.Policy(),
) -> list:
    """A quick fix for each fixable finding on lines ``start_line..end_line`` (0-based), and fix-all.

    ``only`` is the request's ``context.only``: the kinds the client wants.
    A kind matches it and its sub-kinds, as LSP says (``source`` matches
    ``source.fixAll``), so a ``source.fixAll`` request (an editor's "fix on
    save") gets exactly the fix-all action, as ruff's server answers.
    """
    wants_quick_fix = _wanted(lsp.CodeActionKind.QuickFix, only)
    wants_fix_all = _wanted(lsp.CodeActionKind.SourceFixAll, only)
    if not (wants_quick_fix or wants_fix_all):
        return []
    path = _file_path(uri)
    try:
        findings = [f for f in policy.findings(source, settings, path) if f.edits]
    except (SyntaxError, ValueError, RecursionError):
        return []
    lines = split_lines(source)
    actions = []
    for finding in findings if wants_quick_fix else ():
        if not start_line <= finding.line - 1 <= end_line:
            continue
        chosen = finding
        fixed = fix_source(source, settings, keep=chosen.__eq__, path=path, line_length=line_length)
        if fixed.changed:
            title = get(finding.code).fix_title
            actions.append(_action(title, uri, source, fixed.source, [_diagnostic(lines, finding)]))
    if findings and wants_fix_all:
        fixed = fix_source(source, settings, keep=findings.__contains__, path=path, line_length=line_length)
        if fixed.changed:
            action = _action(FIX_ALL, uri, source, fixed.source, [_diagnostic(lines, f) for f in fixed.fixed])
            action.kind = lsp.CodeActionKind.SourceFixAll
            actions.append(action)
    return actions


def _wanted(kind: str, only: Optional[List[str]]) -> bool:
    if not only:
        return True
    return any(kind == wanted or kind.startswith(wanted + ".") for wanted in only)


def _action(title: str, uri: str, old: str, new: str, fixes: list):
    return lsp.CodeAction(
        title=title,
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=fixes,
        edit=lsp.WorkspaceEdit(changes={uri: text_edits(old, new)}),
    )


def make_server(
    settings: Settings = Settings(),
    line_length: Optional[int] = None,
    policy: suppression.Policy = suppression.Policy(),
):
    from flake8_learning_phase.frontends import lsp_notebooks

    server = LanguageServer("lp-lsp", __version__, notebook_document_sync=lsp_notebooks.sync_options())
    notebook_of = lsp_notebooks.register(server, settings, line_length, policy)

    def publish(uri: str) -> None:
        if notebook_of(uri) is not None:
            return  # a notebook cell: published with its notebook (lsp_notebooks)
        document = server.workspace.get_text_document(uri)
        server.publish_diagnostics(uri, diagnostics(document.source, settings, _file_path(uri), policy))

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params):
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params):
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params):
        publish(params.text_document.uri)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll]),
    )
    def code_action(params):
        window = params.range
        only = params.context.only if params.context is not None else None
        notebook = notebook_of(params.text_document.uri)
        if notebook is not None:
            return lsp_notebooks.code_actions(
                server, notebook, params.text_document.uri, window.start.line, window.end.line, settings,
                line_length, only, policy,
            )
        document = server.workspace.get_text_document(params.text_document.uri)
        return code_actions(
            document.uri, document.source, window.start.line, window.end.line, settings, line_length, only, policy
        )

    return server


def main(argv: Optional[List[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="lp-lsp", description="Language server for flake8-learning-phase (stdio).")
    config.add_learning_phase(parser)
    config.add_max_line_length(parser)
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    args = parser.parse_args(argv)
    if lsp is None:
        print(
            "lp-lsp needs pygls: pip install '.[lsp]' in a clone (published: 'flake8-learning-phase[lsp]')",
            file=sys.stderr,
        )
        return 2
    try:
        found = config.load()
    except config.ConfigError as error:
        parser.error(str(error))
    make_server(
        config.settings(args, parser, found), config.max_line_length(args, parser, found), suppression.policy(found)
    ).start_io()
    return 0

"""``lp-lsp``: the editor front end, a Language Server on stdio (pygls).

It publishes LP diagnostics on open, change and save, and answers
``textDocument/codeAction`` with a quick fix per diagnostic plus "fix all";
notebooks too, through LSP 3.17 notebook document sync (``lsp_notebooks.py``):
the same core findings and the same fixer as lp-fix, so the editor, flake8
and lp-fix never disagree.
"""
import sys
from typing import Dict, List, Optional

from flake8_learning_phase import __version__
from flake8_learning_phase.core import Finding, Settings, get, split_lines
from flake8_learning_phase.fixer import fix_findings
from flake8_learning_phase.frontends import config, suppression
from flake8_learning_phase.frontends.common import message

try:
    from lsprotocol import types as lsp
    from pygls.server import LanguageServer

    from flake8_learning_phase.frontends import lsp_notebooks
    from flake8_learning_phase.frontends.lsp_common import (
        FIX_ALL,
        SOURCE,
        TEXT_SYNC,
        Analysis,
        Debounce,
        file_path,
        register_sync,
        text_edits,
        utf16,
        wanted,
    )
except ImportError:  # pragma: no cover - exercised by users without the extra
    lsp = None


def _range(lines: List[str], line: int, col: int, end_line: Optional[int], end_col: Optional[int]):
    text = lines[line - 1] if line <= len(lines) else ""
    if end_line is None:  # Python 3.7's ast has no end: underline to the end of the line
        end_line, end_col = line, len(text.rstrip("\r\n"))
    end_text = lines[end_line - 1] if end_line <= len(lines) else ""
    return lsp.Range(
        start=lsp.Position(line=line - 1, character=utf16(text, col)),
        end=lsp.Position(line=end_line - 1, character=utf16(end_text, end_col)),
    )


def analyse(
    source: str,
    settings: Settings,
    path: Optional[str] = None,
    policy: suppression.Policy = suppression.Policy(),
    version: Optional[int] = None,
) -> Analysis:
    """The findings flake8 would report (``# noqa``, ignore, per-file-ignores, exclude honoured);
    none for text that does not parse (the editor shows the syntax error already)."""
    try:
        findings = tuple(policy.findings(source, settings, path))
    except (SyntaxError, ValueError, RecursionError):
        findings = ()
    return Analysis(version, source, findings)


def diagnostics(
    source: str, settings: Settings, path: Optional[str] = None, policy: suppression.Policy = suppression.Policy()
) -> list:
    return _diagnostics(analyse(source, settings, path, policy))


def _diagnostics(analysis: Analysis) -> list:
    lines = split_lines(analysis.source)
    return [_diagnostic(lines, finding) for finding in analysis.findings]


def _diagnostic(lines: List[str], finding: Finding):
    return lsp.Diagnostic(
        range=_range(lines, finding.line, finding.col, finding.end_line, finding.end_col),
        message=message(finding).split(" ", 1)[1],
        severity=lsp.DiagnosticSeverity.Warning,
        code=finding.code,
        source=SOURCE,
    )


def code_actions(
    uri: str,
    source: str,
    start_line: int,
    end_line: int,
    settings: Settings,
    line_length: Optional[int] = None,
    only: Optional[List[str]] = None,
    policy: suppression.Policy = suppression.Policy(),
    analysis: Optional[Analysis] = None,
) -> list:
    """A quick fix for each fixable finding on lines ``start_line..end_line`` (0-based), and fix-all.

    ``only`` is the request's ``context.only``: the kinds the client wants,
    so a ``source.fixAll`` request (an editor's "fix on save") gets exactly
    the fix-all action, as ruff's server answers.  The findings are those of
    ``analysis`` (the last one published) when it is of this ``source``: they
    carry their edits, so no second analysis runs.
    """
    wants_quick_fix = wanted(lsp.CodeActionKind.QuickFix, only)
    wants_fix_all = wanted(lsp.CodeActionKind.SourceFixAll, only)
    if not (wants_quick_fix or wants_fix_all):
        return []
    if analysis is None or analysis.source != source:
        analysis = analyse(source, settings, file_path(uri), policy)
    findings = [f for f in analysis.findings if f.edits]
    lines = split_lines(source)
    actions = []
    for finding in findings if wants_quick_fix else ():
        if not start_line <= finding.line - 1 <= end_line:
            continue
        fixed = fix_findings(source, [finding], line_length)
        if fixed.changed:
            title = get(finding.code).fix_title
            actions.append(_action(title, uri, source, fixed.source, [_diagnostic(lines, finding)]))
    if findings and wants_fix_all:
        fixed = fix_findings(source, findings, line_length)
        if fixed.changed:
            action = _action(FIX_ALL, uri, source, fixed.source, [_diagnostic(lines, f) for f in fixed.fixed])
            action.kind = lsp.CodeActionKind.SourceFixAll
            actions.append(action)
    return actions


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
    """The server.  Each document is analysed on open and save, and once changes pause
    (:data:`~.lsp_common.DEBOUNCE`): only its latest version.  Code actions reuse that analysis."""
    server = LanguageServer("lp-lsp", __version__, notebook_document_sync=lsp_notebooks.sync_options())
    notebooks = lsp_notebooks.register(server, settings, line_length, policy)
    notebook_of = notebooks.notebook_of
    analyses: Dict[str, Analysis] = {}

    def publish(uri: str) -> None:
        if notebook_of(uri) is not None:
            return  # a notebook cell: published with its notebook (lsp_notebooks)
        document = server.workspace.get_text_document(uri)
        analysis = analyse(document.source, settings, file_path(uri), policy, document.version)
        analyses[uri] = analysis
        server.publish_diagnostics(uri, _diagnostics(analysis), version=document.version)

    debounce = Debounce(server, publish)

    def close(uri: str) -> None:
        debounce.cancel(uri)
        analyses.pop(uri, None)

    register_sync(server, TEXT_SYNC, lambda params: params.text_document.uri, debounce, close)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll]),
    )
    def code_action(params):
        window = params.range
        only = params.context.only if params.context is not None else None
        uri = params.text_document.uri
        notebook = notebook_of(uri)
        if notebook is not None:
            return notebooks.code_actions(notebook, uri, window.start.line, window.end.line, only)
        document = server.workspace.get_text_document(uri)
        analysis = analyses.get(uri)
        if analysis is None or analysis.version != document.version or analysis.source != document.source:
            debounce.now(uri)  # a change still waiting: analyse (and publish) its version now
            analysis = analyses.get(uri)
        return code_actions(
            uri, document.source, window.start.line, window.end.line, settings, line_length, only, policy, analysis
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


if __name__ == "__main__":  # ``python -m flake8_learning_phase.frontends.lsp``: lp-lsp without its script
    sys.exit(main())

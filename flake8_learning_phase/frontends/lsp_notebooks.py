"""lp-lsp on notebooks: LSP 3.17 notebook document sync (``notebookDocument/*``).

The editor sends the notebook as cells, each a text document with its own URI
(VS Code: ``vscode-notebook-cell:...#<cell>``).  On open and change, the code
cells are joined into one module in cell order with
:func:`flake8_learning_phase.notebook.from_cells` (IPython magics masked, as
lp-fix reads an .ipynb file), the core checks it once, and each finding is
published to the URI of the cell it is in, at the line of that cell.  A quick
fix is computed on the whole module (a fix may edit a call in another cell,
``netD_train([x, y, True])``) and returned as one WorkspaceEdit with TextEdits
per changed cell.  A cell that does not parse gets one Information diagnostic;
the other cells are checked without it.
"""
from typing import Dict, List, Optional, Tuple

from flake8_learning_phase.core import Settings, get, split_lines
from flake8_learning_phase.fixer import fix_source
from flake8_learning_phase.frontends.common import message

from lsprotocol import types as lsp

NOT_PARSED = "this cell does not parse ({}): flake8-learning-phase checks the other cells without it"


def sync_options():
    """What the server asks the editor to sync: every notebook's Python cells (as ruff's server asks)."""
    return lsp.NotebookDocumentSyncOptions(
        notebook_selector=[
            lsp.NotebookDocumentSyncOptionsNotebookSelectorType2(
                cells=[lsp.NotebookDocumentSyncOptionsNotebookSelectorType2CellsType(language="python")]
            )
        ]
    )


class _Open(object):
    """A notebook as the workspace holds it now: its module, and the cell documents."""

    def __init__(self, server, notebook_uri: str):
        from flake8_learning_phase.notebook import from_cells

        document = server.workspace.get_notebook_document(notebook_uri=notebook_uri)
        self.uri = notebook_uri
        self.cell_uris = []  # type: List[str]
        self.texts = []  # type: List[str]
        kinds = []
        for cell in document.cells if document is not None else ():
            text_document = server.workspace.get_text_document(cell.document)
            language = getattr(text_document, "language_id", None) or "python"
            code = cell.kind == lsp.NotebookCellKind.Code and language.lower() == "python"
            kinds.append("code" if code else "markdown")
            self.cell_uris.append(cell.document)
            self.texts.append(text_document.source)
        self.nb = from_cells(list(zip(kinds, self.texts)))
        self.code_uris = [uri for uri, kind in zip(self.cell_uris, kinds) if kind == "code"]

    def findings(self, settings: Settings, path: Optional[str], policy):
        try:
            return policy.findings(self.nb.source, settings, path)
        except (SyntaxError, ValueError, RecursionError):  # every cell parses alone: not expected
            return []

    def place(self, finding) -> Tuple[str, lsp.Range]:
        """The cell URI and the range in that cell of a finding of the joined module."""
        from flake8_learning_phase.frontends.lsp import _utf16

        start = self.nb.position(finding.line, finding.col)
        lines = split_lines(self.texts[start.cell_index])
        end_line, end_col = finding.end_line, finding.end_col
        if end_line is None:  # Python 3.7: to the end of the line
            end = start._replace(col=len(_line(lines, start.line).rstrip("\r\n")))
        else:
            end = self.nb.position(end_line, end_col)
        return self.cell_uris[start.cell_index], lsp.Range(
            start=lsp.Position(line=start.line - 1, character=_utf16(_line(lines, start.line), start.col)),
            end=lsp.Position(line=end.line - 1, character=_utf16(_line(lines, end.line), end.col)),
        )

    def diagnostic(self, finding) -> Tuple[str, object]:
        from flake8_learning_phase.frontends.notebooks import in_cell_terms

        uri, where = self.place(finding)
        return uri, lsp.Diagnostic(
            range=where,
            message=in_cell_terms(self.nb, message(finding).split(" ", 1)[1]),
            severity=lsp.DiagnosticSeverity.Warning,
            code=finding.code,
            source="flake8-learning-phase",
        )

    def edit(self, new_source: str):
        """The WorkspaceEdit of a fixed module: TextEdits for each cell it changes; None if it cannot map."""
        from flake8_learning_phase.frontends.lsp import text_edits
        from flake8_learning_phase.notebook import NotebookError

        try:
            changed = self.nb.cell_edits(new_source)
        except NotebookError:
            return None
        if not changed:
            return None
        return lsp.WorkspaceEdit(
            changes={self.cell_uris[i]: text_edits(self.texts[i], text) for i, text in sorted(changed.items())}
        )


def _line(lines: List[str], number: int) -> str:
    return lines[number - 1] if 1 <= number <= len(lines) else ""


def _path(uri: str) -> Optional[str]:
    from flake8_learning_phase.frontends.lsp import _file_path

    return _file_path(uri)


def publish(server, notebook_uri: str, settings: Settings, published: Dict[str, List[str]], policy) -> None:
    """Diagnostics for every code cell of the notebook (empty lists clear old ones)."""
    opened = _Open(server, notebook_uri)
    by_cell = {uri: [] for uri in opened.code_uris}  # type: Dict[str, list]
    for finding in opened.findings(settings, _path(notebook_uri), policy):
        uri, diagnostic = opened.diagnostic(finding)
        by_cell.setdefault(uri, []).append(diagnostic)
    for error in opened.nb.errors:
        lines = split_lines(opened.texts[error.cell_index])
        line = max(error.line, 1)
        by_cell.setdefault(opened.cell_uris[error.cell_index], []).append(
            lsp.Diagnostic(
                range=lsp.Range(
                    start=lsp.Position(line=line - 1, character=0),
                    end=lsp.Position(line=line - 1, character=len(_line(lines, line).rstrip("\r\n"))),
                ),
                message=NOT_PARSED.format(error.message),
                severity=lsp.DiagnosticSeverity.Information,
                source="flake8-learning-phase",
            )
        )
    for gone in set(published.get(notebook_uri, ())) - set(by_cell):
        by_cell[gone] = []
    published[notebook_uri] = [uri for uri in by_cell if uri in opened.code_uris]
    for uri, diagnostics in by_cell.items():
        server.publish_diagnostics(uri, diagnostics)


def code_actions(
    server,
    notebook_uri: str,
    cell_uri: str,
    start_line: int,
    end_line: int,
    settings: Settings,
    line_length: Optional[int],
    only: Optional[List[str]],
    policy,
) -> list:
    """Quick fixes for the findings on lines ``start_line..end_line`` (0-based) of one cell, and fix-all."""
    from flake8_learning_phase.frontends.lsp import FIX_ALL, _wanted

    wants_quick_fix = _wanted(lsp.CodeActionKind.QuickFix, only)
    wants_fix_all = _wanted(lsp.CodeActionKind.SourceFixAll, only)
    if not (wants_quick_fix or wants_fix_all):
        return []
    opened = _Open(server, notebook_uri)
    if opened.nb.errors:
        return []  # as lp-fix: a notebook with a cell that does not parse is not rewritten
    path = _path(notebook_uri)
    findings = [f for f in opened.findings(settings, path, policy) if f.edits]
    actions = []
    for finding in findings if wants_quick_fix else ():
        uri, where = opened.place(finding)
        if uri != cell_uri or not start_line <= where.start.line <= end_line:
            continue
        fixed = fix_source(opened.nb.source, settings, keep=finding.__eq__, path=path, line_length=line_length)
        edit = opened.edit(fixed.source) if fixed.changed else None
        if edit is not None:
            actions.append(
                lsp.CodeAction(
                    title=get(finding.code).fix_title,
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[opened.diagnostic(finding)[1]],
                    edit=edit,
                )
            )
    if findings and wants_fix_all:
        fixed = fix_source(
            opened.nb.source, settings, keep=findings.__contains__, path=path, line_length=line_length
        )
        edit = opened.edit(fixed.source) if fixed.changed else None
        if edit is not None:
            actions.append(
                lsp.CodeAction(
                    title=FIX_ALL.replace("file", "notebook"),
                    kind=lsp.CodeActionKind.SourceFixAll,
                    diagnostics=[opened.diagnostic(f)[1] for f in fixed.fixed],
                    edit=edit,
                )
            )
    return actions


def register(server, settings: Settings, line_length: Optional[int], policy):
    """Add the notebook features to ``server``; returns ``notebook_of(uri)``: the notebook URI of a cell, or None."""
    published = {}  # type: Dict[str, List[str]]

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_OPEN)
    def did_open(params):
        publish(server, params.notebook_document.uri, settings, published, policy)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def did_change(params):
        publish(server, params.notebook_document.uri, settings, published, policy)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def did_close(params):
        for uri in published.pop(params.notebook_document.uri, ()):
            server.publish_diagnostics(uri, [])

    def notebook_of(uri: str) -> Optional[str]:
        document = server.workspace.get_notebook_document(cell_uri=uri)
        return None if document is None else document.uri

    return notebook_of

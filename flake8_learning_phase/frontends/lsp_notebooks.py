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
the other cells are checked without it.  As for a text document, a burst of
changes is analysed once, at its last version, and code actions reuse that
analysis.
"""
from typing import Dict, List, Optional, Tuple

from lsprotocol import types as lsp

from flake8_learning_phase.core import Settings, get, split_lines
from flake8_learning_phase.fixer import fix_findings
from flake8_learning_phase.frontends.common import message
from flake8_learning_phase.frontends.lsp_common import (
    FIX_ALL, NOTEBOOK_SYNC, SOURCE, Debounce, file_path, register_sync, text_edits, utf16, wanted
)
from flake8_learning_phase.frontends.notebooks import in_cell_terms
from flake8_learning_phase.notebook import NotebookError, from_cells

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

    def __init__(self, server, notebook_uri: str, settings: Settings, policy):
        document = server.workspace.get_notebook_document(notebook_uri=notebook_uri)
        self.uri = notebook_uri
        self.version = document.version if document is not None else None
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
        try:
            self.findings = tuple(policy.findings(self.nb.source, settings, file_path(notebook_uri)))
        except (SyntaxError, ValueError, RecursionError):  # every cell parses alone: not expected
            self.findings = ()

    def current(self, server) -> bool:
        """Still the notebook the workspace holds (same version, same cell texts)."""
        document = server.workspace.get_notebook_document(notebook_uri=self.uri)
        if document is None or document.version != self.version or len(document.cells) != len(self.cell_uris):
            return False
        return all(
            cell.document == uri and server.workspace.get_text_document(cell.document).source == text
            for cell, uri, text in zip(document.cells, self.cell_uris, self.texts)
        )

    def place(self, finding) -> Tuple[str, lsp.Range]:
        """The cell URI and the range in that cell of a finding of the joined module."""
        start = self.nb.position(finding.line, finding.col)
        lines = split_lines(self.texts[start.cell_index])
        end_line, end_col = finding.end_line, finding.end_col
        if end_line is None:  # Python 3.7: to the end of the line
            end = start._replace(col=len(_line(lines, start.line).rstrip("\r\n")))
        else:
            end = self.nb.position(end_line, end_col)
        return self.cell_uris[start.cell_index], lsp.Range(
            start=lsp.Position(line=start.line - 1, character=utf16(_line(lines, start.line), start.col)),
            end=lsp.Position(line=end.line - 1, character=utf16(_line(lines, end.line), end.col)),
        )

    def diagnostic(self, finding) -> Tuple[str, object]:
        uri, where = self.place(finding)
        return uri, lsp.Diagnostic(
            range=where,
            message=in_cell_terms(self.nb, message(finding).split(" ", 1)[1]),
            severity=lsp.DiagnosticSeverity.Warning,
            code=finding.code,
            source=SOURCE,
        )

    def edit(self, new_source: str):
        """The WorkspaceEdit of a fixed module: TextEdits for each cell it changes; None if it cannot map."""
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


def publish(server, opened: _Open, published: Dict[str, List[str]]) -> None:
    """Diagnostics for every code cell of the notebook (empty lists clear old ones)."""
    notebook_uri = opened.uri
    by_cell = {uri: [] for uri in opened.code_uris}  # type: Dict[str, list]
    for finding in opened.findings:
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
                source=SOURCE,
            )
        )
    for gone in set(published.get(notebook_uri, ())) - set(by_cell):
        by_cell[gone] = []
    published[notebook_uri] = [uri for uri in by_cell if uri in opened.code_uris]
    for uri, diagnostics in by_cell.items():
        server.publish_diagnostics(uri, diagnostics)


def code_actions(
    opened: _Open,
    cell_uri: str,
    start_line: int,
    end_line: int,
    line_length: Optional[int],
    only: Optional[List[str]],
) -> list:
    """Quick fixes for the findings on lines ``start_line..end_line`` (0-based) of one cell, and
    fix-all, from the findings of ``opened`` (they carry their edits: no second analysis)."""
    wants_quick_fix = wanted(lsp.CodeActionKind.QuickFix, only)
    wants_fix_all = wanted(lsp.CodeActionKind.SourceFixAll, only)
    if not (wants_quick_fix or wants_fix_all):
        return []
    if opened.nb.errors:
        return []  # as lp-fix: a notebook with a cell that does not parse is not rewritten
    findings = [f for f in opened.findings if f.edits]
    actions = []
    for finding in findings if wants_quick_fix else ():
        uri, where = opened.place(finding)
        if uri != cell_uri or not start_line <= where.start.line <= end_line:
            continue
        fixed = fix_findings(opened.nb.source, [finding], line_length)
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
        fixed = fix_findings(opened.nb.source, findings, line_length)
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


class Notebooks(object):
    """The notebook features of a server: each notebook's last analysis, and its debounce."""

    def __init__(self, server, settings: Settings, line_length: Optional[int], policy):
        self.server, self.settings, self.line_length, self.policy = server, settings, line_length, policy
        self.published = {}  # type: Dict[str, List[str]]
        self.opened = {}  # type: Dict[str, _Open]
        self.debounce = Debounce(server, self.publish)

    def publish(self, notebook_uri: str) -> None:
        opened = self.opened[notebook_uri] = _Open(self.server, notebook_uri, self.settings, self.policy)
        publish(self.server, opened, self.published)

    def close(self, notebook_uri: str) -> None:
        self.debounce.cancel(notebook_uri)
        self.opened.pop(notebook_uri, None)
        for uri in self.published.pop(notebook_uri, ()):
            self.server.publish_diagnostics(uri, [])

    def notebook_of(self, uri: str) -> Optional[str]:
        """The notebook URI of a cell URI, or None."""
        document = self.server.workspace.get_notebook_document(cell_uri=uri)
        return None if document is None else document.uri

    def code_actions(self, notebook_uri: str, cell_uri: str, start_line: int, end_line: int, only) -> list:
        opened = self.opened.get(notebook_uri)
        if opened is None or not opened.current(self.server):
            self.debounce.now(notebook_uri)  # a change still waiting: analyse (and publish) it now
            opened = self.opened[notebook_uri]
        return code_actions(opened, cell_uri, start_line, end_line, self.line_length, only)


def register(server, settings: Settings, line_length: Optional[int], policy) -> Notebooks:
    """Add the notebook features to ``server``."""
    notebooks = Notebooks(server, settings, line_length, policy)
    register_sync(server, NOTEBOOK_SYNC, lambda params: params.notebook_document.uri, notebooks.debounce,
                  notebooks.close)
    return notebooks

"""lp-fix's machine-readable reports: JSON records and SARIF 2.1.0 for code scanning."""
import json
import os
from typing import Dict, List, Optional, Sequence

from flake8_learning_phase import __version__
from flake8_learning_phase.core import rules
from flake8_learning_phase.core.registry import HOMEPAGE
from flake8_learning_phase.frontends import notebooks as _notebooks
from flake8_learning_phase.frontends.common import message
from flake8_learning_phase.frontends.rule_pages import absolute_links, plain_links, render_page

_NOT_WRITTEN = "nothing is written with --check or --diff"


def records(outcomes: Sequence, written: bool) -> List[Dict]:
    """One record per finding: where, what, and whether it was fixed (or why not).

    ``call_sites_updated`` counts the calls the fix updates: updated when it
    was applied, *would be* updated under --check/--diff (as the summary
    says), 0 when it was not (a failed write: ``not_fixed_because`` says why).
    """
    rows = []
    for outcome in outcomes:
        fixed = set(outcome.fixed)
        unwritten = set(outcome.unwritten)
        for finding in outcome.findings:
            applied = finding in fixed and written
            if applied:
                reason = None
            elif finding in fixed:
                reason = _NOT_WRITTEN
            elif finding in unwritten:
                reason = outcome.error
            else:
                reason = finding.manual or "no safe edit"
            rows.append(
                {
                    "path": outcome.path,
                    "line": finding.line,
                    "column": finding.col + 1,
                    "code": finding.code,
                    "message": message(finding),
                    "fixable": bool(finding.edits),
                    "fix_applied": applied,
                    "not_fixed_because": reason,
                    "call_sites_updated": len(finding.call_sites) if finding in fixed else 0,
                    "manual_edit": finding.manual,
                    "end_line": finding.end_line,
                    "end_column": None if finding.end_col is None else finding.end_col + 1,
                }
            )
            _in_cell(rows[-1], outcome)
    return rows


def _in_cell(row: Dict, outcome) -> None:
    """A notebook's record: lines in the cell's own coordinates, and the cell (nbQA's and ruff's view)."""
    cell = _notebooks.where(outcome.cells, row["line"])
    if cell is None:
        return
    end = _notebooks.where(outcome.cells, row["end_line"])
    row.update(line=cell.line, end_line=end.line if end is not None else None)
    row.update(_notebooks.cell_fields(cell))


def _errors(outcomes: Sequence) -> List[Dict]:
    """One record per file that could not be processed; per unparsable cell for a notebook."""
    rows = []
    for o in outcomes:
        if not o.error:
            continue
        for error in o.cell_errors:
            rows.append(
                {
                    "path": o.path,
                    "error": "cannot parse: {}".format(error.message),
                    "line": error.line,
                    "column": error.col + 1,
                    "cell_index": error.cell_index,
                    "cell_number": error.cell_number,
                    "cell_id": error.cell_id,
                }
            )
        if not o.cell_errors:
            rows.append({"path": o.path, "error": o.error})
    return rows


def flake8_report(outcomes: Sequence, written: bool) -> str:
    """flake8's default format, one line per finding: ``path:line:col: LP100 message``.

    In a notebook, ``path:cell_N:line:col:`` as nbQA prints it (N counts code
    cells only, from 1; the line is the cell's).  Files that could
    not be processed are on standard error, as always.
    """
    lines = []
    for outcome in outcomes:
        for finding in outcome.findings:
            lines.append(
                "{}:{}: {}\n".format(
                    _notebooks.prefix(outcome.path, outcome.cells, finding.line), finding.col + 1, message(finding)
                )
            )
    return "".join(lines)


def json_report(outcomes: Sequence, written: bool) -> str:
    errors = _errors(outcomes)
    totals = {
        "files_checked": len(outcomes),
        "files_fixed" if written else "files_would_be_fixed": sum(o.changed for o in outcomes),
        "call_sites_updated" if written else "call_sites_would_be_updated": sum(o.call_sites for o in outcomes),
        "manual_edits": sum(len(o.manual) for o in outcomes),
        "files_with_errors": sum(bool(o.error) for o in outcomes),
    }
    report = {"findings": records(outcomes, written), "errors": errors, "summary": totals}
    return json.dumps(report, indent=2) + "\n"


def sarif_report(outcomes: Sequence, written: bool) -> str:
    registered = rules()
    index = {rule.code: position for position, rule in enumerate(registered)}
    results = []
    for row in records(outcomes, written):
        results.append(
            {
                "ruleId": row["code"],
                "ruleIndex": index[row["code"]],
                "level": "warning",
                # The rule id is in ruleId: the text is the message alone.
                "message": {"text": _without_code(row["message"], row["code"])},
                "locations": [
                    _location(row["path"], row["line"], row["column"], row["end_line"], row["end_column"], row)
                ],
            }
        )
    notifications = [
        {
            "level": "error",
            "message": {"text": "{}: {}".format(e["path"], e["error"])},
            "locations": [_location(e["path"], e.get("line"), e.get("column"), cell=e)],
        }
        for e in _errors(outcomes)
    ]
    run = {
        "tool": {
            "driver": {
                "name": "flake8-learning-phase",
                "version": __version__,
                "informationUri": HOMEPAGE,
                "rules": [_rule(rule) for rule in registered],
            }
        },
        "invocations": [{"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}],
        # Columns count characters (code points), as the core does, not UTF-16 units.
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    report = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    return json.dumps(report, indent=2) + "\n"


def _rule(rule) -> Dict:
    return {
        "id": rule.code,
        "name": "".join(word.capitalize() for word in rule.title.replace("'", "").split()),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.detects},
        "help": {
            "text": plain_links("{} {}".format(rule.why, rule.fix)),
            "markdown": absolute_links(render_page(rule)),
        },
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["correctness", "keras", "tensorflow"]},
    }


def _without_code(message: str, code: str) -> str:
    return message[len(code) + 1:] if message.startswith(code + " ") else message


def _location(
    path: str,
    line,
    column,
    end_line: Optional[int] = None,
    end_column: Optional[int] = None,
    cell: Optional[Dict] = None,
) -> Dict:
    """A SARIF location.  In a notebook (``cell`` has ``cell_number``), the region is in the
    cell's coordinates and the cell is in the location's ``properties.cell``: SARIF 2.1.0 has no
    notebook cells, and a line of the .ipynb JSON text would not say where the code is."""
    location = {"artifactLocation": _artifact(path)}
    if line is not None:
        region = {"startLine": line, "startColumn": column}
        if end_line is not None and end_column is not None:  # Python 3.7's ast has no end
            region.update(endLine=end_line, endColumn=end_column)
        location["region"] = region
    result = {"physicalLocation": location}  # type: Dict
    if cell is not None and cell.get("cell_number") is not None:
        result["properties"] = {
            "cell": {"index": cell["cell_index"], "number": cell["cell_number"], "id": cell["cell_id"]}
        }
    return result


def _artifact(path: str) -> Dict:
    """Relative to the working folder, with forward slashes, as code scanning expects.

    Percent-encoded (RFC 3986): a space, ``#``, ``%`` or a non-ASCII letter in
    a name would otherwise make an invalid URI or point at another file.
    """
    # Imported for SARIF only: pathlib and urllib.parse cost every lp-fix run ~6 ms at start-up.
    import pathlib
    from urllib.parse import quote

    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": pathlib.Path(absolute).as_uri()}
    return {"uri": quote(pathlib.PurePath(relative).as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}

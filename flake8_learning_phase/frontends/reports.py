"""lp-fix's machine-readable reports: JSON records and SARIF 2.1.0 for code scanning."""
import json
import os
import pathlib
from typing import Dict, List, Sequence

from flake8_learning_phase import __version__
from flake8_learning_phase.core import rules
from flake8_learning_phase.core.registry import HOMEPAGE
from flake8_learning_phase.frontends.rule_pages import render_page

_NOT_WRITTEN = "nothing is written with --check or --diff"


def records(outcomes: Sequence, written: bool) -> List[Dict]:
    """One record per finding: where, what, and whether it was fixed (or why not)."""
    rows = []
    for outcome in outcomes:
        fixed = set(outcome.fixed)
        for finding in outcome.findings:
            applied = finding in fixed and written
            if applied:
                reason = None
            elif finding in fixed:
                reason = _NOT_WRITTEN
            else:
                reason = finding.manual or "no safe edit"
            rows.append(
                {
                    "path": outcome.path,
                    "line": finding.line,
                    "column": finding.col + 1,
                    "code": finding.code,
                    "message": finding.message,
                    "fixable": bool(finding.edits),
                    "fix_applied": applied,
                    "not_fixed_because": reason,
                    "call_sites_updated": len(finding.call_sites) if applied else 0,
                    "manual_edit": finding.manual,
                }
            )
    return rows


def json_report(outcomes: Sequence, written: bool) -> str:
    errors = [{"path": o.path, "error": o.error} for o in outcomes if o.error]
    return json.dumps({"findings": records(outcomes, written), "errors": errors}, indent=2) + "\n"


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
                "message": {"text": row["message"]},
                "locations": [_location(row["path"], row["line"], row["column"])],
            }
        )
    notifications = [
        {
            "level": "error",
            "message": {"text": "{}: {}".format(o.path, o.error)},
            "locations": [_location(o.path, None, None)],
        }
        for o in outcomes
        if o.error
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
        "help": {"text": "{} {}".format(rule.why, rule.fix), "markdown": render_page(rule)},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["correctness", "keras", "tensorflow"]},
    }


def _location(path: str, line, column) -> Dict:
    location = {"artifactLocation": _artifact(path)}
    if line is not None:
        location["region"] = {"startLine": line, "startColumn": column}
    return {"physicalLocation": location}


def _artifact(path: str) -> Dict:
    """Relative to the working folder, with forward slashes, as code scanning expects."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    if relative.startswith(os.pardir):
        return {"uri": pathlib.Path(absolute).as_uri()}
    return {"uri": pathlib.PurePath(relative).as_posix(), "uriBaseId": "%SRCROOT%"}

"""lp-fix's machine-readable reports: JSON records and SARIF 2.1.0 for code scanning."""
import json
import os
import pathlib
import re
from typing import Dict, List, Optional, Sequence
from urllib.parse import quote

from flake8_learning_phase import __version__
from flake8_learning_phase.core import rules
from flake8_learning_phase.core.registry import HOMEPAGE
from flake8_learning_phase.frontends.rule_pages import render_page

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
        unwritten = set(getattr(outcome, "unwritten", ()))
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
                    "message": finding.message,
                    "fixable": bool(finding.edits),
                    "fix_applied": applied,
                    "not_fixed_because": reason,
                    "call_sites_updated": len(finding.call_sites) if finding in fixed else 0,
                    "manual_edit": finding.manual,
                    "end_line": finding.end_line,
                    "end_column": None if finding.end_col is None else finding.end_col + 1,
                }
            )
    return rows


def json_report(outcomes: Sequence, written: bool) -> str:
    errors = [{"path": o.path, "error": o.error} for o in outcomes if o.error]
    totals = {
        "files_checked": len(outcomes),
        "files_fixed" if written else "files_would_be_fixed": sum(o.changed for o in outcomes),
        "call_sites_updated" if written else "call_sites_would_be_updated": sum(o.call_sites for o in outcomes),
        "manual_edits": sum(len(o.manual) for o in outcomes),
        "files_with_errors": len(errors),
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
                    _location(row["path"], row["line"], row["column"], row["end_line"], row["end_column"])
                ],
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
        "help": {"text": _plain("{} {}".format(rule.why, rule.fix)), "markdown": _absolute_links(render_page(rule))},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["correctness", "keras", "tensorflow"]},
    }


def _without_code(message: str, code: str) -> str:
    return message[len(code) + 1:] if message.startswith(code + " ") else message


_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def _absolute(target: str) -> str:
    """A link of a rule page (relative to docs/rules/) as an absolute URL."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
        return target
    return "{}/blob/main/docs/{}".format(HOMEPAGE, os.path.normpath("rules/" + target).replace(os.sep, "/"))


def _absolute_links(markdown: str) -> str:
    return _LINK.sub(lambda m: "[{}]({})".format(m.group(1), _absolute(m.group(2))), markdown)


def _plain(markdown: str) -> str:
    return _LINK.sub(lambda m: "{} ({})".format(m.group(1), _absolute(m.group(2))), markdown)


def _location(path: str, line, column, end_line: Optional[int] = None, end_column: Optional[int] = None) -> Dict:
    location = {"artifactLocation": _artifact(path)}
    if line is not None:
        region = {"startLine": line, "startColumn": column}
        if end_line is not None and end_column is not None:  # Python 3.7's ast has no end
            region.update(endLine=end_line, endColumn=end_column)
        location["region"] = region
    return {"physicalLocation": location}


def _artifact(path: str) -> Dict:
    """Relative to the working folder, with forward slashes, as code scanning expects.

    Percent-encoded (RFC 3986): a space, ``#``, ``%`` or a non-ASCII letter in
    a name would otherwise make an invalid URI or point at another file.
    """
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": pathlib.Path(absolute).as_uri()}
    return {"uri": quote(pathlib.PurePath(relative).as_posix(), safe="/"), "uriBaseId": "%SRCROOT%"}

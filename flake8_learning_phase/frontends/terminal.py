"""lp-fix's terminal output in ruff's shape: ``check``'s findings with their source, its summary,
``--statistics``, the rules listing and the rule pages (``lp-fix rule``).

Only text: what to show comes from the outcomes and options ``cli`` hands over.
"""
import sys
from collections import Counter
from typing import List, Optional, Sequence

from flake8_learning_phase.core import Finding, get, rules
from flake8_learning_phase.frontends import notebooks as _notebooks
from flake8_learning_phase.frontends.rule_pages import terminal_page

# Marks a finding that ``check --fix`` fixes (ruff's mark).
FIXABLE = "[*] "


def _plural(count: int, one: str, many: str) -> str:
    return "{} {}".format(count, one if count == 1 else many)


def checked(outcomes: Sequence) -> str:
    """``3 files checked (2 without any rule's words, not parsed)``: the files read, and how many
    of them the prefilter passed over (a missing or unreadable file is not counted)."""
    read = [o for o in outcomes if not o.unreadable]
    skipped = sum(o.skipped for o in read)
    text = _plural(len(read), "file", "files") + " checked"
    return text + (" ({} without any rule's words, not parsed)".format(skipped) if skipped else "")


def _fixable(finding: Finding, options) -> bool:
    return bool(finding.edits) and options.allows(finding)


def _header(path: str, outcome, finding: Finding, options) -> str:
    mark = FIXABLE if _fixable(finding, options) else ""
    code, _, text = finding.message.partition(" ")
    where = _notebooks.prefix(path, outcome.cells, finding.line)
    return "{}:{}: {} {}{}".format(where, finding.col + 1, code, mark, text)


def _number(outcome, line: int) -> Optional[int]:
    """The line number a reader sees: the file's, or the line in its cell (None: another cell)."""
    if outcome.cells is None:
        return line
    cell = outcome.cells.get(line)
    return None if cell is None else cell.line


def _source(outcome, finding: Finding) -> List[str]:
    """ruff's snippet: the finding's line with two around it, the reported part underlined."""
    lines = outcome.lines
    cell = outcome.cells.get(finding.line) if outcome.cells is not None else None
    shown = []
    for n in range(max(1, finding.line - 2), min(len(lines), finding.line + 2) + 1):
        other = outcome.cells.get(n) if outcome.cells is not None else None
        if cell is not None and (other is None or other.cell_index != cell.cell_index):
            continue
        shown.append((n, _number(outcome, n)))
    if not shown:
        return []
    width = max(len(str(number)) for _, number in shown)
    gutter = " " * width + " |"
    out = [gutter]
    for n, number in shown:
        text = lines[n - 1].expandtabs(4)
        out.append("{:>{}} | {}".format(number, width, text).rstrip())
        if n == finding.line:
            raw = lines[n - 1]
            start = len(raw[: finding.col].expandtabs(4))
            if finding.end_line == finding.line and finding.end_col is not None:
                end = len(raw[: finding.end_col].expandtabs(4))
            else:
                end = len(text.rstrip())
            out.append("{} {}{} {}".format(gutter, " " * start, "^" * max(1, end - start), finding.code))
    out.append(gutter)
    return out


def _help(finding: Finding, options) -> Optional[str]:
    rule = get(finding.code)
    if finding.edits and options.allows(finding):
        return rule.fix_title
    if finding.edits:
        return "{} (unsafe: lp-fix check --fix --unsafe-fixes)".format(rule.fix_title)
    return finding.manual


def report_check(outcome, options) -> None:
    """One file's part of ``lp-fix check``: errors on stderr; the diff or fixed standard input,
    then (full or concise) the findings left, on stdout, or on stderr when stdout carries source."""
    path = options.shown_path(outcome.path)
    if outcome.output:
        sys.stdout.flush()
        sys.stdout.buffer.write(outcome.output)
        sys.stdout.buffer.flush()
    for error in outcome.cell_errors:
        _err(_notebooks.cell_error(path, error))
    if outcome.error and not outcome.cell_errors:
        _err("{}: {}".format(path, outcome.error))
    if options.format not in ("full", "concise") or options.verbosity < 0 or options.diff:
        return  # with --diff the diff alone is on stdout, as ruff prints it
    stream = sys.stderr if outcome.output else sys.stdout
    for finding in outcome.remaining(options.writes):
        lines = [_header(path, outcome, finding, options)]
        if options.show_source and outcome.lines:
            lines += _source(outcome, finding)
            hint = _help(finding, options)
            if hint:
                lines.append("  = help: {}".format(hint))
            lines.append("")
        print("\n".join(lines), file=stream)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def check_summary(outcomes: Sequence, options) -> None:
    """ruff's closing lines: what was found, fixed and left, how to fix the rest; then how many
    files were checked, and how many the prefilter passed over unparsed."""
    if options.verbosity < 0 or options.format not in ("full", "concise"):
        return
    stream = sys.stderr if options.diff or any(o.output for o in outcomes) else sys.stdout
    written = options.writes
    found = sum(len(o.findings) for o in outcomes)
    fixed = sum(len(o.fixed) for o in outcomes if o.changed and o.error is None) if written else 0
    left = [f for o in outcomes for f in o.remaining(written)]
    lines = []
    if not found:
        lines.append("All checks passed!")
    elif written and fixed:
        found_text = _plural(found, "finding", "findings")
        lines.append("Found {} ({} fixed, {} remaining).".format(found_text, fixed, len(left)))
    else:
        lines.append("Found {}.".format(_plural(found, "finding", "findings")))
    fixable = sum(_fixable(f, options) for f in left) if not written else 0
    hidden = sum(bool(f.edits) and not options.allows(f) for f in left)
    hint = "({} can be enabled with the `--unsafe-fixes` option)".format(_plural(hidden, "hidden fix", "hidden fixes"))
    if fixable:
        lines.append("[*] {} fixable with the `--fix` option{}.".format(fixable, " " + hint if hidden else ""))
    elif hidden:
        lines.append("No fixes available {}.".format(hint))
    lines.append(checked(outcomes) + ".")
    errors = sum(o.error is not None for o in outcomes)
    if errors:
        lines.append("{} could not be processed.".format(_plural(errors, "file", "files")))
    print("\n".join(lines), file=stream)


def statistics(outcomes: Sequence, options) -> str:
    """``--statistics``: per code, how many findings are left, and whether ``--fix`` fixes them."""
    left = [f for o in outcomes for f in o.remaining(options.writes)]
    counts = Counter(f.code for f in left)
    fixable = {f.code for f in left if _fixable(f, options)}
    return "".join(
        "{:>5}\t{}\t{}{}\n".format(count, code, FIXABLE if code in fixable else " " * len(FIXABLE), get(code).title)
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def rules_table() -> str:
    """``lp-fix rule --all`` (``--list-rules``): every registered rule, one line each."""
    rows = [("code", "fix", "safety", "title")]
    rows += [(r.code, r.fixability, r.safety if r.unsafe_when is None else r.safety + "*", r.title) for r in rules()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3] for row in rows]
    if any(r.unsafe_when is not None for r in rules()):
        lines.append("* some of its fixes are unsafe (see lp-fix rule CODE)")
    return "\n".join(lines) + "\n"


def explain_page(code: str) -> str:
    return terminal_page(get(code))

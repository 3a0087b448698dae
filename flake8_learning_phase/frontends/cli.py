"""``lp-fix``: the command-line front end, in ruff's shape, with black's pre-commit form kept.

``lp-fix check [--fix] [--unsafe-fixes] [--diff] PATH...`` reports findings
(with their source, as ``ruff check`` does) and fixes them with ``--fix``;
``lp-fix rule CODE`` / ``lp-fix rule --all`` explain and list the rules.
``lp-fix PATH...`` (no command) is the pre-commit form: it writes every fix and
says which files it fixed.  docs/lp-fix.md lists the exit codes: 0 nothing to
report or change; 1 findings (``check``) or changes and manual edits (the
pre-commit form); 2 usage error; 123 a file could not be read, parsed or
written.  Findings, diffs, reports and fixed standard input go to stdout;
errors, and the pre-commit form's messages, to stderr.
"""
import gc
import os
import sys
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from flake8_learning_phase.core import Finding, codes as registered_codes
from flake8_learning_phase.core.records import Record, field, replace
from flake8_learning_phase.fixer import fix_source
from flake8_learning_phase.frontends import documents, files as _files, notebooks as _notebooks, reports, terminal
from flake8_learning_phase.frontends.common import message, reason
from flake8_learning_phase.frontends.options import CHECK, RULE, STDIN, Options, parse_options
from flake8_learning_phase.frontends.paths import iter_paths
from flake8_learning_phase.notebook import CellError, CellPosition

EXIT_CLEAN, EXIT_CHANGED, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 123
# Lines shown above and below a finding's line with its source (ruff shows as many).
CONTEXT = 2


class Outcome(Record, frozen=False):
    """What processing one file did."""

    path: str
    changed: bool = False
    call_sites: int = 0
    manual: List[Tuple[int, str]] = field(factory=list)
    error: Optional[str] = None
    output: bytes = b""  # the diff, or the (fixed) source read from stdin
    findings: Tuple[Finding, ...] = ()
    fixed: Tuple[Finding, ...] = ()
    held: Tuple[Finding, ...] = ()  # fixable, but unsafe and not allowed
    unwritten: Tuple[Finding, ...] = ()  # fixed in memory, but the write failed
    skipped: bool = False  # no rule's words in it: not parsed (the prefilter)
    unreadable: bool = False  # missing, a folder, or not readable: not checked at all
    # Notebooks only: the cell of each line of ``findings``, ``manual`` (and the lines shown
    # around them), and the cells that do not parse.
    cells: Optional[Dict[int, CellPosition]] = None
    cell_errors: Tuple[CellError, ...] = ()
    lines: Tuple[str, ...] = ()  # the analysed text's lines, to show a finding's source

    def remaining(self, written: bool) -> Tuple[Finding, ...]:
        """The findings still in the file once this run is over: every one when nothing is
        ``written``, else those not fixed."""
        done = set(self.fixed) if written and self.changed and self.error is None else set()
        return tuple(f for f in self.findings if f not in done)

    def write(self, data: bytes, expected: bytes) -> None:
        """Write the fixed file; a failed write undoes what the outcome claims and says why."""
        try:
            _files.write(self.path, data, expected)
        except (_files.SourceError, OSError) as error:
            self.changed, self.fixed, self.unwritten = False, (), self.fixed
            self.call_sites = 0
            self.error = "cannot write: {}".format(getattr(error, "strerror", None) or error)


def process(path: str, raw: bytes, options: Options) -> Outcome:
    """Check and fix one file's bytes, a .py file or a notebook alike; never raises for bad input,
    reports it in ``error``.  Only a file the prefilter passes is decoded, and libcst runs only
    when a fix is written or shown."""
    outcome = Outcome(path)
    stdin = path == STDIN
    named = options.shown_path(path)
    codes = options.policy.codes_for(named, options.codes)
    if not documents.might_matter(path, raw, codes):
        outcome.skipped = True
        outcome.output = _echo(path, raw, options)
        return outcome
    try:
        document = documents.load(path, raw, stdin)
    except tuple(documents.LOAD_ERRORS) as error:
        outcome.error = "{}: {}".format(documents.LOAD_ERRORS[type(error)], error)
        outcome.output = _echo(path, raw, options)
        return outcome
    if options.policy.skips_file(document.text):
        outcome.output = _echo(path, raw, options)
        return outcome
    try:
        result = fix_source(
            document.text,
            options.settings,
            codes,
            keep=options.policy.keeps(document.text),
            path=None if stdin and not options.stdin_filename else named,
            line_length=options.line_length,
            apply=options.applies and not document.errors,
            allow=options.allows,
            tree=document.tree,
        )
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        outcome.error = "cannot parse: {}".format(reason(error))
        outcome.output = _echo(path, raw, options)
        return outcome
    result = document.in_own_terms(result)
    outcome.findings, outcome.held = result.findings, result.held
    if options.show_source:
        outcome.lines = tuple(document.text.splitlines())
    outcome.cells = document.positions(_shown_lines(result, options))
    if document.errors:
        # A cell that does not parse: its intended code is unknown, so the notebook is left as it is.
        outcome.cell_errors = document.errors
        first = document.errors[0]
        outcome.error = "cannot parse: cell {}, line {}: {}".format(first.cell_number, first.line, first.message)
        outcome.unwritten = result.fixed
        return outcome
    outcome.manual = list(result.manual)
    if not result.changed:
        outcome.output = _echo(path, raw, options)
        return outcome
    new_raw = raw
    if options.applies:
        try:
            new_raw = document.rewrite(result.source)
            if options.diff:
                outcome.output = document.diff(new_raw, named).encode("utf-8", "surrogateescape")
        except (documents.NotebookError, ValueError) as error:
            outcome.error = "cannot fix: {}".format(error)
            outcome.unwritten = result.fixed
            return outcome
    outcome.changed = True
    outcome.fixed = result.fixed
    outcome.call_sites = result.call_sites_updated
    if stdin:
        outcome.output = new_raw if _echoes(options) else outcome.output
    elif options.writes:
        outcome.write(new_raw, raw)
    return outcome


def _shown_lines(result, options: Options) -> List[int]:
    """The lines whose cell a report names: the findings', the notes', and those shown around them."""
    lines = {f.line for f in result.findings} | {f.end_line for f in result.findings if f.end_line}
    lines |= {line for line, _ in result.manual}
    if options.show_source:
        lines |= {n for f in result.findings for n in range(f.line - CONTEXT, f.line + CONTEXT + 1) if n > 0}
    return sorted(lines)


def _echoes(options: Options) -> bool:
    """Standard input's (fixed) source goes to stdout: the pre-commit form without --check/--diff,
    and ``check --fix`` (as black and ruff do)."""
    return options.writes


def _echo(path: str, raw: bytes, options: Options) -> bytes:
    """What ``-`` prints for input it does not change: the input (black and ruff do the same),
    so an editor filter such as ``:%!lp-fix -`` never empties the buffer."""
    return raw if path == STDIN and _echoes(options) else b""


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _plural(count: int, one: str, many: str) -> str:
    return "{} {}".format(count, one if count == 1 else many)


def summary(outcomes: Sequence[Outcome], options: Options) -> str:
    would = options.check or options.diff
    changed = sum(o.changed for o in outcomes)
    parts = [
        _plural(changed, "file", "files") + (" would be fixed" if would else " fixed"),
        _plural(sum(o.call_sites for o in outcomes), "call site", "call sites")
        + (" would be updated" if would else " updated"),
        _plural(sum(len(o.manual) for o in outcomes), "needs", "need") + " a manual edit",
    ]
    errors = sum(o.error is not None for o in outcomes)
    if errors:
        parts.append(_plural(errors, "file", "files") + " could not be processed")
    return "{}: {}".format(terminal.checked(outcomes), ", ".join(parts))


def _read(path: str) -> bytes:
    if path == STDIN:
        return sys.stdin.buffer.read()
    if os.path.isdir(path):
        raise _files.SourceError("is a directory")
    return _files.read(path)


def _process_path(path: str, options: Options) -> Outcome:
    try:
        return process(path, _read(path), options)
    except _files.SourceError as error:
        return Outcome(path, error="cannot read: {}".format(error), unreadable=True)


def _pool_context():
    """Worker processes are started by a fork server, never forked from this process: fork()
    from a process with threads (ProcessPoolExecutor's own, on Python 3.12+) can deadlock the
    child, and Python 3.13 warns.  The server imports lp-fix once; each worker is forked from it."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _outcomes(paths: Sequence[str], options: Options) -> Iterator[Outcome]:
    """Outcomes in path order.  Only files some rule's prefilter passes cost
    more than a read, so only they go to worker processes, and only when
    there are several.  Workers return outcomes and print nothing: only this
    process prints, in path order, so the output is the same as with ``-j 1``.
    """
    if options.jobs == 1:
        for path in paths:
            yield _process_path(path, options)
        return
    pending: List[Tuple[str, Optional[Outcome]]] = []
    for path in paths:
        if path == STDIN:
            # Standard input is this process's: a worker's is /dev/null.
            pending.append((path, _process_path(path, options)))
            continue
        try:
            raw = _read(path)
        except _files.SourceError as error:
            pending.append((path, Outcome(path, error="cannot read: {}".format(error), unreadable=True)))
            continue
        codes = options.policy.codes_for(path, options.codes)
        pending.append((path, None if documents.might_matter(path, raw, codes) else process(path, raw, options)))
    parse = [path for path, outcome in pending if outcome is None]
    if len(parse) > 1:
        from concurrent.futures import ProcessPoolExecutor

        workers = min(options.jobs, len(parse))
        with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
            parsed = dict(zip(parse, pool.map(_process_path, parse, [options] * len(parse))))
    else:
        parsed = {path: _process_path(path, options) for path in parse}
    for path, outcome in pending:
        yield outcome if outcome is not None else parsed[path]


def console_main() -> int:
    """The ``lp-fix`` command: :func:`main` once the imports' objects are out of the collector's way.

    What the imports made lives until exit. ``gc.freeze()`` moves it out of the cyclic
    collector's generations, so the collections that parsing and analysis trigger stop scanning
    it again (about 5% of ``lp-fix --check`` on the bench's notebook tree). Not in :func:`main`,
    which tests call many times in one process: freezing there would keep their garbage.
    """
    gc.freeze()
    return main()


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:
        # ``lp-fix check . | head``: the reader is gone; say nothing more (as ruff and flake8), and
        # point standard output at /dev/null so that the flush at exit does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CHANGED


def _run(argv: Optional[Sequence[str]]) -> int:
    try:
        options = parse_options(argv)
    except SystemExit as exit_:
        return EXIT_CLEAN if exit_.code in (0, None) else EXIT_USAGE
    if options.command == RULE and options.explain is None:
        sys.stdout.write(terminal.rules_table())
        return EXIT_CLEAN
    if options.explain is not None:
        return explain(options.explain)
    paths = list(iter_paths(options.paths, options.exclude, options.policy))
    if not paths and options.verbosity >= 0:
        _say("warning: No Python files found under the given path(s)")
    outcomes = []
    for outcome in _outcomes(paths, options):
        outcomes.append(outcome)
        if options.command == CHECK:
            terminal.report_check(outcome, options)
        else:
            _report(outcome, options)
    if options.format not in ("text", "full", "concise"):
        report = {
            "sarif": reports.sarif_report, "json": reports.json_report, "flake8": reports.flake8_report
        }[options.format]
        shown = [_renamed(o, options) for o in outcomes]
        sys.stdout.write(report(shown, options.writes))
    if options.statistics:
        sys.stdout.write(terminal.statistics(outcomes, options))
    if options.command == CHECK:
        terminal.check_summary(outcomes, options)
        status = EXIT_CHANGED if any(o.remaining(options.writes) for o in outcomes) else EXIT_CLEAN
    else:
        if options.verbosity >= 0:
            _say(summary(outcomes, options))
        status = EXIT_CHANGED if any(o.changed or o.manual for o in outcomes) else EXIT_CLEAN
    if any(o.error for o in outcomes):
        return EXIT_ERROR
    return EXIT_CLEAN if options.exit_zero else status


def _renamed(outcome: Outcome, options: Options) -> Outcome:
    """The outcome under the name reports give it (``--stdin-filename`` for ``-``)."""
    shown = options.shown_path(outcome.path)
    return outcome if shown == outcome.path else replace(outcome, path=shown)


def explain(code: str) -> int:
    """``lp-fix rule LP100`` / ``--explain LP100``: the rule's page for a terminal (like ``ruff rule``)."""
    wanted = code.strip().upper()
    if wanted not in registered_codes():
        _say("lp-fix: error: unknown code {!r}; the codes are {}".format(code, ", ".join(registered_codes())))
        return EXIT_USAGE
    sys.stdout.write(terminal.explain_page(wanted))
    return EXIT_CLEAN


def _report(outcome: Outcome, options: Options) -> None:
    """The pre-commit form's messages, on standard error (stdout: the diff or the fixed source)."""
    path = options.shown_path(outcome.path)
    if outcome.output:
        sys.stdout.flush()
        sys.stdout.buffer.write(outcome.output)
        sys.stdout.buffer.flush()
    if outcome.cell_errors:
        for error in outcome.cell_errors:
            _say(_notebooks.cell_error(path, error))
    elif outcome.error:
        _say("{}: {}".format(path, outcome.error))
    if options.verbosity < 0 or (outcome.error and not outcome.cell_errors):
        return
    if options.verbosity > 0:
        for finding in outcome.findings:
            where = _notebooks.prefix(path, outcome.cells, finding.line)
            _say("{}:{}: {}".format(where, finding.col + 1, message(finding)))
    if outcome.changed and not options.diff:
        _say(("would fix " if options.check else "fixed ") + path)
    for line, note in outcome.manual:
        _say("{}: {}".format(_notebooks.prefix(path, outcome.cells, line), note))

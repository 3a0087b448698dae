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
import argparse
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from flake8_learning_phase import __version__
from flake8_learning_phase.core import Finding, Settings, codes as registered_codes, get
from flake8_learning_phase.fixer import fix_source
from flake8_learning_phase.frontends import (
    config,
    documents,
    files as _files,
    notebooks as _notebooks,
    suppression,
    terminal,
)
from flake8_learning_phase.frontends.common import message, reason
from flake8_learning_phase.notebook import CellError, CellPosition

EXIT_CLEAN, EXIT_CHANGED, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 123
STDIN = "-"
CHECK, RULE, LEGACY = "check", "rule", None
_VENV_MARKERS = ("pyvenv.cfg", "conda-meta")
# Lines shown above and below a finding's line with its source (ruff shows as many).
CONTEXT = 2


@dataclass(frozen=True)
class Options:
    """Parsed once from the command line, then passed down (to worker processes too)."""

    paths: Tuple[str, ...]
    settings: Settings
    codes: Tuple[str, ...]
    diff: bool
    check: bool  # the pre-commit form's --check
    verbosity: int  # -1 quiet, 0 normal, 1 verbose
    exclude: Tuple[str, ...]
    format: str  # text (full or concise in ``check``), json, sarif or flake8
    jobs: int
    explain: Optional[str] = None
    line_length: Optional[int] = None
    policy: suppression.Policy = suppression.Policy()
    command: Optional[str] = LEGACY
    fix: bool = False  # ``check --fix``
    unsafe_fixes: bool = False
    show_source: bool = False
    exit_zero: bool = False
    statistics: bool = False
    stdin_filename: Optional[str] = None

    @property
    def writes(self) -> bool:
        """Fixed files are written (the pre-commit form, ``check --fix``), not only shown."""
        if self.command == CHECK:
            return self.fix and not self.diff
        return not (self.diff or self.check)

    @property
    def applies(self) -> bool:
        """libcst runs: to write or to show a diff.  Otherwise (``--check``, ``check``) the findings'
        edits only say what would change."""
        return self.writes or self.diff

    def allows(self, finding: Finding) -> bool:
        """Whether ``finding``'s fix may be applied: the pre-commit form applies every fix, as
        always; ``check`` a safe one, and an unsafe one with ``--unsafe-fixes``."""
        return self.command != CHECK or self.unsafe_fixes or get(finding.code).safe_fix(finding)

    def shown_path(self, path: str) -> str:
        return self.stdin_filename if path == STDIN and self.stdin_filename else path


@dataclass
class Outcome:
    """What processing one file did."""

    path: str
    changed: bool = False
    call_sites: int = 0
    manual: List[Tuple[int, str]] = field(default_factory=list)
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


def _codes(value: str) -> List[str]:
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if not any(code.startswith(c) for code in registered_codes())]
    if unknown:
        raise argparse.ArgumentTypeError("unknown code(s): " + ", ".join(unknown))
    return codes


def _jobs(value: str) -> int:
    """``-j N``; ``0`` or ``auto``: one per core (ruff's and pytest-xdist's spelling)."""
    if value.strip().lower() in ("0", "auto"):
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of at least 1, 0 or auto")
    return int(value)


def _common(parser: argparse.ArgumentParser) -> None:
    """The options of ``check`` and the pre-commit form."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders; - for standard input")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="also print every finding")
    parser.add_argument(
        "--select",
        type=_codes,
        default=None,
        help="codes or prefixes to check and fix, replacing select of the config files (default: all)",
    )
    parser.add_argument(
        "--ignore",
        type=_codes,
        default=None,
        help="codes or prefixes to leave, replacing ignore of the config files",
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip paths matching GLOB (repeatable)"
    )
    config.add_learning_phase(parser)
    config.add_max_line_length(parser)
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        help="processes for the files that need parsing: N, or 0 / auto for one per core (the default)",
    )
    parser.add_argument(
        "--stdin-filename",
        default=None,
        metavar="PATH",
        help="the name of standard input (-) in reports and for per-file-ignores",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings or fixes")
    parser.add_argument("--statistics", action="store_true", help="print the number of findings per code")


def _legacy_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lp-fix",
        description="Add the learning phase and the model's updates to Keras training steps. "
        "Commands: 'lp-fix check PATH' reports (ruff's form), 'lp-fix rule CODE' explains; "
        "'lp-fix PATH' (this form) fixes in place, for pre-commit.",
    )
    _common(parser)
    parser.add_argument("--diff", action="store_true", help="print a unified diff; write nothing")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if something would change")
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif", "flake8"),
        default="text",
        help="also print a report on stdout: one JSON record per finding, SARIF 2.1.0, "
        "or one flake8-style line per finding (path:line:col: code message; path:cell_N:line:col: in notebooks)",
    )
    parser.add_argument(
        "--explain", metavar="CODE", default=None, help="print the rule's page (what, why, the fix) and exit"
    )
    parser.add_argument("--list-rules", action="store_true", help="list every rule (as 'lp-fix rule --all') and exit")
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    return parser


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lp-fix check",
        description="Report the findings in PATHs with their source; fix them with --fix (as 'ruff check').",
    )
    _common(parser)
    parser.add_argument("--fix", action="store_true", help="apply the safe fixes")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply (or with --diff, show) unsafe fixes")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    parser.add_argument(
        "--output-format",
        "--format",
        dest="format",
        choices=("full", "concise", "json", "sarif", "flake8"),
        default=None,
        help="full (the default: each finding with its source), concise (one line each), json, sarif or flake8",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--show-source", dest="show_source", action="store_true", default=None)
    source.add_argument("--no-show-source", dest="show_source", action="store_false")
    return parser


def _rule_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lp-fix rule", description="Explain a rule, or list them all.")
    parser.add_argument("code", nargs="?", metavar="CODE")
    parser.add_argument("--all", action="store_true", help="list every rule: code, fix, safety, title")
    return parser


def parse_options(argv: Optional[Sequence[str]]) -> Options:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in (CHECK, RULE) else LEGACY
    if command == RULE:
        parser = _rule_parser()
        args = parser.parse_args(argv[1:])
        if (args.code is None) == (not args.all):
            parser.error("give a CODE or --all")
        return _bare(command=RULE, explain=args.code)
    parser = _check_parser() if command == CHECK else _legacy_parser()
    args = parser.parse_args(argv[1:] if command else argv)
    if command is LEGACY and args.list_rules:
        return _bare(command=RULE)
    if command is LEGACY and args.explain is not None:
        return _bare(explain=args.explain)
    if not args.paths:
        parser.error("give at least one PATH (- for standard input)")
    if args.paths.count(STDIN) > 1:
        parser.error("- (standard input) can be given only once")
    form = args.format or ("full" if args.show_source is not False else "concise") if command == CHECK else args.format
    # A report on stdout cannot share it with a diff, nor with the fixed source of standard input.
    echoes_source = STDIN in args.paths and (args.fix if command == CHECK else not args.check)
    if form in ("json", "sarif", "flake8") and (args.diff or echoes_source):
        parser.error("--format {} writes stdout: it cannot go with --diff or with fixed standard input".format(form))
    try:
        found = config.load()
    except config.ConfigError as error:
        parser.error(str(error))
    return Options(
        paths=tuple(args.paths),
        settings=config.settings(args, parser, found),
        codes=registered_codes(),
        diff=args.diff,
        check=command is LEGACY and args.check,
        verbosity=-1 if args.quiet else (1 if args.verbose else 0),
        exclude=tuple(p for value in args.exclude for p in value.split(",") if p),
        format=form,
        jobs=args.jobs,
        line_length=config.max_line_length(args, parser, found),
        policy=suppression.policy(found, select=args.select, ignore=args.ignore),
        command=command,
        fix=command == CHECK and args.fix,
        unsafe_fixes=command == CHECK and args.unsafe_fixes,
        show_source=form == "full",
        exit_zero=args.exit_zero,
        statistics=args.statistics,
        stdin_filename=args.stdin_filename,
    )


def _bare(command: Optional[str] = LEGACY, explain: Optional[str] = None) -> Options:
    """Options of a run that reads no file (``--explain``, the rules listing)."""
    return Options((), Settings(), (), False, False, 0, (), "text", 1, explain=explain, command=command)


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    if not patterns:
        return False
    import fnmatch

    normal = os.path.normpath(path)
    return any(
        fnmatch.fnmatch(normal, p) or fnmatch.fnmatch(os.path.basename(normal), p) for p in patterns
    )


def iter_paths(
    paths: Sequence[str], exclude: Sequence[str], policy: suppression.Policy = suppression.Policy()
) -> Iterator[str]:
    """Files to process, each once: the given files, and ``*.py`` and ``*.ipynb`` below the given folders.

    A file named twice (``a.py a.py``, a folder and a file in it, a symlink
    and its target, two hard links) is processed once, under the first name it was met by:
    two workers on one file would race.  Hidden and virtualenv folders are
    skipped; symlinked folders are not followed, so a symlink loop cannot
    trap the walk.  Files and folders the config files' ``exclude``/``extend-exclude``
    match are skipped, named or found, as flake8 skips them.
    """
    seen = set()
    for path in _walk(paths, exclude, policy):
        key = _identity(path)
        if key not in seen:
            seen.add(key)
            yield path


def _identity(path: str):
    """What makes two names one file: its device and inode (one ``stat``, where ``realpath``
    costs one per path component), or the normalised path of a file that cannot be stat'ed
    (it is reported once, as unreadable)."""
    if path == STDIN:
        return path
    try:
        status = os.stat(path)
    except OSError:
        return os.path.normcase(os.path.abspath(path))
    return status.st_dev, status.st_ino


def _walk(paths: Sequence[str], exclude: Sequence[str], policy: suppression.Policy) -> Iterator[str]:
    for path in paths:
        if path == STDIN:
            yield path
            continue
        if _excluded(path, exclude) or policy.excluded(path):
            continue
        if not os.path.isdir(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and d != "__pycache__"
                and not any(os.path.exists(os.path.join(root, d, m)) for m in _VENV_MARKERS)
                and not _excluded(os.path.join(root, d), exclude)
                and not policy.excluded(os.path.join(root, d))
            )
            for name in sorted(files):
                full = os.path.join(root, name)
                if (
                    (name.endswith(".py") or _notebooks.is_notebook(name))
                    and not _excluded(full, exclude)
                    and not policy.excluded(full)
                ):
                    yield full


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


def main(argv: Optional[Sequence[str]] = None) -> int:
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
        from flake8_learning_phase.frontends import reports as _reports

        report = {
            "sarif": _reports.sarif_report, "json": _reports.json_report, "flake8": _reports.flake8_report
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
    import dataclasses

    shown = options.shown_path(outcome.path)
    return outcome if shown == outcome.path else dataclasses.replace(outcome, path=shown)


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
            _say("{}:cell_{}:{}:{}: cannot parse: {}".format(path, error.cell_number, error.line, error.col + 1, error.message))
    elif outcome.error:
        _say("{}: {}".format(path, outcome.error))
    if options.verbosity < 0 or (outcome.error and not outcome.cell_errors):
        return
    if options.verbosity > 0:
        for finding in outcome.findings:
            _say("{}:{}: {}".format(_notebooks.prefix(path, outcome.cells, finding.line), finding.col + 1, message(finding)))
    if outcome.changed and not options.diff:
        _say(("would fix " if options.check else "fixed ") + path)
    for line, note in outcome.manual:
        _say("{}: {}".format(_notebooks.prefix(path, outcome.cells, line), note))

"""``lp-fix``: the command-line front end of the fixer, with black/ruff/pyupgrade conventions.

Exit status: 0 nothing to change (also when the paths hold no Python file:
a warning says so, as ruff's does); 1 something was (or, with --check/--diff,
would be) changed or needs a manual edit; 2 usage error; 123 a file could not
be read, parsed or written.  Messages go to stderr; stdout carries only the
diff, the report (--format), or, for ``-``, the fixed source (the input
itself when it cannot be fixed, as black and ruff echo it).
"""
import argparse
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from flake8_learning_phase import __version__
from flake8_learning_phase.core import Finding, Settings, codes as registered_codes, might_matter, split_lines
from flake8_learning_phase.fixer import fix_source
from flake8_learning_phase.frontends import config, files as _files, notebooks as _notebooks, suppression

EXIT_CLEAN, EXIT_CHANGED, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 123
STDIN = "-"
_VENV_MARKERS = ("pyvenv.cfg", "conda-meta")


@dataclass(frozen=True)
class Options:
    """Parsed once from the command line, then passed down."""

    paths: Tuple[str, ...]
    settings: Settings
    codes: Tuple[str, ...]
    diff: bool
    check: bool
    verbosity: int  # -1 quiet, 0 normal, 1 verbose
    exclude: Tuple[str, ...]
    format: str  # text, json or sarif
    jobs: int
    explain: Optional[str] = None
    line_length: Optional[int] = None
    policy: suppression.Policy = suppression.Policy()

    @property
    def writes(self) -> bool:
        return not (self.diff or self.check)


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
    unwritten: Tuple[Finding, ...] = ()  # fixed in memory, but the write failed
    # Notebooks only: the cell of each line of ``findings`` and ``manual`` (frontends/notebooks.py),
    # and the cells that do not parse: (cell_index, cell_number, cell_id, line, col, message).
    cells: Optional[Dict[int, Tuple[int, int, Optional[str], int]]] = None
    cell_errors: Tuple[Tuple[int, int, Optional[str], int, int, str], ...] = ()

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lp-fix",
        description="Add the learning phase and the model's updates to Keras training steps.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to fix; - for stdin")
    parser.add_argument("--diff", action="store_true", help="print a unified diff; write nothing")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if something would change")
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
        "--format",
        choices=("text", "json", "sarif", "flake8"),
        default="text",
        help="also print a report on stdout: one JSON record per finding, SARIF 2.1.0, "
        "or one flake8-style line per finding (path:line:col: code message; path:cell_N:line:col: in notebooks)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        help="processes for the files that need parsing (default: all cores)",
    )
    parser.add_argument(
        "--explain", metavar="CODE", default=None, help="print the rule's page (what, why, the fix) and exit"
    )
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    return parser


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of at least 1")
    return int(value)


def parse_options(argv: Optional[Sequence[str]]) -> Options:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.explain is None and not args.paths:
        parser.error("give at least one PATH (- for standard input), or --explain CODE")
    if args.paths.count(STDIN) > 1:
        parser.error("- (standard input) can be given only once")
    if args.format != "text" and (args.diff or STDIN in args.paths):
        parser.error("--format {} writes stdout: it cannot go with --diff or -".format(args.format))
    try:
        found = config.load()
    except config.ConfigError as error:
        parser.error(str(error))
    return Options(
        paths=tuple(args.paths),
        settings=config.settings(args, parser, found),
        codes=registered_codes(),
        diff=args.diff,
        check=args.check,
        verbosity=-1 if args.quiet else (1 if args.verbose else 0),
        exclude=tuple(args.exclude),
        format=args.format,
        jobs=args.jobs,
        explain=args.explain,
        line_length=config.max_line_length(args, parser, found),
        policy=suppression.policy(found, select=args.select, ignore=args.ignore),
    )


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
    """Fix one file's bytes; never raises for bad input, reports it in ``error``."""
    outcome = Outcome(path)
    codes = options.policy.codes_for(path, options.codes)
    if path != STDIN and _notebooks.is_notebook(path):
        return _notebooks.process(path, raw, options, outcome, codes)
    if not might_matter(raw, codes):
        outcome.output = raw if path == STDIN else b""
        return outcome
    try:
        source = _files.decode(raw)
        if options.policy.skips_file(source.text):
            outcome.output = raw if path == STDIN else b""
            return outcome
        result = fix_source(
            source.text,
            options.settings,
            codes,
            keep=options.policy.keeps(source.text),
            path=None if path == STDIN else path,
            line_length=options.line_length,
            # --check alone writes and shows nothing: no need to run libcst (~10x ast.parse).
            apply=options.diff or not options.check,
        )
        new_raw = _files.encode(source, result.source)
    except _files.SourceError as error:
        outcome.error = "cannot parse: {}".format(error)
        outcome.output = _echo(path, raw, options)
        return outcome
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        outcome.error = "cannot parse: {}".format(_reason(error))
        outcome.output = _echo(path, raw, options)
        return outcome
    outcome.changed = result.changed
    outcome.findings, outcome.fixed = result.findings, result.fixed
    outcome.call_sites = result.call_sites_updated
    outcome.manual = list(result.manual)
    if options.diff and result.changed:
        import difflib

        outcome.output = "".join(
            difflib.unified_diff(
                split_lines(source.text),
                split_lines(result.source),
                fromfile=path,
                tofile=path,
            )
        ).encode("utf-8", "surrogateescape")
    elif path == STDIN and not options.check:
        outcome.output = new_raw
    if result.changed and options.writes and path != STDIN:
        outcome.write(new_raw, raw)
    return outcome


def _echo(path: str, raw: bytes, options: Options) -> bytes:
    """What ``-`` prints for input it cannot fix: the input, unchanged (black and ruff do the same),
    so an editor filter such as ``:%!lp-fix -`` never empties the buffer."""
    return raw if path == STDIN and not (options.check or options.diff) else b""


def _reason(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return "{} (line {})".format(error.msg, error.lineno)
    if isinstance(error, (RecursionError, MemoryError)):
        return "nested too deeply for the parser"  # Python 3.7's parser says MemoryError
    return str(error) or type(error).__name__


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
    return "{} checked: {}".format(_plural(len(outcomes), "file", "files"), ", ".join(parts))


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
        return Outcome(path, error="cannot read: {}".format(error))


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
            pending.append((path, Outcome(path, error="cannot read: {}".format(error))))
            continue
        pending.append((path, None if might_matter(raw, options.codes) else process(path, raw, options)))
    parse = [path for path, outcome in pending if outcome is None]
    if len(parse) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(options.jobs, len(parse))) as pool:
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
    if options.explain is not None:
        return explain(options.explain)
    paths = list(iter_paths(options.paths, options.exclude, options.policy))
    if not paths and options.verbosity >= 0:
        _say("warning: No Python files found under the given path(s)")
    outcomes = []
    for outcome in _outcomes(paths, options):
        outcomes.append(outcome)
        _report(outcome, options)
    if options.format != "text":
        from flake8_learning_phase.frontends import reports as _reports

        report = {
            "sarif": _reports.sarif_report, "json": _reports.json_report, "flake8": _reports.flake8_report
        }[options.format]
        sys.stdout.write(report(outcomes, options.writes))
    if options.verbosity >= 0:
        _say(summary(outcomes, options))
    if any(o.error for o in outcomes):
        return EXIT_ERROR
    return EXIT_CHANGED if any(o.changed or o.manual for o in outcomes) else EXIT_CLEAN


def explain(code: str) -> int:
    """``lp-fix --explain LP100``: the rule's page, from the registry (like ``ruff rule``)."""
    from flake8_learning_phase.core import get
    from flake8_learning_phase.frontends.rule_pages import render_page

    wanted = code.strip().upper()
    if wanted not in registered_codes():
        _say("lp-fix: error: unknown code {!r}; the codes are {}".format(code, ", ".join(registered_codes())))
        return EXIT_USAGE
    sys.stdout.write(render_page(get(wanted)))
    return EXIT_CLEAN


def _report(outcome: Outcome, options: Options) -> None:
    if outcome.output:
        sys.stdout.flush()
        sys.stdout.buffer.write(outcome.output)
        sys.stdout.buffer.flush()
    if outcome.cell_errors:
        for _, number, _, line, col, message in outcome.cell_errors:
            _say("{}:cell_{}:{}:{}: cannot parse: {}".format(outcome.path, number, line, col + 1, message))
    elif outcome.error:
        _say("{}: {}".format(outcome.path, outcome.error))
    if options.verbosity < 0 or (outcome.error and not outcome.cell_errors):
        return
    if options.verbosity > 0:
        for finding in outcome.findings:
            _say("{}:{}: {}".format(_notebooks.prefix(outcome, finding.line), finding.col + 1, finding.message))
    if outcome.changed and not options.diff:
        _say(("would fix " if options.check else "fixed ") + outcome.path)
    for line, note in outcome.manual:
        _say("{}: {}".format(_notebooks.prefix(outcome, line), note))

"""lp-fix's command line: the options of ``lp-fix check``, ``lp-fix rule`` and the pre-commit form,
parsed once into :class:`Options` (the config files read here too) and passed down."""
import argparse
import os
import sys
from typing import List, Optional, Sequence, Tuple

from flake8_learning_phase import __version__
from flake8_learning_phase.core import Finding, Settings, codes as registered_codes, get
from flake8_learning_phase.core.records import Record
from flake8_learning_phase.frontends import config, suppression

STDIN = "-"
CHECK, RULE, LEGACY = "check", "rule", None


class Options(Record):
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

"""What the user silenced, decided as flake8 decides it, for every front end.

A finding flake8 would not print is neither reported nor fixed by lp-fix, nor
published or fixed by lp-lsp: ``# noqa`` and ``# noqa: LP100,LP200`` on the
reported line (flake8's own pattern; a line continued with a backslash or
inside a multi-line string counts as one line, as flake8 reads it), a
``# flake8: noqa`` line (the whole file), ``select``/``extend-select``/
``ignore``/``extend-ignore`` (flake8's own decision engine, longest prefix
wins), ``per-file-ignores`` (the longest matching pattern), ``exclude``/
``extend-exclude``, and ``disable-noqa``.  Values come from :mod:`.config`
(command line > ``[tool.lp-fix]`` > flake8's section).
"""
import argparse
import io
import logging
import os
import tokenize
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from flake8 import defaults as _defaults, utils as _utils

from flake8_learning_phase.core import Finding, Settings, check_source, codes as registered_codes
from flake8_learning_phase.core.records import Record, field
from flake8_learning_phase.frontends.config import FileConfig

_LOG = logging.getLogger(__name__)
# The plugin's entry-point name: flake8 selects the codes it reports by default.
PLUGIN_CODE = "LP"


class Choice(Record):
    """select / extend-select / ignore / extend-ignore, as flake8 holds them (None: not given)."""

    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Optional[Tuple[str, ...]] = None
    extend_ignore: Tuple[str, ...] = ()

    @property
    def default(self) -> bool:
        """Nothing chosen: flake8 then reports every code of its plugins."""
        return self == Choice()

    def selected(self, codes: Sequence[str], more_ignored: Sequence[str] = ()) -> Tuple[str, ...]:
        """The ``codes`` flake8 reports under this choice (and ``more_ignored``, per-file-ignores)."""
        if self.default and not more_ignored:
            return tuple(codes)
        # Imported when a choice is made: flake8's style guide costs lp-fix's start-up otherwise.
        from flake8.style_guide import Decision

        engine = self._engine(more_ignored)
        return tuple(code for code in codes if engine.decision_for(code) is Decision.Selected)

    def _engine(self, more_ignored: Sequence[str]):
        from flake8.style_guide import DecisionEngine

        # Codes registered under other letters than the plugin's are selected by default too.
        extra = sorted({code.rstrip("0123456789") for code in registered_codes()} - {PLUGIN_CODE})
        return DecisionEngine(
            argparse.Namespace(
                select=None if self.select is None else list(self.select),
                extend_select=list(self.extend_select),
                ignore=None if self.ignore is None else list(self.ignore),
                extend_ignore=list(self.extend_ignore) + list(more_ignored),
                extended_default_select=[PLUGIN_CODE] + extra,
                extended_default_ignore=[],
            )
        )


class Policy(Record):
    """The user's suppressions: which files, which codes per file, and ``# noqa``."""

    choice: Choice = Choice()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # (pattern, codes)
    exclude: Tuple[str, ...] = tuple(_defaults.EXCLUDE)
    disable_noqa: bool = False
    _cache: Dict = field(factory=dict, compare=False, repr=False)

    def excluded(self, path: str) -> bool:
        """flake8's ``exclude``: a pattern matches the file's name or its absolute path."""
        if path == "-":
            return False
        return _utils.matches_filename(
            path, patterns=self.exclude, log_message='"%(path)s" has %(whether)sbeen excluded', logger=_LOG
        )

    def codes_for(self, path: Optional[str], wanted: Sequence[str]) -> Tuple[str, ...]:
        """The codes of ``wanted`` that flake8 would report in ``path`` (select/ignore, per-file-ignores)."""
        extra = self._per_file_codes(path)
        key = (extra, tuple(wanted))
        if key not in self._cache:
            self._cache[key] = self.choice.selected(wanted, extra)
        return self._cache[key]

    def _per_file_codes(self, path: Optional[str]) -> Tuple[str, ...]:
        """The codes of the longest ``per-file-ignores`` pattern matching ``path``: flake8 applies
        that entry only (the first of equally long ones)."""
        if path is None or path == "-":
            return ()
        matching = [
            (pattern, codes)
            for pattern, codes in self.per_file_ignores
            if _utils.matches_filename(path, patterns=[pattern], log_message="%(path)s %(whether)s", logger=_LOG)
        ]
        return max(matching, key=lambda entry: len(entry[0]))[1] if matching else ()

    def keeps(self, text: str) -> Callable[[Finding], bool]:
        """``keep(finding)``: False for a finding a ``# noqa`` comment of ``text`` silences."""
        if self.disable_noqa or "noqa" not in text.lower():
            return lambda finding: True
        noqa = NoqaLines(text)
        return lambda finding: not noqa.silences(finding.code, finding.line)

    def skips_file(self, text: str) -> bool:
        """A ``# flake8: noqa`` line: flake8 reports nothing in the file."""
        if self.disable_noqa or "noqa" not in text.lower():
            return False
        return any(_defaults.NOQA_FILE.match(line) for line in text.splitlines())

    def findings(self, text: str, settings: Settings, path: Optional[str]) -> List[Finding]:
        """What flake8 would print for ``text`` at ``path`` (None: unsaved); raises SyntaxError
        (or ValueError) for text that does not parse."""
        if path is not None and self.excluded(path):
            return []
        codes = self.codes_for(path, registered_codes())
        if not codes:
            return []
        return self.filter(text, check_source(text, settings, codes=codes, path=path))

    def filter(self, text: str, findings: Sequence[Finding]) -> List[Finding]:
        """The findings flake8 would print (after ``codes_for``): no ``# noqa``, no ``# flake8: noqa``."""
        if self.skips_file(text):
            return []
        keep = self.keeps(text)
        return [f for f in findings if keep(f)]


class NoqaLines:
    """flake8's "line searched for noqa": the physical line, or the lines of a token that spans
    several (a triple-quoted string, a backslash continuation) joined, as flake8's processor maps them."""

    def __init__(self, text: str):
        self.lines = text.splitlines(True)
        self._map: Optional[Dict[int, str]] = None

    def _mapping(self) -> Dict[int, str]:
        mapping: Dict[int, str] = {}
        low, high = len(self.lines) + 2, -1
        try:
            for kind, _, (start, _), (end, _), _ in tokenize.generate_tokens(io.StringIO("".join(self.lines)).readline):
                if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
                    continue
                low, high = min(low, start), max(high, end)
                if kind in (tokenize.NL, tokenize.NEWLINE):
                    joined = "".join(self.lines[low - 1:high])
                    mapping.update(dict.fromkeys(range(low, high + 1), joined))
                    low, high = len(self.lines) + 2, -1
        except (tokenize.TokenError, SyntaxError):
            return {}  # flake8 then reads the physical line
        return mapping

    def line(self, number: int) -> str:
        if self._map is None:
            self._map = self._mapping()
        found = self._map.get(number)
        if found is None:
            return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""
        return found

    def silences(self, code: str, number: int) -> bool:
        match = _defaults.NOQA_INLINE_REGEXP.search(self.line(number))
        if match is None:
            return False
        listed = match.groupdict()["codes"]
        if listed is None:
            return True
        codes = set(_utils.parse_comma_separated_list(listed))
        return code in codes or code.startswith(tuple(codes))


def _list(value: Optional[str]) -> Optional[Tuple[str, ...]]:
    return None if value is None else tuple(_utils.parse_comma_separated_list(value))


def _paths(value: str, folder: str) -> Tuple[str, ...]:
    """flake8's path option: a pattern with a ``/`` is relative to the config file's folder."""
    return tuple(_utils.normalize_paths(_utils.parse_comma_separated_list(value), parent=folder))


def policy(
    found: FileConfig,
    select: Optional[Sequence[str]] = None,
    ignore: Optional[Sequence[str]] = None,
    extend_select: Sequence[str] = (),
    extend_ignore: Sequence[str] = (),
) -> Policy:
    """The Policy of the config files, with the command line's options over them.

    ``select``/``ignore`` replace the files' (as flake8's options do);
    ``extend_*`` add to them.
    """

    def value(key: str) -> Optional[str]:
        got = found.get(key)
        return None if got is None else got[0]

    def folder(key: str) -> str:
        got = found.get(key)
        return os.curdir if got is None else got[1].folder

    choice = Choice(
        select=tuple(select) if select is not None else _list(value("select")),
        extend_select=(_list(value("extend_select")) or ()) + tuple(extend_select),
        ignore=tuple(ignore) if ignore is not None else _list(value("ignore")),
        extend_ignore=(_list(value("extend_ignore")) or ()) + tuple(extend_ignore),
    )
    excluded = _paths(value("exclude"), folder("exclude")) if value("exclude") is not None else tuple(
        _defaults.EXCLUDE
    )
    if value("extend_exclude") is not None:
        excluded += _paths(value("extend_exclude"), folder("extend_exclude"))
    per_file = value("per_file_ignores")
    mapping = _utils.parse_files_to_codes_mapping(per_file) if per_file else []
    return Policy(
        choice=choice,
        per_file_ignores=tuple((_utils.normalize_path(p), tuple(c)) for p, c in mapping),
        exclude=excluded,
        disable_noqa=(value("disable_noqa") or "").strip().lower() in ("1", "true", "yes", "on"),
    )

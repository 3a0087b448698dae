"""Configuration files, read where flake8 reads them, plus ``[tool.lp-fix]`` in pyproject.toml.

Every front end (lp-fix, lp-lsp) reads the same files, so what flake8 is told
(``lp-learning-phase``, ``max-line-length``, and what to select, ignore and
exclude) decides what every front end reports and fixes.  Precedence, from
strongest: the command line; ``[tool.lp-fix]`` in pyproject.toml; flake8's
section.  flake8's section is the first found from the working folder up: in
each folder, ``[tool.flake8]`` of pyproject.toml (as the Flake8-pyproject plug-in
reads it: lists joined with commas), else ``[flake8]`` of setup.cfg, tox.ini or
.flake8, in that order.  ``[tool.lp-fix]`` is read from the nearest
pyproject.toml that has it.
"""
import argparse
import os
from typing import Dict, Mapping, Optional, Tuple

from flake8_learning_phase.core import DEFAULT_LEARNING_PHASE, LEARNING_PHASE_FUNCTIONS, Settings
from flake8_learning_phase.core.records import Record, field

__all__ = [
    "DEFAULT_LEARNING_PHASE",
    "LEARNING_PHASE_FUNCTIONS",
    "LEARNING_PHASE_HELP",
    "FileConfig",
    "Section",
    "add_learning_phase",
    "load",
    "settings",
]

CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")
PYPROJECT = "pyproject.toml"
LEARNING_PHASE_HELP = (
    "backend function the fix inserts: learning_phase (default; tf.keras 1.15's public "
    "backend has no symbolic_learning_phase) or symbolic_learning_phase"
)
# flake8's (pycodestyle's) default line length, used when no config sets one.
DEFAULT_MAX_LINE_LENGTH = 79
# What [tool.lp-fix] may set (flake8's names; the learning phase without flake8's "lp-" prefix).
LP_FIX_KEYS = (
    "select",
    "extend_select",
    "ignore",
    "extend_ignore",
    "per_file_ignores",
    "exclude",
    "extend_exclude",
    "disable_noqa",
    "learning_phase",
    "max_line_length",
)


class ConfigError(ValueError):
    """A configuration file that cannot be read, or a value that makes no sense; says which."""


class Section(Record):
    """One configuration section as read: where from, and its values as flake8 sees them (strings)."""

    path: str
    values: Mapping[str, str] = field(factory=dict)  # keys spelled with "_"

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


class FileConfig(Record):
    """flake8's section and ``[tool.lp-fix]``, either possibly absent."""

    flake8: Optional[Section] = None
    lp_fix: Optional[Section] = None

    def get(self, key: str, flake8_key: Optional[str] = None) -> Optional[Tuple[str, Section]]:
        """``(value, section)`` of ``key``: from [tool.lp-fix] first, else from flake8's section
        (under ``flake8_key`` when flake8 spells it differently); None when neither sets it."""
        for section, name in ((self.lp_fix, key), (self.flake8, flake8_key or key)):
            if section is not None and name in section.values:
                return section.values[name], section
        return None


def _key(name: str) -> str:
    return name.strip().replace("-", "_")


def _toml_value(value) -> str:
    """A TOML value as flake8 reads the INI string: a list joined with commas (Flake8-pyproject),
    a table ``{pattern: codes}`` (per-file-ignores, as ruff writes it) as ``pattern:codes`` lines."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "\n".join("{}:{}".format(k, _toml_value(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(_toml_value(v) for v in value)
    return str(value)


def _toml():
    """The TOML reader, imported when a pyproject.toml is there to read: it costs ~7 ms of every
    lp-fix start-up otherwise (configparser likewise, below)."""
    try:  # Python 3.11+
        import tomllib
    except ImportError:  # pragma: no cover - the package requires tomli before 3.11
        import tomli as tomllib
    return tomllib


def _read_pyproject(folder: str) -> Dict:
    path = os.path.join(folder, PYPROJECT)
    if not os.path.isfile(path):
        return {}
    toml = _toml()
    try:
        with open(path, "rb") as handle:
            return toml.load(handle).get("tool", {})
    except (OSError, toml.TOMLDecodeError) as error:
        raise ConfigError("{}: {}".format(path, error)) from None


def _table(path: str, table) -> Section:
    if not isinstance(table, dict):
        raise ConfigError("{}: expected a table".format(path))
    return Section(path, {_key(k): _toml_value(v) for k, v in table.items()})


def _ini_section(folder: str) -> Optional[Section]:
    for name in CONFIG_FILES:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        import configparser

        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue
        if parser.has_section("flake8"):
            return Section(path, {_key(k): v for k, v in parser.items("flake8")})
    return None


def load(start: str = ".") -> FileConfig:
    """The configuration that applies in ``start`` (the working folder); raises ConfigError."""
    flake8: Optional[Section] = None
    lp_fix: Optional[Section] = None
    folder = os.path.abspath(start)
    while flake8 is None or lp_fix is None:
        tool = _read_pyproject(folder)
        pyproject = os.path.join(folder, PYPROJECT)
        if lp_fix is None and "lp-fix" in tool:
            lp_fix = _table(pyproject, tool["lp-fix"])
            unknown = sorted(set(lp_fix.values) - set(LP_FIX_KEYS))
            if unknown:
                raise ConfigError(
                    "{} [tool.lp-fix]: unknown key(s) {}; the keys are {}".format(
                        pyproject,
                        ", ".join(k.replace("_", "-") for k in unknown),
                        ", ".join(k.replace("_", "-") for k in LP_FIX_KEYS),
                    )
                )
        if flake8 is None:
            flake8 = _table(pyproject, tool["flake8"]) if "flake8" in tool else _ini_section(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return FileConfig(flake8, lp_fix)


def add_learning_phase(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--learning-phase",
        choices=LEARNING_PHASE_FUNCTIONS,
        default=None,
        help=LEARNING_PHASE_HELP + "; default: learning-phase in pyproject.toml's [tool.lp-fix], else "
        "flake8's lp-learning-phase (setup.cfg, tox.ini, .flake8 or [tool.flake8])",
    )


def settings(args: argparse.Namespace, parser: argparse.ArgumentParser, found: FileConfig) -> Settings:
    """The Settings for parsed ``args``: the option, else the config files, else the default."""
    learning_phase = args.learning_phase
    if learning_phase is None:
        try:
            learning_phase = learning_phase_from_config(found) or DEFAULT_LEARNING_PHASE
        except ValueError as error:
            parser.error(str(error))
    return Settings(learning_phase=learning_phase)


def add_max_line_length(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-line-length",
        type=int,
        default=None,
        metavar="N",
        help="wrap a call the fix makes longer than N characters; default: max-line-length from "
        "[tool.lp-fix], else flake8's (setup.cfg, tox.ini, .flake8 or [tool.flake8]), else {}".format(
            DEFAULT_MAX_LINE_LENGTH
        ),
    )


def max_line_length(args: argparse.Namespace, parser: argparse.ArgumentParser, found: FileConfig) -> int:
    """The option, else ``max-line-length`` from the config files, else 79."""
    if getattr(args, "max_line_length", None) is not None:
        if args.max_line_length < 1:
            parser.error("--max-line-length: expected a whole number of at least 1")
        return args.max_line_length
    value = found.get("max_line_length")
    if value is None:
        return DEFAULT_MAX_LINE_LENGTH
    text, section = value[0].strip(), value[1]
    if not text.isdigit() or int(text) < 1:
        parser.error("{}: max-line-length = {!r} is not a whole number".format(section.path, text))
    return int(text)


def learning_phase_from_config(found: FileConfig) -> Optional[str]:
    """The configured function name, or None when no config file sets it.

    Raises ValueError for a value that is not a learning-phase function.
    """
    value = found.get("learning_phase", "lp_learning_phase")
    if value is None:
        return None
    text, section = value[0].strip(), value[1]
    if text not in LEARNING_PHASE_FUNCTIONS:
        raise ValueError(
            "{}: lp-learning-phase = {!r} is not one of {}".format(
                section.path, text, ", ".join(LEARNING_PHASE_FUNCTIONS)
            )
        )
    return text

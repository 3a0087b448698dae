"""The one ``--learning-phase`` option, and its fallback to flake8's config files.

lp-fix and lp-lsp define the option here and honour flake8's
``lp-learning-phase`` setting, so one line in setup.cfg, tox.ini or .flake8
decides what every front end inserts.  Like flake8, the search goes from the
working folder up to the first file with a [flake8] section.
"""
import argparse
import configparser
import os
from typing import Optional

from flake8_learning_phase.core import DEFAULT_LEARNING_PHASE, LEARNING_PHASE_FUNCTIONS, Settings

__all__ = [
    "DEFAULT_LEARNING_PHASE",
    "LEARNING_PHASE_FUNCTIONS",
    "LEARNING_PHASE_HELP",
    "add_learning_phase",
    "settings",
]

CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")
LEARNING_PHASE_HELP = (
    "backend function the fix inserts: learning_phase (default; tf.keras 1.15's public "
    "backend has no symbolic_learning_phase) or symbolic_learning_phase"
)


def add_learning_phase(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--learning-phase",
        choices=LEARNING_PHASE_FUNCTIONS,
        default=None,
        help=LEARNING_PHASE_HELP + "; default: flake8's lp-learning-phase from setup.cfg, tox.ini or .flake8",
    )


def settings(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Settings:
    """The Settings for parsed ``args``: the option, else the config files, else the default."""
    learning_phase = args.learning_phase
    if learning_phase is None:
        try:
            learning_phase = learning_phase_from_config() or DEFAULT_LEARNING_PHASE
        except ValueError as error:
            parser.error(str(error))
    return Settings(learning_phase=learning_phase)


# flake8's (pycodestyle's) default line length, used when no config sets one.
DEFAULT_MAX_LINE_LENGTH = 79


def _flake8_section(start: str = "."):
    """(path, parser) of the first config file with a [flake8] section, from ``start`` up; else None."""
    folder = os.path.abspath(start)
    while True:
        for name in CONFIG_FILES:
            parser = configparser.RawConfigParser()
            try:
                parser.read(os.path.join(folder, name), encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            if parser.has_section("flake8"):
                return os.path.join(folder, name), parser
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def add_max_line_length(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-line-length",
        type=int,
        default=None,
        metavar="N",
        help="wrap a call the fix makes longer than N characters; default: flake8's max-line-length "
        "from setup.cfg, tox.ini or .flake8, else {}".format(DEFAULT_MAX_LINE_LENGTH),
    )


def max_line_length(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The option, else flake8's ``max-line-length`` from the config files, else 79."""
    if getattr(args, "max_line_length", None) is not None:
        if args.max_line_length < 1:
            parser.error("--max-line-length: expected a whole number of at least 1")
        return args.max_line_length
    found = _flake8_section()
    if found is not None:
        path, section = found
        for key in ("max-line-length", "max_line_length"):
            if section.has_option("flake8", key):
                value = section.get("flake8", key).strip()
                if not value.isdigit() or int(value) < 1:
                    parser.error("{}: max-line-length = {!r} is not a whole number".format(path, value))
                return int(value)
    return DEFAULT_MAX_LINE_LENGTH


def learning_phase_from_config(start: str = ".") -> Optional[str]:
    """The configured function name, or None when no flake8 config sets it.

    Raises ValueError for a value that is not a learning-phase function.
    """
    found = _flake8_section(start)
    if found is None:
        return None
    path, section = found
    for key in ("lp-learning-phase", "lp_learning_phase"):
        if section.has_option("flake8", key):
            value = section.get("flake8", key).strip()
            if value not in LEARNING_PHASE_FUNCTIONS:
                raise ValueError(
                    "{}: lp-learning-phase = {!r} is not one of {}".format(
                        path, value, ", ".join(LEARNING_PHASE_FUNCTIONS)
                    )
                )
            return value
    return None

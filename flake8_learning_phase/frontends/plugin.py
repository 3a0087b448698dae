"""The flake8 front end: a thin adapter that registers the option and yields findings.

flake8 hands every plugin the ``ast`` tree it already built, so the only cost
here is the core's own walk, and only for files some rule's prefilter passes.
"""
import argparse
import os
from typing import Iterator, List, Optional, Tuple

from flake8_learning_phase import __version__
from flake8_learning_phase.core import Settings, analyze, might_matter
from flake8_learning_phase.frontends.common import message
from flake8_learning_phase.frontends.config import LEARNING_PHASE_HELP, LEARNING_PHASE_FUNCTIONS, DEFAULT_LEARNING_PHASE
from flake8_learning_phase.frontends.files import SourceError, decode, read

# Not a rule: the one code for "Python cannot decode this file" (lp-fix: exit 123).
UNDECODABLE = "LP001"


class LearningPhaseChecker:
    """flake8 entry point ``LP``."""

    name = "flake8-learning-phase"
    version = __version__
    settings = Settings()

    def __init__(self, tree, lines: List[str], filename: str = "-"):
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, option_manager) -> None:
        option_manager.add_option(
            "--lp-learning-phase",
            default=DEFAULT_LEARNING_PHASE,
            choices=LEARNING_PHASE_FUNCTIONS,
            parse_from_config=True,
            help=LEARNING_PHASE_HELP,
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.settings = Settings(learning_phase=options.lp_learning_phase)

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        if not might_matter("".join(self.lines)):
            return
        undecodable = self._undecodable()
        if undecodable is not None:
            yield 1, 0, "{} Python cannot decode this file: {}".format(UNDECODABLE, undecodable), type(self)
            return
        for finding in analyze(self.tree, self.lines, self.settings, path=_path(self.filename)):
            yield finding.line, finding.col, message(finding), type(self)

    def _undecodable(self) -> Optional[str]:
        """Python's complaint about a file it cannot decode, else None.

        flake8 falls back to latin-1 for such a file and lints it; Python
        cannot import it, and lp-fix will not write it.  Rather than findings
        lp-fix then refuses to fix, the plugin says what Python would say,
        once.  Only files the prefilter passes are read again.
        """
        if self.filename in ("-", "stdin") or not os.path.isfile(self.filename):
            return None
        try:
            decode(read(self.filename))
        except SourceError as error:
            return str(error)
        return None


def _path(filename: str):
    """The file's path for the model resolver; None for standard input."""
    return None if filename in ("-", "stdin", "") else filename

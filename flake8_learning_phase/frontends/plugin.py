"""The flake8 front end: a thin adapter that registers the option and yields findings.

flake8 hands every plugin the ``ast`` tree it already built, so the only cost
here is the core's own walk, and only for files some rule's prefilter passes.
"""
import argparse
from typing import Iterator, List, Tuple

from flake8_learning_phase import __version__
from flake8_learning_phase.core import Settings, analyze
from flake8_learning_phase.frontends.config import LEARNING_PHASE_HELP, LEARNING_PHASE_FUNCTIONS, DEFAULT_LEARNING_PHASE


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
        for finding in analyze(self.tree, self.lines, self.settings, path=_path(self.filename)):
            yield finding.line, finding.col, finding.message, type(self)


def _path(filename: str):
    """The file's path for the model resolver; None for standard input."""
    return None if filename in ("-", "stdin", "") else filename

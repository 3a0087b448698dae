"""The flake8 option ``lp-learning-phase``, read from the files flake8 reads.

lp-fix and lp-lsp honour it too (issue 3), so one setting in setup.cfg,
tox.ini or .flake8 decides what every front end inserts.  Like flake8, the
search goes from the working folder up to the first file with a [flake8]
section.
"""
import configparser
import os
from typing import Optional

from flake8_learning_phase.core import LEARNING_PHASE_FUNCTIONS

CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")


def learning_phase_from_config(start: str = ".") -> Optional[str]:
    """The configured function name, or None when no flake8 config sets it.

    Raises ValueError for a value that is not a learning-phase function.
    """
    folder = os.path.abspath(start)
    while True:
        for name in CONFIG_FILES:
            parser = configparser.RawConfigParser()
            try:
                parser.read(os.path.join(folder, name), encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            if parser.has_section("flake8"):
                for key in ("lp-learning-phase", "lp_learning_phase"):
                    if parser.has_option("flake8", key):
                        value = parser.get("flake8", key).strip()
                        if value not in LEARNING_PHASE_FUNCTIONS:
                            raise ValueError("{}: lp-learning-phase = {!r} is not one of {}".format(
                                os.path.join(folder, name), value, ", ".join(LEARNING_PHASE_FUNCTIONS)))
                        return value
                return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent

"""flake8-learning-phase: find and fix Keras training steps that skip the learning phase.

The public surface is small: :func:`check_source` for findings, :func:`fix_source`
for the rewritten text, :class:`Settings`, and :func:`register` to add a rule
(the registry is :mod:`flake8_learning_phase.core.registry`; the built-in rule
families are the packages of :mod:`flake8_learning_phase.rules`, registered here,
above every layer, so that the core never imports the rules; so is the reader of the project's
notebooks).  The fixer (and libcst, ~0.3 s to import)
loads only when it is used: flake8 imports this package in every run.
"""
from flake8_learning_phase.core import Finding, Rule, Settings, check_source, register
from flake8_learning_phase.core.project import register_reader
from flake8_learning_phase.frontends.notebooks import PROJECT_READER, SUFFIX
from flake8_learning_phase.rules import BUILTIN

for _rule in BUILTIN:
    register(_rule)
# The project's notebooks are modules the resolver reads (a class constructed, a training
# function called with its models, in a notebook beside the package), for every entry point.
register_reader(SUFFIX, PROJECT_READER)

__version__ = "0.1.0"

__all__ = ["Finding", "FixResult", "Rule", "Settings", "check_source", "fix_source", "register", "__version__"]


def __getattr__(name):
    if name in ("FixResult", "fix_source"):
        from flake8_learning_phase import fixer

        return getattr(fixer, name)
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))

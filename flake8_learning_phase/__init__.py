"""flake8-learning-phase: find and fix Keras training steps that skip the learning phase.

The public surface is small: :func:`check_source` for findings, :func:`fix_source`
for the rewritten text, :class:`Settings`, and the rule registry
(:func:`register`, :func:`rules`).  The fixer (and libcst, ~0.3 s to import)
loads only when it is used: flake8 imports this package in every run.
"""
# The built-in rules' subpackage is imported first: importing a submodule binds its name in
# this package the first time only, and ``rules`` here is the registry's function.
import flake8_learning_phase.rules  # noqa: F401,E402  (isort: skip)
from flake8_learning_phase.core import Finding, Rule, Settings, check_source, register, rules  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Finding", "FixResult", "Rule", "Settings", "check_source", "fix_source", "register", "rules", "__version__"]


def __getattr__(name):
    if name in ("FixResult", "fix_source"):
        from flake8_learning_phase import fixer

        return getattr(fixer, name)
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))

"""flake8-learning-phase: find and fix Keras training steps that skip the learning phase.

The public surface is small: :func:`check_source` for findings, :func:`fix_source`
for the rewritten text, and :class:`Settings`.  Everything else is private.
"""
from flake8_learning_phase.core import Finding, Settings, check_source
from flake8_learning_phase.fixer import FixResult, fix_source

__version__ = "0.1.0"

__all__ = ["Finding", "FixResult", "Settings", "check_source", "fix_source", "__version__"]

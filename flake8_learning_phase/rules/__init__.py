"""The built-in rules, one module each; listed here, the one place they are registered.

Each module holds a rule's whole story: code, message, quick-fix title,
documentation, valid and invalid examples, prefilter and check.  The
``_``-prefixed modules hold the Keras knowledge several rules share.
"""
from flake8_learning_phase.rules import lp100, lp101, lp200, lp300
from flake8_learning_phase.rules.keras3_backends import lp301

BUILTIN = (lp100.RULE, lp101.RULE, lp200.RULE, lp300.RULE, lp301.RULE)

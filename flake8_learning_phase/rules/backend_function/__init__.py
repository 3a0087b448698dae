"""The TF1 backend-function family: ``K.function`` training steps (LP100, LP101, LP200).

:mod:`.steps` finds the steps (the optimizer's updates handed to
``K.function``) once per module; each rule module reads them.
:mod:`.terms` says what an inputs/updates expression is made of and
:mod:`.dataflow` what a loss is computed from.
"""
from flake8_learning_phase.rules.backend_function import lp100, lp101, lp200

RULES = (lp100.RULE, lp101.RULE, lp200.RULE)

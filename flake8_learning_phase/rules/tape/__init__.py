"""The TF2 tape family: ``tf.GradientTape`` loops and ``train_step`` overrides (LP300)."""
from flake8_learning_phase.rules.tape import lp300

RULES = (lp300.RULE,)

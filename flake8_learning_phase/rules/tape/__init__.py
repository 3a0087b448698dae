"""The TF2 / Keras 3 training-step family: ``tf.GradientTape`` loops and ``train_step``
overrides (LP300), and Keras 3's JAX and torch steps (:mod:`.keras3_backends`: LP300's JAX and
torch calls, LP301)."""
from flake8_learning_phase.rules.tape import lp300
from flake8_learning_phase.rules.tape.keras3_backends import lp301

RULES = (lp300.RULE, lp301.RULE)

"""Options parsed once into one immutable object that every front end passes down."""
from flake8_learning_phase.core.records import Record

LEARNING_PHASE_FUNCTIONS = ("learning_phase", "symbolic_learning_phase")
DEFAULT_LEARNING_PHASE = "learning_phase"


class Settings(Record):
    """What the analysis needs to know beyond the source.

    ``learning_phase`` is the backend function a fix inserts.  The default is
    ``learning_phase`` because tf.keras 1.15's public backend has no
    ``symbolic_learning_phase`` (only ``tensorflow.python.keras.backend`` does);
    in graph mode both return the same placeholder.
    """

    learning_phase: str = DEFAULT_LEARNING_PHASE

    def __post_init__(self) -> None:
        if self.learning_phase not in LEARNING_PHASE_FUNCTIONS:
            raise ValueError(
                "learning_phase must be one of {}, not {!r}".format(
                    ", ".join(LEARNING_PHASE_FUNCTIONS), self.learning_phase
                )
            )

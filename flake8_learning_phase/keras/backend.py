"""Which expressions name the Keras backend, resolved from the module's imports.

``K.function`` is the backend only when ``K`` was imported as one;
``tf.function``, ``theano.function`` or a local ``function`` are not: the
name is resolved through the imports that reach it, never by its spelling.
"""
import ast
import sys
from typing import Optional

from flake8_learning_phase.core.module import CallRecord, ModuleModel, Scope, qualified_name
from flake8_learning_phase.core.settings import LEARNING_PHASE_FUNCTIONS

# Every module path under which TF 1.x-era code reaches a Keras backend.
BACKEND_MODULES = frozenset(
    {
        "keras.backend",
        "keras.backend.tensorflow_backend",
        "keras.backend.theano_backend",
        "keras.backend.cntk_backend",
        "tensorflow.keras.backend",
        "tensorflow.python.keras.backend",
        "tensorflow.python.keras._impl.keras.backend",
        "tensorflow.compat.v1.keras.backend",
        "tensorflow.compat.v2.keras.backend",
        "tensorflow.contrib.keras.backend",
        "tensorflow.contrib.keras.api.keras.backend",
    }
)
# Said in a message when the model's construction cannot be seen (a library builder, a model
# loaded from disk): the finding is kept, since the bug is real when the model has them.
# Messages stay within 114 characters after the code, what sarif-tools shows whole.
UNSEEN_MODEL = "matters if the model has BatchNormalization or Dropout"


def backend_member(node: ast.expr, scope: Scope, seq: int = sys.maxsize, blocks: tuple = ()) -> Optional[str]:
    """``function`` for ``K.function`` when ``K`` is a Keras backend module where it is used."""
    name = qualified_name(node, scope, seq, blocks)
    if name is None:
        return None
    module, _, member = name.rpartition(".")
    return member if module in BACKEND_MODULES else None


def backend_module(record: CallRecord) -> Optional[str]:
    """The backend module whose member ``record`` calls, or None."""
    name = qualified_name(record.node.func, record.scope, record.seq, record.blocks)
    module = None if name is None else name.rpartition(".")[0]
    return module if module in BACKEND_MODULES else None


def calls_backend(record: CallRecord, member: str) -> bool:
    """True when ``record`` calls the backend's ``member`` (``K.function``, ``function``, ...)."""
    return backend_member(record.node.func, record.scope, record.seq, record.blocks) == member


def sets_training_phase(model: ModuleModel) -> bool:
    """The module calls the backend's ``set_learning_phase(1)`` (or ``True``): in tf.keras 2 a
    layer called without ``training`` then reads that global phase and runs in training mode."""
    for record in model.calls_of("set_learning_phase"):
        args = record.node.args
        if calls_backend(record, "set_learning_phase") and len(args) == 1 \
                and type(args[0]).__name__ in ("Constant", "Num", "NameConstant") \
                and getattr(args[0], "value", getattr(args[0], "n", None)) in (1, True):
            return True
    return False


def is_phase_call(node: ast.expr, scope: Scope, seq: int = sys.maxsize, blocks: tuple = ()) -> bool:
    """``K.learning_phase()`` / ``K.symbolic_learning_phase()`` in any spelling."""
    return isinstance(node, ast.Call) and backend_member(node.func, scope, seq, blocks) in LEARNING_PHASE_FUNCTIONS

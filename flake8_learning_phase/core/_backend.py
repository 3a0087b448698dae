"""Which expressions name the Keras backend, resolved from the module's imports.

``K.function`` is the backend only when ``K`` was imported as one; ``tf.function``,
``theano.function`` or a local ``function`` are not (issue 2).
"""
import ast
from typing import Optional

from flake8_learning_phase.core._index import ASSIGN, IMPORT, Scope, dotted

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
PHASE_FUNCTIONS = ("learning_phase", "symbolic_learning_phase")

_MAX_ALIAS_DEPTH = 5


def qualified_name(node: ast.expr, scope: Scope, depth: int = 0) -> Optional[str]:
    """The import path ``node`` stands for (``K.function`` -> ``keras.backend.function``)."""
    text = dotted(node)
    if text is None or depth > _MAX_ALIAS_DEPTH:
        return None
    root, dot, rest = text.partition(".")
    owner = scope.lookup(root)
    if owner is None:
        return None
    binding = owner.bindings[root][-1]
    if binding.kind == IMPORT:
        base = binding.value
    elif binding.kind == ASSIGN and dotted(binding.value) is not None:
        # ``K = tf.keras.backend``: an alias made by assignment.
        base = qualified_name(binding.value, binding.scope, depth + 1)
        if base is None:
            return None
    else:
        return None
    return base + dot + rest


def backend_member(node: ast.expr, scope: Scope) -> Optional[str]:
    """``function`` for ``K.function`` when ``K`` is a Keras backend module, else None."""
    name = qualified_name(node, scope)
    if name is None:
        return None
    module, _, member = name.rpartition(".")
    return member if module in BACKEND_MODULES else None


def is_phase_call(node: ast.expr, scope: Scope) -> bool:
    """``K.learning_phase()`` / ``K.symbolic_learning_phase()`` in any spelling."""
    return isinstance(node, ast.Call) and backend_member(node.func, scope) in PHASE_FUNCTIONS

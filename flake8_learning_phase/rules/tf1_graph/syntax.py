"""What a TF 1.x graph file's text says, rule-neutral: constants, feed dicts, collections, imports.

The small questions the LP4xx rules and :mod:`.graph` share: is this the
UPDATE_OPS collection or a Keras model's updates, which dict a feed is, how
this file spells TensorFlow and the learning phase of its Keras.
"""
import ast
import sys
from typing import Optional, Tuple

from flake8_learning_phase.core.module import (
    Assignment,
    CallRecord,
    Import,
    ModuleModel,
    Scope,
    dotted,
    qualified_name,
    reaching,
)
from flake8_learning_phase.keras.backend import BACKEND_MODULES, calls_backend
from flake8_learning_phase.flow.terms import Context


def phase_pinned(model: ModuleModel) -> bool:
    """The module calls ``set_learning_phase``: the phase is a Python int the run need not feed."""
    return any(calls_backend(record, "set_learning_phase") for record in model.calls_of("set_learning_phase"))


def dict_literal(node: ast.expr, where: Context) -> Optional[ast.Dict]:
    """The dict display ``node`` is, or the one a name is bound to once and never changed."""
    if isinstance(node, ast.Dict):
        return node
    if not isinstance(node, ast.Name):
        return None
    bindings = reaching(where.scope, node.id, where.seq, where.blocks)
    if len(bindings) != 1 or not isinstance(bindings[0], Assignment) or not isinstance(bindings[0].value, ast.Dict):
        return None
    if _mutated(bindings[0].scope, node.id):
        return None
    return bindings[0].value


def _mutated(scope: Scope, name: str) -> bool:
    """``name[k] = v`` or ``name.update(...)`` somewhere in the scope: the literal is not all it holds."""
    for node in ast.walk(scope.node):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == name:
                return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
            "update", "setdefault"
        ) and isinstance(node.func.value, ast.Name) and node.func.value.id == name:
            return True
    return False


def is_update_ops(node: ast.expr) -> bool:
    """``tf.get_collection(tf.GraphKeys.UPDATE_OPS)`` in any spelling (``"update_ops"`` too)."""
    if not is_call_to(node, "get_collection") or not node.args:
        return False
    key = node.args[0]
    text = dotted(key) or string_value(key) or ""
    return text.endswith("UPDATE_OPS") or text == "update_ops"


def is_keras_updates(node: ast.expr) -> bool:
    """``m.updates``, ``m.get_updates_for(x)`` or ``m.get_updates_for``: a Keras model's update ops."""
    if isinstance(node, ast.Attribute):
        return node.attr in ("updates", "get_updates_for")
    return is_call_to(node, "get_updates_for")


def module_alias(model: ModuleModel, qualified: Tuple[str, ...]) -> Optional[str]:
    """The module-level name an ``import`` binds to one of ``qualified`` (``tf`` for tensorflow)."""
    for name, bindings in model.module.bindings.items():
        # A notebook imports it again in later cells: every binding must be that import.
        if all(isinstance(b, Import) and b.qualified in qualified for b in bindings):
            return name
    return None


def tensorflow_alias(model: ModuleModel) -> Optional[str]:
    return module_alias(model, ("tensorflow", "tensorflow.compat.v1"))


def keras_flavour(model: ModuleModel) -> Optional[str]:
    """``keras`` (standalone) or ``tf`` by the file's imports and its ``tf.keras...`` calls; None
    when it uses both (their learning phases are different placeholders)."""
    standalone = tf = False
    for bindings in model.module.bindings.values():
        for binding in bindings:
            if isinstance(binding, Import):
                root = binding.qualified
                standalone = standalone or root == "keras" or root.startswith("keras.")
                tf = tf or ".keras" in root and root.startswith("tensorflow")
    if standalone and not tf:
        tf = any(_calls_tf_keras(record) for records in model.attribute_calls.values() for record in records)
    if standalone and tf:
        return None
    return "keras" if standalone else "tf"


def _calls_tf_keras(record: CallRecord) -> bool:
    """``tf.keras.layers.Dense(...)`` and the like: tf.keras reached through ``tensorflow``."""
    text = dotted(record.node.func) or ""
    if ".keras." not in text:
        return False
    name = qualified_name(record.node.func, record.scope, record.seq, record.blocks) or ""
    return name.startswith("tensorflow.")


def phase_spelling(model: ModuleModel) -> Optional[str]:
    """How this file can spell the learning phase of the Keras its layers come from."""
    flavour = keras_flavour(model)
    if flavour is None:
        return None
    for name, bindings in model.module.bindings.items():
        if not all(isinstance(b, Import) and b.qualified == bindings[0].qualified for b in bindings):
            continue
        qualified = bindings[0].qualified
        standalone = qualified.startswith("keras.")
        if qualified in BACKEND_MODULES and standalone == (flavour == "keras"):
            return "{}.learning_phase()".format(name)
    if flavour == "tf":
        tf = tensorflow_alias(model)
        return None if tf is None else "{}.keras.backend.learning_phase()".format(tf)
    keras = module_alias(model, ("keras",))
    return None if keras is None else "{}.backend.learning_phase()".format(keras)


def is_constant_false(node: Optional[ast.expr], where: Context) -> bool:
    """The constant False (or 0), or a name bound only to it."""
    if node is None:
        return False
    if is_constant(node):
        return not constant_value(node)
    if isinstance(node, ast.Name):
        bindings = reaching(where.scope, node.id, where.seq, where.blocks)
        return bool(bindings) and all(
            isinstance(b, Assignment) and is_constant(b.value) and not constant_value(b.value) for b in bindings
        )
    return False


def record_context(record: CallRecord) -> Context:
    return Context(record.scope, record.seq, record.blocks)


def is_call_to(node: ast.expr, attr: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == attr) or (isinstance(func, ast.Name) and func.id == attr)


# Python 3.7 parses constants as Num / Str / NameConstant; later versions as Constant.
_CONSTANTS = (ast.Constant,) if sys.version_info >= (3, 8) else (ast.Constant, ast.Num, ast.Str, ast.NameConstant)


def is_constant(node) -> bool:
    return isinstance(node, _CONSTANTS)


def constant_value(node):
    for name in ("value", "n", "s"):
        if hasattr(node, name):
            return getattr(node, name)
    return None


def is_none(node) -> bool:
    return is_constant(node) and constant_value(node) is None


def string_value(node) -> Optional[str]:
    value = constant_value(node) if is_constant(node) else None
    return value if isinstance(value, str) else None

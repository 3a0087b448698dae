"""Torch-backend steps of Keras 3: model calls in a function or loop that runs ``loss.backward()``.

On the torch backend a Keras model is a ``torch.nn.Module`` and trains in a plain torch loop
(``loss.backward()``, ``optimizer.step()`` or the Keras optimizer's ``apply``), or in a
``train_step(self, data)`` override.  Keras layers read only their ``training`` argument:
``model.train()`` changes nothing.  Calls under ``torch.no_grad()`` / ``torch.inference_mode()``
and calls whose result is ``.detach()``-ed carry no gradient and are left out.
"""
import ast
import sys
from typing import List, Optional

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.module import (
    CallRecord,
    FunctionDefinition,
    Scope,
    qualified_name,
    reaching,
)
from flake8_learning_phase.core.records import Record
from flake8_learning_phase.core.values import NONE_VALUE, Foreign, Frame, Instance, LibRef
from flake8_learning_phase.keras.models import KerasCall, resolver
from flake8_learning_phase.keras.names import foreign
from flake8_learning_phase.rules.tape.keras3_backends.jax_steps import parents

_MAX_HELPER_DEPTH = 2
# Calls that show a scope updates weights with the gradients ``backward()`` leaves.
_UPDATES = ("step", "apply", "apply_gradients", "zero_grad")
_WEIGHTS = ("parameters", "named_parameters", "trainable_weights", "trainable_variables")
# Methods Keras calls on a model itself: ``self.call(x)`` is the model's own forward pass, a
# call of the model without Keras' training handling, not a helper to look into.
_KERAS_ENTRY_POINTS = ("call", "__call__")
_NO_GRAD = ("torch.no_grad", "torch.inference_mode", "torch.set_grad_enabled", "torch.autograd.no_grad")


class TorchCall(Record):
    """A call of something in a torch backward step; LP300 asks the resolver whether it is a Keras model."""

    record: CallRecord
    model: ast.expr  # what is called
    # in the ``forward`` of a torch module of this file that the step calls: the flag to pass
    # is the module's own ``self.training`` (``train()`` / ``eval()`` set it), not True
    in_forward: bool = False


def torch_calls(context: RuleContext) -> List[TorchCall]:
    """Calls that may be model calls in scopes that run ``.backward()``, once per module."""
    return context.shared(torch_calls, _find)


def _find(context: RuleContext) -> List[TorchCall]:
    model = context.model
    steps = {}
    for record in _gradient_records(model):
        if not _under_no_grad(record.withs, record):
            steps.setdefault(id(record.scope), []).append(record)
    found: List[TorchCall] = []
    for backwards in steps.values():
        scope = backwards[0].scope
        calls = [r for r in _calls_in(context, scope) if any(_before_in_block(r, b) for b in backwards)]
        _collect(context, calls, found, set(), 0)
    return found


def _gradient_records(model) -> List[CallRecord]:
    """``loss.backward()`` in a scope that updates weights (``optimizer.step()``, the Keras
    optimizer's ``apply``, ``zero_grad()``), and ``torch.autograd.grad(loss, <weights>)``:
    gradients with respect to inputs only (a saliency map) train nothing."""
    updating = {id(r.scope) for attr in _UPDATES for r in model.attribute_calls.get(attr, ())}
    found = [r for r in model.attribute_calls.get("backward", ()) if id(r.scope) in updating]
    for record in model.calls_of("grad"):
        if qualified_name(record.node.func, record.scope, record.seq, record.blocks) == "torch.autograd.grad" \
                and len(record.node.args) > 1 and _weights(record.node.args[1], record, 0):
            found.append(record)
    return found


def _weights(node, record: CallRecord, depth: int) -> bool:
    """``model.parameters()`` / ``trainable_weights`` / ``trainable_variables``, or a name bound to them."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in _WEIGHTS:
            return True
        if isinstance(inner, ast.Name) and depth < 2:
            for binding in reaching(record.scope, inner.id, record.seq, record.blocks):
                if binding.value is not None and _weights(binding.value, record, depth + 1):
                    return True
    return False


def _collect(context: RuleContext, calls: List[CallRecord], found: List[TorchCall], seen: set, depth: int,
             in_forward: bool = False) -> None:
    """The calls that may call a model, and those inside helpers of this module they call (and
    inside the ``forward`` of a torch module of this module that they call)."""
    for record in calls:
        func = record.node.func
        if _under_no_grad(record.withs, record) or _detached(context, record):
            continue
        if isinstance(func, ast.Name) and qualified_name(func, record.scope, record.seq, record.blocks):
            continue  # an imported function: not a model kept in a name
        if isinstance(func, ast.Attribute) and not _is_self_call(func, record.scope):
            continue
        helper = _helper(context, record)
        if helper is None:
            found.append(TorchCall(record, func, in_forward))
            if depth < _MAX_HELPER_DEPTH:
                for forward in _torch_forwards(context, record):
                    if id(forward) not in seen:
                        seen.add(id(forward))
                        _collect(context, _calls_in(context, forward), found, seen, depth + 1, True)
        elif depth < _MAX_HELPER_DEPTH and id(helper) not in seen:
            seen.add(id(helper))  # a loss helper receiving the model: its calls run in the step
            _collect(context, _calls_in(context, helper), found, seen, depth + 1, in_forward)


def _torch_forwards(context: RuleContext, record: CallRecord) -> List[Scope]:
    """The ``forward`` methods of the torch modules of this file the call may reach."""
    found = resolver(context)
    frame = Frame(found.root, record.scope, record.seq, record.blocks, ())
    forwards = []
    for value in found.values_at(record.node.func, frame):
        if isinstance(value, Instance) and value.mod is found.root and _torch_class(found, value):
            info = context.model.classes.get(id(value.cls))
            forward = info.methods.get("forward") if info is not None else None
            if forward is not None and forward not in forwards:
                forwards.append(forward)
    return forwards


def _helper(context: RuleContext, record: CallRecord) -> Optional[Scope]:
    """The scope of a function or ``self`` method of this module that the record calls."""
    func = record.node.func
    if isinstance(func, ast.Name):
        bindings = reaching(record.scope, func.id, record.seq, record.blocks)
        if len(bindings) == 1 and isinstance(bindings[0], FunctionDefinition):
            return context.model.function_scopes.get(id(bindings[0].node))
        return None
    cls = record.scope.cls
    if cls is not None and isinstance(func, ast.Attribute) and func.attr in cls.methods \
            and func.attr not in _KERAS_ENTRY_POINTS:
        return cls.methods[func.attr]
    return None


def _calls_in(context: RuleContext, scope: Scope) -> List[CallRecord]:
    """Calls of a name (``model(x)``) and of ``self`` attributes (``self.net(x)``) in the scope."""
    found = [r for records in scope.calls.values() for r in records]
    if scope.cls is not None:
        found += [r for records in scope.cls.attr_calls.values() for r in records if r.scope is scope]
    found.sort(key=lambda r: r.seq)
    return found


def _before_in_block(record: CallRecord, backward: CallRecord) -> bool:
    """The call runs before ``backward()`` in its block or a block nested in it (the loop body,
    not the evaluation after the loop)."""
    return record.seq < backward.seq and record.blocks[:len(backward.blocks)] == backward.blocks


def _is_self_call(func: ast.Attribute, scope: Scope) -> bool:
    return isinstance(func.value, ast.Name) and func.value.id == scope.self_name


def _under_no_grad(withs: tuple, record: CallRecord) -> bool:
    for item in withs:
        context = item.context
        if isinstance(context, ast.Call):
            name = qualified_name(context.func, record.scope, item.seq, record.blocks)
            if name in _NO_GRAD:
                return True
    return False


def _detached(context: RuleContext, record: CallRecord) -> bool:
    parent = parents(context).get(id(record.node))
    return isinstance(parent, ast.Attribute) and parent.attr == "detach"


def keras_only(context: RuleContext, record: CallRecord) -> bool:
    """Every object the call may reach is a Keras model (no torch module that would reject
    ``training=True``): the fix is then safe to make."""
    found = resolver(context)
    frame = Frame(found.root, record.scope, record.seq, record.blocks, ())
    for value in found.values_at(record.node.func, frame):
        if isinstance(value, Foreign) and value != NONE_VALUE:  # None beside the model never runs
            return False
        if isinstance(value, Instance) and _torch_class(found, value):
            return False
    return True


def keras_objects(context: RuleContext, record: CallRecord) -> bool:
    """The call reaches only objects the code shows to be Keras models (a Keras call, an instance
    of a class deriving from a Keras class), though what they run may be unseen: ``self(x)`` in
    a ``keras.Model`` subclass whose encoder is a constructor parameter."""
    found = resolver(context)
    frame = Frame(found.root, record.scope, record.seq, record.blocks, ())
    values = [v for v in found.values_at(record.node.func, frame) if v != NONE_VALUE]
    return bool(values) and all(isinstance(v, KerasCall) or isinstance(v, Instance) and found.keras_based(v.cls, v.mod)
                                for v in values)


def _torch_class(found, value: Instance) -> bool:
    mod = value.mod
    frame = Frame(mod, mod.model.module, sys.maxsize, (), ())
    for base in value.cls.bases:
        for base_value in found.values_at(base, frame):
            if isinstance(base_value, LibRef) and foreign(base_value.qualified):
                return True
    return False

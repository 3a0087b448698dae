"""LP300 on Keras 3's JAX and torch backends: the findings for the steps this package finds.

LP300 (rules/tape/lp300.py) hands its rule over; the judgement of the model is the tape steps' one
(:func:`~.judgement.advice`).  JAX: reported at the ``stateless_call``; the fix goes where the
flag is missing (the ``stateless_call`` itself, or the ``grad_fn(...)`` call that feeds the
differentiated function's ``training`` parameter).  Torch: reported and fixed at the model call,
when the resolver sees a Keras model there (a torch module is not Keras).
"""
import ast
from typing import Iterator

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import CALL_SITE, AddKeyword, Finding, Related
from flake8_learning_phase.keras.models import NOT_POSITIONAL, resolve_model
from flake8_learning_phase.core.module import CallRecord, dotted
from flake8_learning_phase.core.registry import Rule, invalid, valid
from flake8_learning_phase.rules.tape.keras3_backends.jax_steps import model_where, stateless_steps
from flake8_learning_phase.rules.tape.keras3_backends.judgement import advice
from flake8_learning_phase.rules.tape.keras3_backends.torch_steps import keras_objects, keras_only, torch_calls

_FLAGS = ("training", "is_training")
# A jitted gradient function traces its keywords: ``training=True`` must be fixed before jit.
_JITTED = ("bind {}=True before jax.jit (functools.partial, or a Python constant in the loss): "
           "a keyword of the jitted call is traced")
# Said where a torch loop also trains a torch module that would reject ``training=True``.
_MIXED = "pass training=True where the Keras model is called: this call also reaches a torch module"


# LP300's rule page: what this package adds to it.
DETECTS = (
    " On Keras 3's JAX backend, a *training step* is a function differentiated by `jax.grad` / "
    "`jax.value_and_grad` (by name, as a method, through `functools.partial`, under `jax.jit`, "
    "or as a decorator) with respect to the trainable variables it hands to "
    "`model.stateless_call(trainable, non_trainable, x)`; the call is reported when no true "
    "training flag reaches it: none given, or a `training` parameter (also through `**kwargs` or a "
    "local kwargs dict) left at a False default by the gradient function's calls, as when a "
    "`train_step(self, state, data)` override calls `grad_fn(...)` without `training=True`. On the "
    "torch backend, a training step is a function or loop body running `loss.backward()`: Keras "
    "model calls before it (`model(x)`, `self(x)` in a `train_step(self, data)` override, through "
    "`DistributedDataParallel`, in the `forward` of a torch module of the file that the loop "
    "trains) are reported, whatever `model.train()` says."
)
SILENCE = (
    "On JAX and torch it stays silent for functions that are not differentiated (evaluation, "
    "`test_step`), gradients with respect to inputs only (`argnums`; a torch `backward()` with "
    "no optimizer step, `torch.autograd.grad` of the inputs), calls under "
    "`torch.no_grad()` or `.detach()`-ed, calls after the loop, and callees the resolver does not "
    "see as Keras models in a torch loop."
)
FIX = (
    " On JAX the keyword goes where the flag is missing: the `stateless_call`, or the gradient "
    "function's calls (`grad_fn(..., training=True)`) when the differentiated function takes a "
    "`training` parameter; a jitted gradient function traces its keywords, so there the fix binds "
    "`training=True` in the `functools.partial` that is differentiated (or says what to do). In a "
    "torch module's `forward` the flag is the module's own, `training=self.training`, which "
    "`train()` / `eval()` set. A torch loop that also trains a torch module through the same "
    "call gets a note instead."
)
_JAX_BAD = '''\
import jax
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.BatchNormalization(),
                          keras.layers.Dense(1)])


def compute_loss(trainable_variables, non_trainable_variables, x, y):
    y_pred, non_trainable_variables = model.stateless_call(trainable_variables, non_trainable_variables, x)
    return keras.ops.mean((y_pred - y) ** 2), non_trainable_variables


grad_fn = jax.value_and_grad(compute_loss, has_aux=True)
'''
_JAX_GOOD = _JAX_BAD.replace("non_trainable_variables, x)", "non_trainable_variables, x, training=True)")
_TORCH_BAD = '''\
import keras
import torch

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dropout(0.5), keras.layers.Dense(1)])
optimizer = torch.optim.Adam(model.parameters())


def train(loader):
    model.train()  # Keras layers do not read it
    for x, y in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
'''
_TORCH_GOOD = _TORCH_BAD.replace("mse_loss(model(x), y)", "mse_loss(model(x, training=True), y)")
EXAMPLES = (
    invalid(_JAX_BAD, fixed=_JAX_GOOD),
    invalid(_TORCH_BAD, fixed=_TORCH_GOOD),
    valid(_JAX_GOOD),
    valid(_TORCH_GOOD),
)


def findings(context: RuleContext, rule: Rule) -> Iterator[Finding]:
    for step in stateless_steps(context):
        flag = step.flag
        if not flag.missing:
            continue
        record = step.record
        text = advice(resolve_model(context, step.model, *model_where(step)), short=True)
        if text is None:
            continue
        edits = [AddKeyword(context.ref(call), flag.keyword, "True") for call in flag.fix_calls]
        related = [Related(context.ref(call), CALL_SITE) for call in flag.fix_calls if call is not record.node]
        manual = None if edits else _JITTED.format(flag.keyword)
        yield context.finding(rule, record.node, edits, manual=manual, related=related,
                              model=dotted(record.node.func) or "the model", advice=text)
    for call in torch_calls(context):
        finding = _torch_finding(context, rule, call.record, call.in_forward)
        if finding is not None:
            yield finding


def _torch_finding(context: RuleContext, rule: Rule, record: CallRecord, in_forward: bool):
    node = record.node
    if any(k.arg in _FLAGS or k.arg is None for k in node.keywords) or _guarded(record):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args):
        return None
    info = resolve_model(context, node.func, record.scope, record.seq, record.blocks)
    if not info.seen and not keras_objects(context, record):
        return None  # in a torch loop an unseen callee is most likely a torch module
    position = info.training_position if info.training_position is not None else 1
    if position != NOT_POSITIONAL and len(node.args) > position:
        return None
    text = advice(info)
    if text is None:
        return None
    name = dotted(node.func) or "the model"
    if keras_only(context, record):
        # in a torch module's forward the module's own flag follows train() / eval()
        flag = "{}.training".format(record.scope.self_name) if in_forward and record.scope.self_name else "True"
        return context.finding(rule, node, [AddKeyword(context.ref(node), "training", flag)], model=name,
                               advice=text)
    return context.finding(rule, node, manual=_MIXED, model=name, advice=text)


def _guarded(record: CallRecord) -> bool:
    """Under an ``if`` that asks whether the model takes ``training`` (Keras' own torch trainer)."""
    for statement in ast.walk(record.scope.node):
        if isinstance(statement, ast.If) and any("training" in (getattr(n, "id", None) or getattr(n, "attr", None)
                                                                or "") for n in ast.walk(statement.test)):
            if any(n is record.node for n in ast.walk(statement)):
                return True
    return False

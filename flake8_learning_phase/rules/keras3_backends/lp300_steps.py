"""LP300 on Keras 3's JAX and torch backends: the findings for the steps this package finds.

LP300 (rules/lp300.py) hands its rule over; the judgement of the model is the tape steps' one
(:func:`~.judgement.advice`).  JAX: reported at the ``stateless_call``; the fix goes where the
flag is missing (the ``stateless_call`` itself, or the ``grad_fn(...)`` call that feeds the
differentiated function's ``training`` parameter).  Torch: reported and fixed at the model call,
when the resolver sees a Keras model there (a torch module is not Keras).
"""
import ast
from typing import Iterator

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import CALL_SITE, AddKeyword, Finding, Related
from flake8_learning_phase.core.models import NOT_POSITIONAL, resolve_model
from flake8_learning_phase.core.module import CallRecord, dotted
from flake8_learning_phase.core.registry import Rule
from flake8_learning_phase.rules.keras3_backends.jax_steps import stateless_steps
from flake8_learning_phase.rules.keras3_backends.judgement import advice
from flake8_learning_phase.rules.keras3_backends.torch_steps import keras_only, torch_calls

_FLAGS = ("training", "is_training")
# A jitted gradient function traces its keywords: ``training=True`` must be fixed before jit.
_JITTED = ("bind {}=True before jax.jit (functools.partial, or a Python constant in the loss): "
           "a keyword of the jitted call is traced")
# Said where a torch loop also trains a torch module that would reject ``training=True``.
_MIXED = "pass training=True where the Keras model is called: this call also reaches a torch module"


def findings(context: RuleContext, rule: Rule) -> Iterator[Finding]:
    for step in stateless_steps(context):
        flag = step.flag
        if not flag.missing:
            continue
        record = step.record
        text = advice(resolve_model(context, step.model, record.scope, record.seq, record.blocks))
        if text is None:
            continue
        edits = [AddKeyword(context.ref(call), flag.keyword, "True") for call in flag.fix_calls]
        related = [Related(context.ref(call), CALL_SITE) for call in flag.fix_calls if call is not record.node]
        manual = None if edits else _JITTED.format(flag.keyword)
        yield context.finding(rule, record.node, edits, manual=manual, related=related,
                              model=dotted(record.node.func) or "the model", advice=text)
    for call in torch_calls(context):
        finding = _torch_finding(context, rule, call.record)
        if finding is not None:
            yield finding


def _torch_finding(context: RuleContext, rule: Rule, record: CallRecord):
    node = record.node
    if any(k.arg in _FLAGS or k.arg is None for k in node.keywords) or _guarded(record):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args):
        return None
    info = resolve_model(context, node.func, record.scope, record.seq, record.blocks)
    if not info.seen:
        return None  # in a torch loop an unseen callee is most likely a torch module
    position = info.training_position if info.training_position is not None else 1
    if position != NOT_POSITIONAL and len(node.args) > position:
        return None
    text = advice(info)
    if text is None:
        return None
    name = dotted(node.func) or "the model"
    if keras_only(context, record):
        return context.finding(rule, node, [AddKeyword(context.ref(node), "training", "True")], model=name,
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

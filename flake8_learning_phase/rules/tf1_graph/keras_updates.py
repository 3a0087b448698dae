"""Keras update ops and a TF 1.x train op: the applications whose updates no run of the train op
runs, and the terms that group them with it (LP401; LP400 holds its fix back when they cannot
be grouped: fed the phase alone, training moves batch statistics that inference never reads)."""
import ast
from typing import List, Optional

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.module import dotted
from flake8_learning_phase.flow.dataflow import same_value
from flake8_learning_phase.flow.parts import parts
from flake8_learning_phase.flow.terms import Context
from flake8_learning_phase.rules.tf1_graph.graph import (
    Graph,
    KerasUse,
    Training,
    companion_runs,
    opaque_dependency,
    runs_apart,
)
from flake8_learning_phase.rules.tf1_graph.syntax import (
    constant_value,
    is_constant,
    is_keras_updates,
    record_context,
    tensorflow_alias,
)
from flake8_learning_phase.rules.tf1_graph.trained import frozen

# What a run fetches that is put together elsewhere: a helper's result, a comprehension.
_ASSEMBLED = (ast.Call, ast.ListComp, ast.SetComp, ast.GeneratorExp)


def pending_keras_updates(context: RuleContext, found: Graph, training: Training) -> List[KerasUse]:
    """The Keras applications the train op's loss runs whose update ops are read and never run
    with it; [] when a run runs Keras update ops (or may: a dependency the file does not show)."""
    uses = [u for u in training.keras
            if u.info.owns_updates and not _always_training(u) and not frozen(training, u)
            and not runs_apart(context, training, u.context)]
    if not uses or _keras_updates_run(found, training):
        return []
    return uses


def ungroupable_updates(context: RuleContext, found: Graph, training: Training) -> bool:
    """The train op leaves Keras update ops unrun and lp-fix cannot group them (a layer applied
    inline, ``BatchNormalization()(h)``: no object to ask for its updates; no ``tf`` name)."""
    uses = pending_keras_updates(context, found, training)
    return bool(uses) and (tensorflow_alias(context.model) is None
                           or update_terms(record_context(training.op), uses) is None)


def _always_training(use: KerasUse) -> bool:
    """``net(x, training=True)``: this application never reads the statistics it would update."""
    return use.explicit is not None and is_constant(use.explicit) and bool(constant_value(use.explicit))


def _keras_updates_run(found: Graph, training: Training) -> bool:
    """A run with the train op runs Keras update ops (grouped, fetched, or a control dependency; also
    in what a helper of the project returns, a list it appends them to, a comprehension), or the
    train op depends on ops the file does not show."""
    if opaque_dependency(found, training):
        return True
    for run in companion_runs(found, training):
        for node, where in found.reached_with(run, training.op.node).values():
            if is_keras_updates(node):
                return True
            if isinstance(node, _ASSEMBLED) and any(
                    is_keras_updates(part) for part, _ in parts(found.context, node, where)):
                return True
    return False


def update_terms(at: Context, uses: List[KerasUse]) -> Optional[List[str]]:
    """``*net.get_updates_for(x)`` per application (``*model.updates`` for ``model.output``), when
    every name means at the train op what it meant where the model was applied."""
    terms: List[str] = []
    for use in uses:
        if use.model_text is None or not _visible(use.model_text, at, use.context):
            return None
        if use.applied_to is None and isinstance(use.node, ast.Attribute):
            term = "*{}.updates".format(use.model_text)
        else:
            applied = dotted(use.applied_to) if use.applied_to is not None else None
            if applied is None or not _visible(applied, at, use.context):
                return None
            term = "*{}.get_updates_for({})".format(use.model_text, applied)
        if term not in terms:
            terms.append(term)
    return terms


def _visible(text: str, here: Context, there: Context) -> bool:
    root = text.split(".")[0]
    if here.scope.self_name is not None and root == here.scope.self_name:
        return there.scope.cls is not None and there.scope.cls is here.scope.cls
    return same_value(root, here, there)

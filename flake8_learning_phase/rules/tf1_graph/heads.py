"""Estimator heads (tf.estimator.RegressionHead and the other v2 heads) that build the train op.

A v2 head's ``create_estimator_spec(..., optimizer=...)`` builds the train op
itself and runs only the ``update_ops=`` it is given: unlike the v1 heads and
the canned Estimators, it never reads the UPDATE_OPS collection (checked on
tensorflow 1.15.5).  LP411 asks what the logits it trains run.
"""
import ast
from typing import List

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.module import CallRecord
from flake8_learning_phase.core.records import Record, field
from flake8_learning_phase.flow.calls import argument
from flake8_learning_phase.flow.terms import Context, constructor_name
from flake8_learning_phase.rules.tf1_graph.graph import LayerUse, graph
from flake8_learning_phase.rules.tf1_graph.syntax import record_context

_V2_HEADS = frozenset({"RegressionHead", "BinaryClassHead", "MultiClassHead", "MultiLabelHead",
                       "PoissonRegressionHead", "LogisticRegressionHead"})
_ROOTS = ("tensorflow.estimator.", "tensorflow_estimator.estimator.", "tensorflow.compat.v2.estimator.")


class HeadSpec(Record, frozen=False):
    """A v2 head's ``create_estimator_spec`` call that trains with an optimizer and no ``update_ops=``."""

    record: CallRecord
    layers: List[LayerUse] = field(factory=list)


def head_specs(context: RuleContext) -> List[HeadSpec]:
    return context.shared(head_specs, _find)


def _find(context: RuleContext) -> List[HeadSpec]:
    found = graph(context)
    specs = []
    for record in context.model.calls_of("create_estimator_spec"):
        call = record.node
        keywords = {kw.arg for kw in call.keywords}
        if None in keywords or "update_ops" in keywords or "train_op_fn" in keywords:
            continue  # wired, a train op built elsewhere, or arguments we cannot see
        if argument(call, 4, "optimizer") is None or not _is_v2_head(call.func, record_context(record)):
            continue
        logits = argument(call, 2, "logits")
        if logits is None:
            continue
        spec = HeadSpec(record)
        for origin in found.origins(logits, record_context(record)):
            if isinstance(origin.node, ast.Call):
                layer = found.layer_use(origin.node, origin.context)
                if layer is not None:
                    spec.layers.append(layer)
        specs.append(spec)
    return specs


def _is_v2_head(func: ast.expr, where: Context) -> bool:
    if not isinstance(func, ast.Attribute):
        return False
    name = constructor_name(func.value, where)
    return bool(name) and name.startswith(_ROOTS) and name.rpartition(".")[2] in _V2_HEADS

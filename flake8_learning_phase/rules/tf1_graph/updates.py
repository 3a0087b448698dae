"""The UPDATE_OPS collection: is it run with a train op, and the edit that runs it (LP410, LP411)."""
import ast
from typing import List, Optional, Set

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import Wrap
from flake8_learning_phase.core.module import Assignment, CallRecord, Parameter, dotted, reaching
from flake8_learning_phase.flow.calls import function_calls
from flake8_learning_phase.flow.terms import Context
from flake8_learning_phase.keras.models import resolver
from flake8_learning_phase.rules.tf1_graph.graph import Graph, LayerUse, Training, companion_runs, opaque_dependency
from flake8_learning_phase.rules.tf1_graph.syntax import constant_value, is_constant, is_update_ops, tensorflow_alias


def varies(context: RuleContext, flag: ast.expr, where: Context) -> bool:
    """The flag can be true and false: not a constant, nor a name or a parameter only ever bound
    to one constant truth value (then no inference path reads the statistics)."""
    if is_constant(flag):
        return False
    if not isinstance(flag, ast.Name):
        return True
    bindings = reaching(where.scope, flag.id, where.seq, where.blocks)
    if not bindings:
        return True
    truths = set()
    for binding in bindings:
        if isinstance(binding, Assignment) and is_constant(binding.value):
            truths.add(bool(constant_value(binding.value)))
            continue
        if isinstance(binding, Parameter):
            passed = _passed_truths(context, binding)
            if passed is not None:
                truths.update(passed)
                continue
        return True
    return len(truths) > 1


def _passed_truths(context: RuleContext, binding: Parameter) -> Optional[Set[bool]]:
    """The truth values the calls in the file give the parameter: a constant passed, or its
    constant default where a call leaves it out (``generator(z)`` with ``training=True``); None
    when a call gives something else, passes ``*args`` / ``**kwargs``, or no call is seen."""
    function = binding.scope
    calls = function_calls(context, function)
    if not calls:
        return None
    evaluator = resolver(context)
    truths: Set[bool] = set()
    for call, frame, bound in calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return None
        passed = evaluator.bind_arguments(function.node, call, frame, bound).get(binding.node.arg)
        value = passed[0][0] if passed else binding.value
        if value is None or not is_constant(value):
            return None
        truths.add(bool(constant_value(value)))
    return truths


def update_ops_run(found: Graph, training: Training, layers: List[LayerUse]) -> bool:
    """Some run of the file runs the UPDATE_OPS collection, read after the layers exist, in their graph
    (or the train op depends on ops the file does not show)."""
    if opaque_dependency(found, training):
        return True
    graphs = {_graph_of(found.records.get(id(layer.node))) for layer in layers} - {None}
    graphs |= {_graph_of(found.records.get(id(b.node))) for b in training.builders} - {None}
    for run in companion_runs(found, training):
        for node, _ in found.reached_with(run, training.op.node).values():
            if not is_update_ops(node):
                continue
            record = found.records.get(id(node))
            if record is None:
                return True
            if _read_early(record, training, layers):
                continue
            if graphs and _graph_of(record) not in graphs and not _graph_method(node, graphs):
                continue
            return True
    return False


def update_ops_edit(context: RuleContext, training: Training) -> Optional[Wrap]:
    """``tf.group(<train op>, *tf.get_collection(tf.GraphKeys.UPDATE_OPS))``, or None without a ``tf``.

    Read when the train op is built (after its loss, so after the layers) and
    run with it from the same batch statistics: measured equal to the
    ``control_dependencies`` form to 1e-5.
    """
    tf = tensorflow_alias(context.model)
    if tf is None:
        return None
    return Wrap(context.ref(training.op.node), "{}.group(".format(tf),
                ", *{0}.get_collection({0}.GraphKeys.UPDATE_OPS))".format(tf))


def _read_early(record: CallRecord, training: Training, layers: List[LayerUse]) -> bool:
    """The collection is read in the scope that builds the layers, before it builds them."""
    built = [layer.context for layer in layers] + [b.context for b in training.builders]
    return any(where.scope is record.scope and where.seq > record.seq for where in built)


def _graph_of(record: Optional[CallRecord]) -> Optional[str]:
    """``g`` for a call under ``with g.as_default():``."""
    if record is None:
        return None
    for item in reversed(record.withs):
        call = item.context
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "as_default":
            return dotted(call.func.value)
    return None


def _graph_method(node: ast.Call, graphs: Set[str]) -> bool:
    """``g.get_collection(...)`` on the graph the layers are built in."""
    return isinstance(node.func, ast.Attribute) and dotted(node.func.value) in graphs

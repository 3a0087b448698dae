"""Where a JAX step's new non-trainable state goes (LP301).

``stateless_call`` returns ``(outputs, non_trainable_variables)``: the new BatchNormalization
statistics and the advanced Dropout seed.  The state is lost when it is dropped at the call
(``y, _ = ...``, ``...[0]``), when the differentiated function does not return it, when the
gradient function's caller does not use it, or when the loop that threads it never assigns it
back to the model before the model is evaluated or saved.
"""
import ast
from typing import List, Optional, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import AddKeyword, Edit, InsertAfter, Replace
from flake8_learning_phase.core.module import (
    CallRecord,
    FunctionDefinition,
    Scope,
    dotted,
    reaching,
    subscript_index,
)
from flake8_learning_phase.core.records import Record
from flake8_learning_phase.core.signatures import parameter_names
from flake8_learning_phase.rules.tape.keras3_backends.jax_steps import StatelessStep, parents

# Model methods that use the model's own variables.
USES = ("evaluate", "predict", "predict_on_batch", "test_on_batch", "save", "save_weights", "export")
# Attributes through which the state goes back into the model.
_STATE = ("non_trainable_variables", "non_trainable_weights", "variables", "weights")
_SETTERS = ("set_weights", "set_state_tree", "load_weights")


class Loss(Record):
    """How a step loses the state (``how``, for the message), and the edits that bring it back
    where the code has one of the keras.io guide's shapes."""

    how: str
    edits: Tuple[Edit, ...] = ()


def lost_state(context: RuleContext, step: StatelessStep) -> Optional[Loss]:
    if step.differentiation.helper:
        return None  # the state travels through the helper's return first: not followed
    record = step.record
    call = record.node
    up = parents(context)
    parent = up.get(id(call))
    if isinstance(parent, ast.Subscript) and _index(parent) == 0:
        return Loss("[0] keeps only the outputs")
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0], (ast.Tuple, ast.List)) and len(parent.targets[0].elts) >= 2):
        return None
    target = parent.targets[0].elts[1]
    if not isinstance(target, ast.Name):
        return None
    if target.id == "_" or not _read_after(context, record.scope, target.id, parent):
        return Loss("dropped", _has_aux_fix(context, step, target))
    function = step.differentiation.function
    path = _returned_at(function, target.id)
    if path is None:
        return Loss("the loss does not return it", _has_aux_fix(context, step, target))
    if not step.differentiation.has_aux:
        return None  # jax would reject a tuple without has_aux: not a program that runs
    for grad_call in step.differentiation.calls:
        loss = _caller_loss(context, grad_call, path, step)
        if loss is not None:
            return loss
    return None


def _state_parameter(step: StatelessStep) -> Optional[str]:
    """The differentiated function's parameter handed to ``stateless_call`` as the non-trainable state."""
    second = step.record.node.args[1]
    names = parameter_names(step.differentiation.function.node)
    return second.id if isinstance(second, ast.Name) and second.id in names else None


def _old_state(step: StatelessStep, grad_call: ast.Call, scope: Scope) -> Optional[str]:
    """The name the step passes as the old state and returns (``grad_fn(t, old, ...)``)."""
    parameter = _state_parameter(step)
    params = step.differentiation.params
    if parameter is None or parameter not in params:
        return None
    index = params.index(parameter)
    if index >= len(grad_call.args) or not isinstance(grad_call.args[index], ast.Name):
        return None
    old = grad_call.args[index].id
    if scope.is_function and scope.returns and all(_mentions(r.value, old) for r, _, _ in scope.returns):
        return old
    return None


def _has_aux_fix(context: RuleContext, step: StatelessStep, target: ast.Name) -> Tuple[Edit, ...]:
    """The guide's shape without ``has_aux``: the loss returns only the loss and the step
    unpacks ``loss, grads = grad_fn(t, state, ...)`` and returns ``state``.  The fix names the new
    state at the call, returns it beside the loss, asks for ``has_aux=True`` and unpacks it into
    the step's ``state`` (which the step returns)."""
    diff = step.differentiation
    function = diff.function
    parameter = _state_parameter(step)
    if diff.has_aux or diff.transform is None or diff.jitted or diff.helper or parameter is None \
            or not diff.calls or len(function.returns) != 1:
        return ()
    value = function.returns[0][0].value
    source = _source(context, value)
    if source is None or isinstance(value, ast.Tuple):
        return ()
    name = parameter if target.id == "_" else target.id
    edits: List[Edit] = []
    if target.id == "_":
        edits.append(Replace(context.ref(target), name))
    edits.append(Replace(context.ref(value), "{}, {}".format(source, name)))
    edits.append(AddKeyword(context.ref(diff.transform), "has_aux", "True"))
    for grad_call in diff.calls:
        assign = parents(context).get(id(grad_call))
        scope = _scope_of(context, grad_call)
        old = _old_state(step, grad_call, scope) if scope is not None else None
        if old is None or not isinstance(assign, ast.Assign) or len(assign.targets) != 1:
            return ()
        unpack = assign.targets[0]
        if diff.value_and_grad:
            if not (isinstance(unpack, ast.Tuple) and len(unpack.elts) == 2 and isinstance(unpack.elts[0], ast.Name)):
                return ()
            edits.append(Replace(context.ref(unpack.elts[0]), "({}, {})".format(unpack.elts[0].id, old)))
        else:
            if not isinstance(unpack, ast.Name):
                return ()
            edits.append(Replace(context.ref(unpack), "({}, {})".format(unpack.id, old)))
    return tuple(edits)


def _source(context: RuleContext, node) -> Optional[str]:
    """The source text of a one-line expression (None on Python 3.7, which has no end positions)."""
    end = getattr(node, "end_lineno", None)
    if end is None or end != node.lineno:
        return None
    line = context.lines[node.lineno - 1]
    start = context.columns.column(node.lineno, node.col_offset)
    stop = context.columns.column(node.lineno, node.end_col_offset)
    return line[start:stop]


def _returned_at(function: Scope, name: str) -> Optional[Tuple[int, ...]]:
    """Where ``name`` sits in the auxiliary data every ``return (loss, aux)`` gives: () for
    ``aux`` itself, (j,) for ``aux[j]``; None when some return leaves it out."""
    paths = set()
    for ret, _, _ in function.returns:
        value = ret.value
        if not isinstance(value, ast.Tuple) or len(value.elts) != 2:
            return None
        aux = value.elts[1]
        if isinstance(aux, ast.Name) and aux.id == name:
            paths.add(())
        elif isinstance(aux, ast.Tuple):
            found = [j for j, e in enumerate(aux.elts) if isinstance(e, ast.Name) and e.id == name]
            if len(found) != 1:
                return None
            paths.add((found[0],))
        else:
            return None
    return paths.pop() if len(paths) == 1 else None


def _caller_loss(context: RuleContext, grad_call: ast.Call, path: Tuple[int, ...], step: StatelessStep):
    """``(loss, state), grads = grad_fn(...)``: the state unused, or never assigned back."""
    assign = parents(context).get(id(grad_call))
    if not (isinstance(assign, ast.Assign) and len(assign.targets) == 1):
        return None
    target = assign.targets[0]
    value_and_grad = step.differentiation.value_and_grad
    # value_and_grad: ((value, aux), grads); grad: (grads, aux)
    if not isinstance(target, ast.Tuple) or len(target.elts) != 2:
        return None
    aux = target.elts[0] if value_and_grad else target.elts[1]
    if value_and_grad:
        if not isinstance(aux, ast.Tuple) or len(aux.elts) != 2:
            return None
        aux = aux.elts[1]
    for index in path:
        if not isinstance(aux, ast.Tuple) or index >= len(aux.elts):
            return None
        aux = aux.elts[index]
    if not isinstance(aux, ast.Name):
        return None
    scope = _scope_of(context, grad_call)
    if scope is None:
        return None
    if aux.id == "_" or not _read_after(context, scope, aux.id, assign):
        edits = ()
        old = _old_state(step, grad_call, scope)
        if old is not None:  # ``(loss, new), grads = grad_fn(t, old, ...)``; ``return ..., old``
            edits = (Replace(context.ref(aux), old),)
        return Loss("the step ignores it (line {})".format(grad_call.lineno), edits)
    if scope.is_function and any(_mentions(ret.value, aux.id) for ret, _, _ in scope.returns):
        return _loop_loss(context, scope, step, aux.id)
    return None


def _loop_loss(context: RuleContext, step_scope: Scope, step: StatelessStep, state: str) -> Optional[Loss]:
    """The step returns the state; a loop calling it must put it back before using the model."""
    model_name = dotted(step.model)
    if model_name is None or model_name == step_scope.self_name:
        return None
    fdef = step_scope.node
    for scope in context.model.scopes:
        for record in scope.calls.get(fdef.name, ()):
            bindings = reaching(record.scope, fdef.name, record.seq, record.blocks)
            if not any(isinstance(b, FunctionDefinition) and b.node is fdef for b in bindings):
                continue
            use = _first_use(context, record, model_name)
            if use is not None and not _assigned_back(context, record, model_name, use):
                how = "not assigned back before line {}".format(use.node.lineno)
                fix = _assign_back(context, step_scope, state, record, use, model_name)
                edits = (InsertAfter(context.ref(fix[0]), fix[1]),) if fix is not None else ()
                return Loss(how, edits)
    return None


def _assign_back(context: RuleContext, step_scope: Scope, state: str, step_call: CallRecord, use: CallRecord,
                 model_name: str) -> Optional[Tuple[ast.For, str]]:
    """The guide's shape: the step returns ``(..., (trainable, state, ...))`` or a flat tuple
    holding the state, the loop keeps it (``loss, state = train_step(state, ...)``), and after
    the loop ``for v, a in zip(model.trainable_variables, <trainable>): v.assign(a)`` puts the
    trainable variables back; the same loop over ``model.non_trainable_variables`` goes after it."""
    position = _state_position(step_scope, state)
    assign = parents(context).get(id(step_call.node))
    if position is None or not isinstance(assign, ast.Assign) or len(assign.targets) != 1:
        return None
    outer, index = position
    target = assign.targets[0]
    if outer is not None:
        if not isinstance(target, ast.Tuple) or outer >= len(target.elts) \
                or not isinstance(target.elts[outer], ast.Name):
            return None
        kept = target.elts[outer].id  # the state tuple as the loop keeps it
    else:
        kept = None
    for node in ast.walk(step_call.scope.node):
        if not isinstance(node, ast.For) or not step_call.node.lineno < node.lineno < use.node.lineno:
            continue
        values = _trainable_loop(node, model_name)
        if values is None:
            continue
        variable, value, trainable = values
        source = _state_source(context, trainable, kept, index, target if kept is None else None)
        if source is not None:
            return node, "for {v}, {a} in zip({m}.non_trainable_variables, {s}):\n    {v}.assign({a})\n".format(
                v=variable, a=value, m=model_name, s=source)
    return None


def _state_position(step_scope: Scope, state: str) -> Optional[Tuple[Optional[int], int]]:
    """(index of the state tuple in the step's return, index of the state in it); (None, i) when
    the return is flat; None unless every return agrees."""
    found = set()
    for ret, _, _ in step_scope.returns:
        value = ret.value
        if not isinstance(value, ast.Tuple):
            return None
        spots = [(None, i) for i, e in enumerate(value.elts) if isinstance(e, ast.Name) and e.id == state]
        for outer, element in enumerate(value.elts):
            if isinstance(element, ast.Tuple):
                spots += [(outer, i) for i, e in enumerate(element.elts) if isinstance(e, ast.Name) and e.id == state]
        if len(spots) != 1:
            return None
        found.add(spots[0])
    return found.pop() if len(found) == 1 else None


def _trainable_loop(node: ast.For, model_name: str):
    """``for v, a in zip(<model>.trainable_variables, X): v.assign(a)``: (v, a, X)."""
    target, iterable = node.target, node.iter
    if not (isinstance(target, ast.Tuple) and len(target.elts) == 2
            and all(isinstance(e, ast.Name) for e in target.elts) and len(node.body) == 1 and not node.orelse):
        return None
    if not (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id == "zip"
            and len(iterable.args) == 2 and not iterable.keywords):
        return None
    first = iterable.args[0]
    if not (isinstance(first, ast.Attribute) and first.attr in ("trainable_variables", "trainable_weights")
            and dotted(first.value) == model_name):
        return None
    statement = node.body[0]
    call = statement.value if isinstance(statement, ast.Expr) else None
    variable, value = target.elts[0].id, target.elts[1].id
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "assign"
            and isinstance(call.func.value, ast.Name) and call.func.value.id == variable
            and len(call.args) == 1 and isinstance(call.args[0], ast.Name) and call.args[0].id == value):
        return None
    return variable, value, iterable.args[1]


def _state_source(context: RuleContext, trainable, kept: Optional[str], index: int, flat) -> Optional[str]:
    """How the loop's code names the new state, next to how it names the trainable variables:
    ``state[1]`` beside ``state[0]``, or the name unpacked beside the trainable one."""
    if kept is None:  # flat: ``tv, ntv, ov, loss = train_step(...)``
        element = flat.elts[index] if isinstance(flat, ast.Tuple) and index < len(flat.elts) else None
        return element.id if isinstance(element, ast.Name) else None
    if isinstance(trainable, ast.Subscript) and isinstance(trainable.value, ast.Name) \
            and trainable.value.id == kept and _index(trainable) is not None:
        return "{}[{}]".format(kept, index)
    if isinstance(trainable, ast.Name):
        for node in ast.walk(context.model.tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Name) \
                    and node.value.id == kept and isinstance(node.targets[0], ast.Tuple):
                names = node.targets[0].elts
                if any(isinstance(e, ast.Name) and e.id == trainable.id for e in names) and index < len(names) \
                        and isinstance(names[index], ast.Name):
                    return names[index].id
    return None


def _first_use(context: RuleContext, step_call: CallRecord, model_name: str) -> Optional[CallRecord]:
    """The first call after the step call that uses the model's own variables (evaluate, save, model(x))."""
    found = []
    for record in _calls(context, step_call.scope):
        if record.seq <= step_call.seq:
            continue
        func = record.node.func
        if dotted(func) == model_name or isinstance(func, ast.Attribute) and func.attr in USES \
                and dotted(func.value) == model_name:
            found.append(record)
    return min(found, key=lambda r: r.seq) if found else None


def _assigned_back(context: RuleContext, step_call: CallRecord, model_name: str, use: CallRecord) -> bool:
    """Between the step call and the use, the model's state attributes are read (``zip(model.
    non_trainable_variables, ...)`` with ``assign``, ``tree_map``) or a setter is called."""
    first, last = step_call.node.lineno, use.node.lineno
    for node in ast.walk(step_call.scope.node):
        line = getattr(node, "lineno", 0)
        if not first <= line <= last or not isinstance(node, ast.Attribute):
            continue
        if dotted(node.value) == model_name and (node.attr in _STATE or node.attr in _SETTERS):
            return True
    return False


def _calls(context: RuleContext, scope: Scope) -> List[CallRecord]:
    found = [r for records in scope.calls.values() for r in records]
    found += [r for records in context.model.attribute_calls.values() for r in records if r.scope is scope]
    return found


def _scope_of(context: RuleContext, node: ast.AST) -> Optional[Scope]:
    up = parents(context)
    current = up.get(id(node))
    while current is not None and not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
        current = up.get(id(current))
    if current is None:
        return context.model.module
    return context.model.function_scopes.get(id(current))


def _read_after(context: RuleContext, scope: Scope, name: str, statement: ast.stmt) -> bool:
    """``name`` is read in the scope (or a nested one) after ``statement``, or anywhere in a
    loop around it (the next iteration reads it)."""
    end = getattr(statement, "end_lineno", statement.lineno)
    up = parents(context)
    loop = up.get(id(statement))
    while loop is not None and loop is not scope.node and not isinstance(loop, (ast.For, ast.While)):
        loop = up.get(id(loop))
    inside = loop if isinstance(loop, (ast.For, ast.While)) else None
    for node in ast.walk(scope.node):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) \
                and node.lineno > end:
            return True
    if inside is not None:
        return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) for n in ast.walk(inside))
    return False


def _mentions(node, name: str) -> bool:
    return node is not None and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _index(subscript: ast.Subscript):
    """The constant a subscript indexes with (``ast.Num`` on Python 3.7); None for other indices."""
    index = subscript_index(subscript)
    return getattr(index, "value", getattr(index, "n", None))

"""JAX steps of Keras 3: functions differentiated by ``jax.grad`` / ``jax.value_and_grad`` that
run ``model.stateless_call``.

``stateless_call`` hands its extra arguments to the model's ``call``; without ``training=True``
Keras layers run in inference mode.  The flag is followed where it travels: a parameter of the
differentiated function (its default, ``functools.partial`` keywords, the keywords of the
gradient function's calls, ``grad_fn(..., training=True)``) and ``**kwargs``.
"""
import ast
from typing import Dict, FrozenSet, List, Optional, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.module import (
    Assignment,
    CallRecord,
    FunctionDefinition,
    Parameter,
    Scope,
    Unpacking,
    qualified_name,
    reaching,
    subscript_index,
)
from flake8_learning_phase.core.records import Record
from flake8_learning_phase.core.signatures import keyword_value, parameter_names

TRANSFORMS = ("jax.grad", "jax.value_and_grad")
# Wrappers whose result calls like the function they wrap.
_WRAPPERS = ("jax.jit", "jax.pmap", "equinox.filter_jit")
_PARTIAL = "functools.partial"
_MAX_DEPTH = 3


class Differentiation(Record):
    """``jax.grad`` / ``jax.value_and_grad`` of a function of this module."""

    function: Scope  # the differentiated function
    params: Tuple[str, ...]  # the gradient function's positional parameters (self and partial's bound ones left out)
    differentiated: FrozenSet[str]  # the parameters ``argnums`` picks
    has_aux: bool
    bound: Tuple[Tuple[str, ast.expr], ...]  # keywords bound by ``functools.partial``
    calls: Tuple[ast.Call, ...]  # the visible calls of the gradient function (``grad_fn(...)``)
    value_and_grad: bool
    # called through ``jax.jit``: a keyword given to those calls is traced, and a Keras layer
    # cannot branch on a traced ``training`` (the fix must not go there)
    jitted: bool = False
    partial: Optional[ast.Call] = None  # the ``functools.partial(f, ...)`` differentiated, if any
    helper: bool = False  # a function the differentiated one calls (``calls``: those calls) with its weights
    transform: Optional[ast.Call] = None  # the ``jax.value_and_grad(...)`` call (None for a decorator)


class Flag(Record):
    """Where a stateless call's training flag stands: ``missing`` (LP300) with the calls that
    should pass ``keyword=True`` (none when no safe place is seen), or given (true,
    deliberately false, or not visible)."""

    missing: bool
    keyword: str = "training"
    fix_calls: Tuple[ast.Call, ...] = ()


GIVEN = Flag(False)


class StatelessStep(Record):
    """A ``<model>.stateless_call(...)`` in a differentiated function, with respect to the model's weights."""

    record: CallRecord
    model: ast.expr  # the model expression (``model``, ``self``)
    differentiation: Differentiation
    flag: Flag


def model_where(step: StatelessStep) -> Tuple[Scope, int, tuple]:
    """(scope, seq, blocks) to resolve the step's model at: ``self`` of the enclosing method when
    the loss is a function nested in it (``def loss_fn(...)`` inside ``train_step``)."""
    record, model = step.record, step.model
    if isinstance(model, ast.Name) and model.id != record.scope.self_name:
        bindings = reaching(record.scope, model.id, record.seq, record.blocks)
        if len(bindings) == 1 and isinstance(bindings[0], Parameter) and bindings[0].scope.self_name == model.id:
            return bindings[0].scope, bindings[0].seq + 1, ()
    return record.scope, record.seq, record.blocks


def stateless_steps(context: RuleContext) -> List[StatelessStep]:
    """Every stateless call of the module that runs in a JAX gradient, once per module."""
    return context.shared(stateless_steps, _find)


def parents(context: RuleContext) -> Dict[int, ast.AST]:
    """id(node) -> its parent node in the module (computed for files that have a JAX step)."""
    def compute(ctx):
        found = {}
        for node in ast.walk(ctx.model.tree):
            for child in ast.iter_child_nodes(node):
                found[id(child)] = node
        return found

    return context.shared(parents, compute)


def _find(context: RuleContext) -> List[StatelessStep]:
    model = context.model
    calls = model.attribute_calls.get("stateless_call", ())
    if not calls:
        return []
    by_scope: Dict[int, List[Differentiation]] = {}
    differentiations = _differentiations(context)
    for diff in differentiations + [h for d in differentiations for h in _helpers(context, d)]:
        by_scope.setdefault(id(diff.function), []).append(diff)
    found = []
    for record in calls:
        node = record.node
        if len(node.args) < 3 or not isinstance(node.func, ast.Attribute):
            continue
        for diff in by_scope.get(id(record.scope), ()):
            if _mentions(node.args[0], diff.differentiated, record, 0):
                found.append(StatelessStep(record, node.func.value, diff, _flag(context, record, diff)))
                break
    return found


# -- the differentiated functions ---------------------------------------------------------


def _differentiations(context: RuleContext) -> List[Differentiation]:
    found = []
    model = context.model
    for name in ("grad", "value_and_grad"):
        for record in model.calls_of(name):
            qualified = qualified_name(record.node.func, record.scope, record.seq, record.blocks)
            if qualified not in TRANSFORMS or not record.node.args:
                continue
            target = _target(context, record.node.args[0], record, 0)
            if target is None:
                continue
            scope, is_method, positional, keywords, partial = target
            calls, jitted = _gradient_calls(context, record)
            found.append(_differentiation(record.node.keywords, scope, is_method, positional, keywords, calls,
                                          qualified, jitted, partial, record.node))
    for scope in model.scopes:
        if scope.is_function:
            found.extend(_decorated(context, scope))
    return found


def _differentiation(options: List[ast.keyword], scope: Scope, is_method: bool, positional: int, keywords, calls,
                     qualified: str, jitted: bool, partial: Optional[ast.Call] = None,
                     transform: Optional[ast.Call] = None) -> Differentiation:
    params = parameter_names(scope.node, is_method)[positional:]
    options = {k.arg: k.value for k in options if k.arg is not None}
    argnums = _argnums(options.get("argnums"))
    differentiated = frozenset(params[i] for i in argnums if i < len(params))
    return Differentiation(
        scope, tuple(params), differentiated, _is_true(options.get("has_aux")), tuple(keywords),
        tuple(calls), qualified.endswith("value_and_grad"), jitted, partial, transform=transform,
    )


def _helpers(context: RuleContext, diff: Differentiation) -> List[Differentiation]:
    """Functions and ``self`` methods of this module that the differentiated function calls with
    its differentiated parameters (``forward(trainable, non_trainable, x)``), one level deep."""
    found = []
    scope = diff.function
    records = [r for records in scope.calls.values() for r in records]
    if scope.cls is not None:
        records += [r for records in scope.cls.attr_calls.values() for r in records if r.scope is scope]
    for record in records:
        helper, is_method = _callee(context, record)
        if helper is None or helper is scope:
            continue
        params = parameter_names(helper.node, is_method)
        mapped = set()
        for index, arg in enumerate(record.node.args):
            if isinstance(arg, ast.Starred):
                break
            if index < len(params) and _mentions(arg, diff.differentiated, record, 0):
                mapped.add(params[index])
        for keyword in record.node.keywords:
            if keyword.arg in params and _mentions(keyword.value, diff.differentiated, record, 0):
                mapped.add(keyword.arg)
        if mapped:
            found.append(Differentiation(helper, tuple(params), frozenset(mapped), False, (), (record.node,),
                                         diff.value_and_grad, helper=True))
    return found


def _callee(context: RuleContext, record: CallRecord):
    """(scope, is a method) of the function or ``self`` method of this module ``record`` calls."""
    func = record.node.func
    if isinstance(func, ast.Name):
        bindings = reaching(record.scope, func.id, record.seq, record.blocks)
        if len(bindings) == 1 and isinstance(bindings[0], FunctionDefinition):
            found = context.model.function_scopes.get(id(bindings[0].node))
            return (found, False) if found is not None and found.cls is None else (None, False)
        return None, False
    cls = record.scope.cls
    if cls is not None and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id == record.scope.self_name and func.attr in cls.methods:
        return cls.methods[func.attr], True
    return None, False


def _decorated(context: RuleContext, scope: Scope) -> List[Differentiation]:
    """``@jax.grad`` / ``@functools.partial(jax.value_and_grad, has_aux=True)`` on a def."""
    found = []
    fdef = scope.node
    parent = scope.parent
    for decorator in fdef.decorator_list:
        options: List[ast.keyword] = []
        if isinstance(decorator, ast.Call) and decorator.args \
                and qualified_name(decorator.func, parent) == _PARTIAL:
            name = qualified_name(decorator.args[0], parent)
            options = decorator.keywords
        else:
            name = qualified_name(decorator, parent)
        if name in TRANSFORMS:
            calls = [r.node for r in _name_calls(context, parent, fdef.name, lambda b: b.node is fdef)]
            jitted = any(qualified_name(d.func if isinstance(d, ast.Call) else d, parent) in _WRAPPERS
                         or isinstance(d, ast.Call) and d.args and qualified_name(d.args[0], parent) in _WRAPPERS
                         for d in fdef.decorator_list)
            found.append(_differentiation(options, scope, scope.cls is not None, 0, (), calls, name, jitted))
    return found


def _target(context: RuleContext, node, record: CallRecord, depth: int):
    """(function scope, is a method, positional arguments bound, keywords bound, the outermost
    ``functools.partial`` call or None) for what is differentiated."""
    if depth > _MAX_DEPTH:
        return None
    model = context.model
    if isinstance(node, ast.Name):
        bindings = [b for b in reaching(record.scope, node.id, record.seq, record.blocks) if not b.augments]
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if isinstance(binding, FunctionDefinition):
            scope = model.function_scopes.get(id(binding.node))
            return None if scope is None or scope.cls is not None else (scope, False, 0, (), None)
        if isinstance(binding, Assignment) and isinstance(binding.value, ast.Call):
            where = CallRecord(binding.value, binding.scope, binding.seq, binding.blocks, ())
            return _partial_target(context, binding.value, where, depth)
        return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and record.scope.cls is not None \
            and node.value.id == record.scope.self_name:
        method = record.scope.cls.methods.get(node.attr)
        return None if method is None else (method, True, 0, (), None)
    if isinstance(node, ast.Call):
        return _partial_target(context, node, record, depth)
    return None


def _partial_target(context: RuleContext, call: ast.Call, record: CallRecord, depth: int):
    if qualified_name(call.func, record.scope, record.seq, record.blocks) != _PARTIAL or not call.args:
        return None
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    inner = _target(context, call.args[0], record, depth + 1)
    if inner is None:
        return None
    scope, is_method, positional, keywords, _ = inner
    bound = tuple(keywords) + tuple((k.arg, k.value) for k in call.keywords)
    return scope, is_method, positional + len(call.args) - 1, bound, call


def _gradient_calls(context: RuleContext, transform: CallRecord) -> Tuple[List[ast.Call], bool]:
    """The calls of what ``jax.value_and_grad(f)`` returns: called at once, or kept in a name
    (``grad_fn = jax.jit(jax.value_and_grad(f))``) or on ``self`` and called later; and whether
    a ``jax.jit`` wraps it on the way."""
    up = parents(context)
    node: ast.AST = transform.node
    parent = up.get(id(node))
    jitted = False
    while isinstance(parent, ast.Call) and node in parent.args \
            and qualified_name(parent.func, transform.scope, transform.seq, transform.blocks) in _WRAPPERS:
        node, parent, jitted = parent, up.get(id(parent)), True
    if isinstance(parent, ast.Call) and parent.func is node:
        return [parent], jitted
    if not isinstance(parent, ast.Assign) or len(parent.targets) != 1:
        return [], jitted
    target = parent.targets[0]
    if isinstance(target, ast.Name):
        calls = _name_calls(context, transform.scope, target.id, lambda b: b.node is parent)
        return [r.node for r in calls], jitted
    scope = transform.scope
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and scope.cls is not None \
            and target.value.id == scope.self_name:
        return [r.node for r in scope.cls.attr_calls.get(target.attr, ())], jitted
    return [], jitted


def _name_calls(context: RuleContext, owner: Scope, name: str, is_binding) -> List[CallRecord]:
    """Calls of ``name`` that the binding ``is_binding`` picks reaches (in ``owner`` or nested scopes)."""
    found = []
    for scope in context.model.scopes:
        for record in scope.calls.get(name, ()):
            bindings = reaching(record.scope, name, record.seq, record.blocks)
            if any(is_binding(b) for b in bindings):
                found.append(record)
    return found


# -- the training flag ------------------------------------------------------------------------


def _flag(context: RuleContext, record: CallRecord, diff: Differentiation) -> Flag:
    call = record.node
    if len(call.args) > 3 or any(isinstance(a, ast.Starred) for a in call.args):
        return GIVEN  # a positional argument of ``call`` after the inputs may be the flag
    given = keyword_value(call, "training")
    if given is not None:
        return _follow(given, record, diff)
    for keyword in call.keywords:
        if keyword.arg is None:
            return _through_kwargs(keyword.value, record, diff)
    return Flag(True, "training", (call,))


def _follow(node, record: CallRecord, diff: Differentiation) -> Flag:
    """The flag expression ``node`` in the differentiated function: a parameter is followed to the
    gradient function's calls and its default; a literal is the author's choice."""
    if not isinstance(node, ast.Name):
        return GIVEN
    bindings = reaching(record.scope, node.id, record.seq, record.blocks)
    if len(bindings) != 1 or not isinstance(bindings[0], Parameter) or bindings[0].scope is not diff.function:
        return GIVEN
    return _parameter_flag(bindings[0], diff)


def _parameter_flag(binding: Parameter, diff: Differentiation) -> Flag:
    name = binding.node.arg
    if any(k == name for k, _ in diff.bound):
        return GIVEN  # functools.partial(f, training=...)
    if not diff.calls or binding.value is not None and not _is_false(binding.value):
        return GIVEN
    index = diff.params.index(name) if name in diff.params else None
    missing = []
    for call in diff.calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            continue
        if keyword_value(call, name) is not None or index is not None and index < len(call.args):
            continue
        missing.append(call)
    if not missing:
        return GIVEN
    if diff.jitted:
        # a keyword of the jitted call would be traced: bind it in the partial, before jit
        return Flag(True, name, (diff.partial,) if diff.partial is not None else ())
    return Flag(True, name, tuple(missing))


def _through_kwargs(node, record: CallRecord, diff: Differentiation) -> Flag:
    """``stateless_call(..., **kwargs)``: the function's own ``**kwargs`` (the gradient function's
    calls give it), or a local dict whose ``"training"`` entry is followed."""
    if not isinstance(node, ast.Name):
        return GIVEN
    bindings = reaching(record.scope, node.id, record.seq, record.blocks)
    if len(bindings) == 1 and isinstance(bindings[0], Parameter) and bindings[0].scope is diff.function:
        kwarg = diff.function.node.args.kwarg
        if kwarg is None or kwarg.arg != node.id or not diff.calls:
            return GIVEN
        missing = tuple(c for c in diff.calls
                        if keyword_value(c, "training") is None and not any(k.arg is None for k in c.keywords))
        if not missing:
            return GIVEN
        # under jax.jit the keyword would be traced: give it to the stateless call itself
        return Flag(True, "training", (record.node,) if diff.jitted else missing)
    entries = _dict_entries(node.id, record)
    if entries is None:
        return GIVEN
    if not entries:
        return Flag(True, "training", (record.node,))
    flags = [_follow(entry, record, diff) for entry in entries]
    missing = tuple(c for f in flags if f.missing for c in f.fix_calls)
    keyword = next((f.keyword for f in flags if f.missing), "training")
    return Flag(True, keyword, missing) if missing else GIVEN


def _dict_entries(name: str, record: CallRecord) -> Optional[List[ast.expr]]:
    """The values a local dict ``name`` holds under ``"training"`` (``{}``, ``{"training": t}``,
    ``dict(training=t)``, ``name["training"] = t``); None when the dict is not seen."""
    entries = []
    for binding in reaching(record.scope, name, record.seq, record.blocks):
        value = binding.value if isinstance(binding, Assignment) else None
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values):
                if key is None:
                    return None
                if _constant(key) == "training":
                    entries.append(item)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict" \
                and not value.args:
            entries.extend(k.value for k in value.keywords if k.arg == "training")
        else:
            return None
    for node in ast.walk(record.scope.node):
        if isinstance(node, ast.Assign) and node.lineno < record.node.lineno:
            for target in node.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                        and target.value.id == name:
                    if _constant(subscript_index(target)) != "training":
                        return None
                    entries.append(node.value)
    return entries


# -- small helpers ----------------------------------------------------------------------------


def _mentions(node, names: FrozenSet[str], record: CallRecord, depth: int) -> bool:
    """``node`` is built from one of the parameters ``names`` (directly or through a local name)."""
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Name):
            continue
        if inner.id in names:
            return True
        if depth < 2:
            for binding in reaching(record.scope, inner.id, record.seq, record.blocks):
                if isinstance(binding, (Assignment, Unpacking)) and binding.value is not None \
                        and binding.scope is record.scope and _mentions(binding.value, names, record, depth + 1):
                    return True
    return False


def _argnums(node) -> FrozenSet[int]:
    if node is None:
        return frozenset({0})
    if isinstance(node, (ast.Tuple, ast.List)):
        values = [_constant(e) for e in node.elts]
    else:
        values = [_constant(node)]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return frozenset(values)
    return frozenset()


def _constant(node):
    """The value of a literal (``ast.Constant``; ``Str``, ``Num`` and ``NameConstant`` on 3.7), else None."""
    if isinstance(node, ast.Constant):
        return node.value
    kind = type(node).__name__
    if kind == "NameConstant":
        return node.value
    return getattr(node, "s", getattr(node, "n", None)) if kind in ("Str", "Num") else None


def _is_true(node) -> bool:
    return node is not None and _constant(node) is True


def _is_false(node) -> bool:
    """A literal that is not true: ``False``, ``None``, ``0``."""
    literal = isinstance(node, ast.Constant) or type(node).__name__ in ("NameConstant", "Num")
    return literal and not _constant(node)

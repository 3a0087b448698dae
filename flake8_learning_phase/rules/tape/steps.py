"""The tape family's step finder: TF2 training steps and the model calls in them.

A step is a ``with tf.GradientTape() as tape:`` block whose tape takes a
gradient with respect to a model's variables (``tape.gradient(loss,
model.trainable_variables)``, ``apply_gradients(zip(grads, ...))`` with
those gradients, or ``optimizer.minimize(loss, variables, tape=tape)``), or
a callable loss Keras 2's ``optimizer.minimize`` differentiates itself; the
models it trains are named as written (``model``, ``self.encoder``,
``self``).  :func:`model_calls` yields each call of a trained model in the
step, also inside this module's helpers that receive the model (``loss(model,
x, y)``, ``self.forward(x)``).
"""
import ast
from typing import Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.module import (
    Assignment,
    Augmentation,
    CallRecord,
    Element,
    Extend,
    FunctionDefinition,
    Parameter,
    Scope,
    Unpacking,
    WithItem,
    dotted,
    qualified_name,
    reaching,
    subscript_index,
)
from flake8_learning_phase.core.registry import Prefilter
from flake8_learning_phase.core.signatures import keyword_value, parameter_names
from flake8_learning_phase.flow.calls import parameter_arguments
from flake8_learning_phase.flow.terms import PARAMETER, Context, Term

# Where a tape shows which model it trains: tape.gradient(loss, <model>.<one of these>).
TRAINABLE = ("trainable_variables", "trainable_weights")
# ``variables`` and ``weights`` hold the trainable ones too (the others get no gradient), but
# a tf.Module or a parameterisation has them as well: a model trained only through them is
# reported only when it is seen to be a Keras model.
ALL_WEIGHTS = TRAINABLE + ("variables", "weights")
_MAX_HELPER_DEPTH = 2

# A training step opens a tape (``GradientTape(``) and takes a gradient from it (``.gradient(``)
# with respect to a model's ``trainable_variables``, ``variables`` or ``weights``; the words come
# first (a C-speed ``in``), the pattern only for files that have one.  On the tensorflow-cpu
# 2.15 + keras 3 sources it lets 10 of 2,751 files through (38 without the last condition).
# Keras 2's optimizer can take the gradient itself: ``.minimize(`` beside a model's
# ``x.trainable_variables`` (not TF 1's ``tf.trainable_variables()`` call).  With that group
# and ``.variables`` / ``.weights``, 18 of TensorFlow 2.15's 1,847 files pass (7 before) and 15
# of its Keras' 605 (9).
# Keras 3 on JAX and torch (keras3_backends/): ``stateless_call(``, ``.backward(``,
# ``torch.autograd.grad``.  Measured on the keras 3.15.1, jax 0.10.2 and torch 2.13 sources:
# 11 of 904, 0 of 617 and 107 of 2,285 files pass (torch's own code calls ``.backward()``).
PREFILTER = Prefilter(
    words=("GradientTape", "train_step", "stateless_call", "backward", "autograd", "minimize"),
    patterns=(
        (r"GradientTape\s*\(", r"\.\s*(?:gradient|minimize)\s*\(", r"\.\s*(?:trainable_)?(?:variables|weights)\b"),
        (r"\.\s*minimize\s*\(", r"\w\.\s*(?:trainable_)?(?:variables|weights)\b(?!\s*\()"),
        (r"stateless_call\s*\(|\.\s*backward\s*\(|autograd(?:\s*\.\s*grad\s*\(|\s+import\s[^\n]*\bgrad\b)",),
    ),
)


class _Tape(NamedTuple):
    item: WithItem
    name: Optional[str]  # the ``as`` name
    scope: Scope


class _Trained(NamedTuple):
    """The models (as written) a step trains, and those of them named by their trainable weights."""

    models: Set[str]
    by_trainable: Set[str]

    def __or__(self, other: "_Trained") -> "_Trained":
        return _Trained(self.models | other.models, self.by_trainable | other.by_trainable)


_NOTHING = _Trained(set(), set())


def _trained_through(context: RuleContext, node, record: CallRecord) -> _Trained:
    """The models whose weights ``node`` (a gradient's sources, a var_list) holds."""
    where = (record.scope, record.seq, record.blocks)
    return _Trained(_models_of(context, node, *where, 0, ALL_WEIGHTS), _models_of(context, node, *where, 0))


class ModelCall(NamedTuple):
    """A call of a model a tape trains."""

    record: CallRecord  # the call
    where: CallRecord  # the step's call that reaches it: the record itself, or the helper's call
    # reported only when seen to be a model: an attribute of a trained model (``self.encoder(x)`` when
    # the tape trains ``self``), or a model trained only through its ``variables`` / ``weights``
    part: bool
    # the helper the call stands in, when it also runs outside training steps (the model's own
    # ``call``, a loss helper ``test_step`` calls too): a ``training=True`` there would train those
    shared_helper: Optional[str] = None


def model_calls(context: RuleContext) -> Iterator[ModelCall]:
    """Every call of a trained model in the module's training steps (a call may come more than once)."""
    for found in _minimized_loss_calls(context):
        yield found
    records = _with_records(context)
    if not records:
        return
    tapes: Dict[int, Optional[_Tape]] = {}
    for record in records:
        for item in record.withs:
            if id(item.context) not in tapes:
                tapes[id(item.context)] = _tape(item, record)
    trained_by_tape: Dict[int, _Trained] = {}
    for key, tape in tapes.items():
        if tape is not None:
            trained_by_tape[key] = _trained(context, tape)
    for record in records:
        trained = _NOTHING
        for item in record.withs:
            trained = trained | trained_by_tape.get(id(item.context), _NOTHING)
        if not trained.models or _never_run(context, record.scope):
            continue
        for found in _calls_of_trained(context, record, trained):
            yield found


def _calls_of_trained(context: RuleContext, record: CallRecord, trained: _Trained) -> Iterator[ModelCall]:
    """The calls of trained models from ``record``; one trained only through ``variables`` or
    ``weights`` marked to be reported only when seen to be a model (``part``)."""
    for found in _model_calls(context, record, trained.models, 0):
        if trained.models != trained.by_trainable:
            text = model_text(found.record.node.func)
            if text is None or not _trains(text, trained.by_trainable):
                found = found._replace(part=True)
        yield found


def _minimized_loss_calls(context: RuleContext) -> Iterator[ModelCall]:
    """Model calls in a loss that Keras 2's optimizer differentiates itself, with a tape of its own:
    ``optimizer.minimize(lambda: loss(model(x), y), model.trainable_variables)``, or a function of
    this module handed as the loss.  A callable loss is eager code (TF 1's graph-mode ``minimize``
    takes a tensor), so this is a TF2 step whatever the optimizer."""
    for record in context.model.attribute_calls.get("minimize", ()):
        node = record.node
        if not node.args or keyword_value(node, "tape") is not None:
            continue
        variables = node.args[1] if len(node.args) > 1 else keyword_value(node, "var_list")
        inner = _loss_records(context, node.args[0], record) if variables is not None else []
        if not inner or _never_run(context, record.scope):
            continue
        trained = _trained_through(context, variables, record)
        for call in inner:
            for found in _calls_of_trained(context, call, trained):
                yield found


def _loss_records(context: RuleContext, loss, record: CallRecord) -> List[CallRecord]:
    """The calls a callable loss makes: a lambda's, or those of a function of this module."""
    if isinstance(loss, ast.Lambda):
        inside = {id(node) for node in ast.walk(loss.body) if isinstance(node, ast.Call)}
        return [r for r in _scope_calls(context, record.scope) if id(r.node) in inside]
    if not isinstance(loss, ast.Name):
        return []
    bindings = reaching(record.scope, loss.id, record.seq, record.blocks)
    if len(bindings) != 1 or not isinstance(bindings[0], FunctionDefinition):
        return []
    scope = context.model.function_scopes.get(id(bindings[0].node))
    return [r for r in _scope_calls(context, scope) if r.scope is scope] if scope is not None else []


def _never_run(context: RuleContext, scope: Scope) -> bool:
    """A function defined inside another that never mentions it (not called, returned or handed
    on): nothing can run it, so its step trains nothing (a test's left-over ``def _train``).
    Asked for every call in a step: the enclosing function is walked once per analysis."""
    parent = scope.parent
    if not scope.is_function or parent is None or not parent.is_function:
        return False
    mentioned = context.shared(("names read in", id(parent.node)), lambda _: {
        node.id for node in ast.walk(parent.node) if isinstance(node, ast.Name)})
    return scope.node.name not in mentioned


def _with_records(context: RuleContext) -> List[CallRecord]:
    model = context.model
    found = [r for s in model.scopes for records in s.calls.values() for r in records if r.withs]
    found += [r for records in model.attribute_calls.values() for r in records if r.withs]
    found += [r for r in model.subscript_calls if r.withs]
    found.sort(key=lambda r: r.seq)
    return found


def _tape(item: WithItem, record: CallRecord) -> Optional[_Tape]:
    """The ``with`` item when it opens a ``tf.GradientTape``."""
    context = item.context
    if not isinstance(context, ast.Call):
        return None
    name = qualified_name(context.func, record.scope, item.seq, record.blocks)
    if name is None or name.rpartition(".")[2] != "GradientTape" or name.split(".")[0] != "tensorflow":
        return None
    target = item.target.id if isinstance(item.target, ast.Name) else None
    return _Tape(item, target, record.scope)


def _trained(context: RuleContext, tape: _Tape) -> _Trained:
    """The models (as written: ``model``, ``self.encoder``, ``self``) whose variables the tape differentiates."""
    if tape.name is None:
        return _NOTHING
    model = context.model
    found = _NOTHING
    gradients = []
    for record in model.attribute_calls.get("gradient", ()):
        func = record.node.func
        if isinstance(func.value, ast.Name) and func.value.id == tape.name and record.scope is tape.scope \
                and record.seq > tape.item.seq and _is_this_tape(tape, record):
            gradients.append(record)
            sources = record.node.args[1] if len(record.node.args) > 1 else keyword_value(record.node, "sources")
            if sources is not None:
                found = found | _trained_through(context, sources, record)
    # optimizer.apply_gradients(zip(grads, m.trainable_variables)) with grads from this tape
    gradient_nodes = {id(r.node) for r in gradients}
    for record in model.attribute_calls.get("apply_gradients", ()):
        if record.scope is not tape.scope or not record.node.args:
            continue
        pairs = record.node.args[0]
        if not (isinstance(pairs, ast.Call) and isinstance(pairs.func, ast.Name) and pairs.func.id == "zip"
                and len(pairs.args) == 2):
            continue
        grads, variables = pairs.args
        if _is_gradient(grads, gradient_nodes, record):
            found = found | _trained_through(context, variables, record)
    # optimizer.minimize(loss, m.trainable_variables, tape=tape): Keras 2's optimizer takes the
    # gradient from the tape itself (its second parameter is var_list; TF 1's has no ``tape``)
    for record in model.attribute_calls.get("minimize", ()):
        given = keyword_value(record.node, "tape")
        if record.scope is not tape.scope or record.seq <= tape.item.seq or not isinstance(given, ast.Name) \
                or given.id != tape.name or not _is_this_tape(tape, record):
            continue
        variables = record.node.args[1] if len(record.node.args) > 1 else keyword_value(record.node, "var_list")
        if variables is not None:
            found = found | _trained_through(context, variables, record)
    return found


def _is_this_tape(tape: _Tape, record: CallRecord) -> bool:
    """The tape name at ``record`` is the one this ``with`` item bound (not a later tape of the same name)."""
    bindings = reaching(record.scope, tape.name, record.seq, record.blocks)
    # the ``as`` target is bound just before its with item is recorded
    return any(b.seq == tape.item.seq - 1 for b in bindings)


def _is_gradient(node, gradient_nodes: Set[int], record: CallRecord) -> bool:
    if id(node) in gradient_nodes:
        return True
    if isinstance(node, ast.Name):
        bindings = reaching(record.scope, node.id, record.seq, record.blocks)
        return any(isinstance(b, Assignment) and id(b.value) in gradient_nodes for b in bindings)
    return False


def _models_of(context: RuleContext, node, scope: Scope, seq: int, blocks: tuple, depth: int,
               attrs: Tuple[str, ...] = TRAINABLE) -> Set[str]:
    """``m`` for every ``m.trainable_variables`` the variables expression is made of; through a
    list filled by ``.extend`` / ``.append`` and a parameter the calls in this file pass (as
    the caller writes the models: a step is mostly called with its own names for them)."""
    if depth > 4:
        return set()
    if isinstance(node, ast.Attribute) and node.attr in attrs:
        text = model_text(node.value)
        found = {text} if text is not None else set()
        if isinstance(node.value, ast.Name):
            # ``for layer in layers: variables += layer.trainable_variables``: each of the layers
            for binding in reaching(scope, node.value.id, seq, blocks):
                if isinstance(binding, Element):
                    found |= _element_texts(binding.iterable, binding.scope, binding.seq, binding.blocks)
                    found |= _any_element(binding.iterable)
        return found
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        # ``[v for layer in layers for v in layer.trainable_variables]``
        loops = {g.target.id: g.iter for g in node.generators if isinstance(g.target, ast.Name)}
        found = set()
        for part in [g.iter for g in node.generators] + [node.elt]:
            if isinstance(part, ast.Attribute) and part.attr in attrs and isinstance(part.value, ast.Name) \
                    and part.value.id in loops:
                found |= _element_texts(loops[part.value.id], scope, seq, blocks)
                found |= _any_element(loops[part.value.id])
        return found
    if isinstance(node, ast.IfExp):  # ``actor.trainable_variables if actor_turn else critic...``
        return _models_of(context, node.body, scope, seq, blocks, depth + 1, attrs) \
            | _models_of(context, node.orelse, scope, seq, blocks, depth + 1, attrs)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sum" and node.args:
        return _models_of(context, node.args[0], scope, seq, blocks, depth + 1, attrs)  # sum([...], [])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _models_of(context, node.left, scope, seq, blocks, depth + 1, attrs)
        return left | _models_of(context, node.right, scope, seq, blocks, depth + 1, attrs)
    if isinstance(node, (ast.List, ast.Tuple)):
        found: Set[str] = set()
        for element in node.elts:
            inner = element.value if isinstance(element, ast.Starred) else element
            found |= _models_of(context, inner, scope, seq, blocks, depth + 1, attrs)
        return found
    if isinstance(node, ast.Name):
        found = set()
        for binding in reaching(scope, node.id, seq, blocks):
            if isinstance(binding, (Assignment, Augmentation, Extend)) and binding.value is not None:
                found |= _models_of(context, binding.value, binding.scope, binding.seq, binding.blocks, depth + 1,
                                    attrs)
            elif isinstance(binding, Parameter):
                where = Context(binding.scope, binding.seq, binding.blocks)
                for argument_node, at in parameter_arguments(context, Term(PARAMETER, binding.node, where)):
                    found |= _models_of(context, argument_node, at.scope, at.seq, at.blocks, depth + 1, attrs)
        return found
    return set()


def _any_element(iterable) -> Set[str]:
    """``models[*]``: any element of the container as written, the model a loop or comprehension
    variable over it stands for (``for m in models``, ``[m(x) for m in self.models]``)."""
    text = model_text(iterable)
    return {text + "[*]"} if text is not None else set()


def _element_of(record: CallRecord, context: RuleContext) -> Set[str]:
    """``models[*]`` when the record calls a loop's or a comprehension's variable over ``models``."""
    func = record.node.func
    if not isinstance(func, ast.Name):
        return set()
    iterated = context.model.comprehension_elements.get(id(func))
    if iterated is not None:
        return _any_element(iterated)
    return {text for binding in reaching(record.scope, func.id, record.seq, record.blocks)
            if isinstance(binding, Element) for text in _any_element(binding.iterable)}


def _trains(text: str, trained: Set[str]) -> bool:
    """A model written ``text`` is one the tape trains: itself, or, for an element of a container
    (``models[*]``, ``models[0]``), the container's elements trained by any index or all."""
    if text in trained:
        return True
    if text.endswith("]") and "[" in text:
        container = text[:text.rindex("[")]
        return container + "[*]" in trained or text.endswith("[*]") and any(
            t.startswith(container + "[") for t in trained)
    return False


def _element_texts(iterable, scope: Scope, seq: int, blocks: tuple) -> Set[str]:
    """The models (as written) a list display, or a name bound only to displays, holds."""
    if isinstance(iterable, ast.Name):
        # ``dense, norm, head = layers``: the names unpacked from it are its elements
        found = {name for name, bindings in scope.bindings.items() for b in bindings
                 if isinstance(b, Unpacking) and isinstance(b.value, ast.Name) and b.value.id == iterable.id}
        bindings = reaching(scope, iterable.id, seq, blocks)
        if not bindings or not all(isinstance(b, Assignment) and isinstance(b.value, (ast.List, ast.Tuple))
                                   for b in bindings):
            return found
        return found | {t for b in bindings for t in _element_texts(b.value, b.scope, b.seq, b.blocks)}
    if isinstance(iterable, (ast.List, ast.Tuple)):
        return {t for t in (model_text(e) for e in iterable.elts) if t is not None}
    return set()


def _model_calls(context: RuleContext, record: CallRecord, trained: Set[str], depth: int):
    """``(call, where, part)``: the record itself when it calls a trained model (``part``: an
    attribute of one, ``self.encoder(x)`` when the tape differentiates ``self.trainable_weights``,
    whose weights those include), or such calls inside a helper it calls."""
    func = record.node.func
    text = model_text(func)
    if any(_trains(element, trained) for element in _element_of(record, context)) \
            or text is not None and (_trains(text, trained) or len([t for t in trained if t.startswith(text + ".")]) > 1):
        # the model itself, or one whose parts get separate gradients (a persistent tape:
        # ``tape.gradient(loss, net.encoder.trainable_variables)``, then ``net.decoder``)
        yield ModelCall(record, record, False)
        return
    # a helper of this module receiving a trained model: loss(model, x, y)
    helper = _helper(context, record) if depth < _MAX_HELPER_DEPTH else None
    if helper is None:
        if isinstance(func, ast.Attribute) and dotted(func.value) in trained:
            yield ModelCall(record, record, True)
        return
    fdef, scope, bound = helper
    params = parameter_names(fdef)
    if bound and params:
        inner_trained = {t.replace("self.", scope.self_name + ".", 1) for t in trained
                         if t.startswith("self.") and scope.self_name}
        if "self" in trained and scope.self_name:
            inner_trained.add(scope.self_name)
        params = params[1:]
    else:
        inner_trained = set()
    for index, arg in enumerate(record.node.args):
        if isinstance(arg, ast.Starred):
            break
        if index < len(params) and dotted(arg) in trained:
            inner_trained.add(params[index])
    for keyword in record.node.keywords:
        if keyword.arg is not None and dotted(keyword.value) in trained:
            inner_trained.add(keyword.arg)
    for text in trained:
        # a model the helper reads itself, from the module or an enclosing function (a gradient
        # penalty's ``critic(interpolated)``)
        root = text.split(".")[0].split("[")[0]
        owner = record.scope.lookup(root)
        if owner is not None and root not in scope.bindings and scope.lookup(root) is owner:
            inner_trained.add(text)
    if not inner_trained:
        return
    shared = fdef.name if _runs_outside_steps(context, fdef, scope) else None
    for inner in _scope_calls(context, scope):
        if inner.scope is not scope:
            continue
        for found in _model_calls(context, inner, inner_trained, depth + 1):
            yield found._replace(shared_helper=found.shared_helper or shared)


def _runs_outside_steps(context: RuleContext, fdef, scope: Scope) -> bool:
    """The helper also runs where no tape is open: it is a model's own ``call`` (every use of the
    model runs it), or one of its calls in this module stands outside a tape and a minimised loss."""
    if fdef.name in ("call", "__call__"):
        return True
    model = context.model
    if scope.cls is not None:
        sites = [r for r in model.attribute_calls.get(fdef.name, ()) if r.scope.cls is scope.cls]
    else:
        sites = [r for s in model.scopes for r in s.calls.get(fdef.name, ())]
    in_losses = context.shared(_minimized_loss_ids, _minimized_loss_ids)
    return any(id(site.node) not in in_losses and not any(_tape(item, site) for item in site.withs)
               for site in sites)


def _minimized_loss_ids(context: RuleContext) -> Set[int]:
    """The calls made in the callable losses handed to ``minimize`` (steps with no tape written)."""
    found: Set[int] = set()
    for record in context.model.attribute_calls.get("minimize", ()):
        if record.node.args:
            found |= {id(r.node) for r in _loss_records(context, record.node.args[0], record)}
    return found


def _helper(context: RuleContext, record: CallRecord):
    """(def, scope, is a method) for a function or ``self`` method of this module that the record calls."""
    func = record.node.func
    model = context.model
    if isinstance(func, ast.Name):
        bindings = reaching(record.scope, func.id, record.seq, record.blocks)
        if len(bindings) == 1 and isinstance(bindings[0], FunctionDefinition):
            fdef = bindings[0].node
            scope = model.function_scopes.get(id(fdef))
            if scope is not None:
                return fdef, scope, scope.cls is not None
        return None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and record.scope.cls is not None \
            and func.value.id == record.scope.self_name:
        method = record.scope.cls.methods.get(func.attr)
        if method is not None:
            return method.node, method, True
    return None


def _scope_calls(context: RuleContext, scope: Scope) -> List[CallRecord]:
    cache = context.shared(_scope_calls, lambda c: {})
    found = cache.get(id(scope))
    if found is None:
        model = context.model
        found = [r for records in scope.calls.values() for r in records]
        found += [r for records in model.attribute_calls.values() for r in records if r.scope is scope]
        found += [r for r in model.subscript_calls if r.scope is scope]
        found.sort(key=lambda r: r.seq)
        cache[id(scope)] = found
    return found


def model_text(node) -> Optional[str]:
    """``model``, ``self.encoder``, or one element of a container by a name or a constant
    (``critics[i]``, ``self.nets[0]``, ``nets["gen"]``): the model as written, for matching a
    call with the variables the tape differentiates."""
    if isinstance(node, ast.Subscript):
        index = subscript_index(node)
        base = dotted(node.value)
        if base is None:
            return None
        if isinstance(index, ast.Name):
            return "{}[{}]".format(base, index.id)
        if type(index).__name__ in ("Constant", "Num", "Str"):
            value = ast.literal_eval(index)
            if isinstance(value, str) and '"' not in value:
                return '{}["{}"]'.format(base, value)  # quoted as most code is
            if isinstance(value, (int, str)) and not isinstance(value, bool):
                return "{}[{!r}]".format(base, value)
        return None
    return dotted(node)

"""LP300: a model called in a TF2 / Keras 3 training step without ``training=True``."""
import ast
from typing import Dict, Iterator, List, NamedTuple, Optional, Set

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.core.findings import AddKeyword, Finding
from flake8_learning_phase.core.models import NOT_POSITIONAL, ModelInfo, resolve_model
from flake8_learning_phase.core.module import (
    Assignment,
    Augmentation,
    CallRecord,
    Element,
    FunctionDefinition,
    Scope,
    Unpacking,
    WithItem,
    dotted,
    qualified_name,
    reaching,
)
from flake8_learning_phase.core.registry import Prefilter, Rule, invalid, valid
from flake8_learning_phase.rules._keras import UNSEEN_MODEL

# Where a tape shows which model it trains: tape.gradient(loss, <model>.<one of these>).
TRAINABLE = ("trainable_variables", "trainable_weights")
_MAX_HELPER_DEPTH = 2
# Keywords that set the mode: Keras' ``training``, and ``is_training`` of models whose own call
# names it so (Sonnet style): adding ``training=True`` next to it would be wrong.
_FLAGS = ("training", "is_training")
_NO_GRADIENT = ("argmax", "argmin", "stop_gradient")
# A training step opens a tape (``GradientTape(``) and takes a gradient from it (``.gradient(``)
# with respect to a model's ``trainable_variables`` or ``trainable_weights``; the words come
# first (a C-speed ``in``), the pattern only for files that have one.  On the tensorflow-cpu
# 2.15 + keras 3 sources it lets 10 of 2,751 files through (38 without the last condition).
PREFILTER = Prefilter(
    words=("GradientTape", "train_step"),
    pattern=r"(?s)\A(?=.*?GradientTape\s*\()(?=.*?\.\s*gradient\s*\()(?=.*?trainable_(?:variables|weights))",
)

_BAD = '''\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam()


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = model(x)
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
'''
_GOOD = _BAD.replace("pred = model(x)", "pred = model(x, training=True)")
_BAD_TRAIN_STEP = '''\
import tensorflow as tf
from tensorflow import keras


class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(16)
        self.dropout = keras.layers.Dropout(0.5)
        self.logits = keras.layers.Dense(10)

    def call(self, inputs):
        return self.logits(self.dropout(self.hidden(inputs)))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x)
            loss = self.compiled_loss(y, y_pred)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        return {"loss": loss}
'''
_GOOD_TRAIN_STEP = _BAD_TRAIN_STEP.replace("y_pred = self(x)", "y_pred = self(x, training=True)")
_VALID_NO_PHASE_LAYERS = '''\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(10)])
optimizer = tf.keras.optimizers.Adam()


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
'''
_VALID_EVALUATION = '''\
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8), tf.keras.layers.BatchNormalization(), tf.keras.layers.Dense(1)])


@tf.function
def test_step(x, y):
    return tf.reduce_mean(tf.square(model(x) - y))
'''


class _Tape(NamedTuple):
    item: WithItem
    name: Optional[str]  # the ``as`` name
    scope: Scope


def check(context: RuleContext) -> Iterator[Finding]:
    model = context.model
    records = _with_records(context)
    if not records:
        return
    tapes: Dict[int, Optional[_Tape]] = {}
    reported: Set[int] = set()
    for record in records:
        for item in record.withs:
            if id(item.context) not in tapes:
                tapes[id(item.context)] = _tape(item, record)
    trained_by_tape: Dict[int, Set[str]] = {}
    for key, tape in tapes.items():
        if tape is not None:
            trained_by_tape[key] = _trained(model, tape)
    for record in records:
        trained: Set[str] = set()
        for item in record.withs:
            trained |= trained_by_tape.get(id(item.context), set())
        if not trained:
            continue
        for call, where, part in _model_calls(context, record, trained, 0):
            if id(call.node) in reported:
                continue
            finding = _finding(context, call, where, part)
            if finding is not None:
                reported.add(id(call.node))
                yield finding


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


def _trained(model, tape: _Tape) -> Set[str]:
    """The models (as written: ``model``, ``self.encoder``, ``self``) whose variables the tape differentiates."""
    if tape.name is None:
        return set()
    found: Set[str] = set()
    gradients = []
    for record in model.attribute_calls.get("gradient", ()):
        func = record.node.func
        if isinstance(func.value, ast.Name) and func.value.id == tape.name and record.scope is tape.scope \
                and record.seq > tape.item.seq and _is_this_tape(tape, record):
            gradients.append(record)
            sources = record.node.args[1] if len(record.node.args) > 1 else _keyword(record.node, "sources")
            if sources is not None:
                found |= _models_of(sources, record.scope, record.seq, record.blocks, 0)
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
            found |= _models_of(variables, record.scope, record.seq, record.blocks, 0)
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


def _models_of(node, scope: Scope, seq: int, blocks: tuple, depth: int) -> Set[str]:
    """``m`` for every ``m.trainable_variables`` the variables expression is made of."""
    if depth > 4:
        return set()
    if isinstance(node, ast.Attribute) and node.attr in TRAINABLE:
        text = _model_text(node.value)
        found = {text} if text is not None else set()
        if isinstance(node.value, ast.Name):
            # ``for layer in layers: variables += layer.trainable_variables``: each of the layers
            for binding in reaching(scope, node.value.id, seq, blocks):
                if isinstance(binding, Element):
                    found |= _element_texts(binding.iterable, binding.scope, binding.seq, binding.blocks)
        return found
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        # ``[v for layer in layers for v in layer.trainable_variables]``
        loops = {g.target.id: g.iter for g in node.generators if isinstance(g.target, ast.Name)}
        found = set()
        for part in [g.iter for g in node.generators] + [node.elt]:
            if isinstance(part, ast.Attribute) and part.attr in TRAINABLE and isinstance(part.value, ast.Name) \
                    and part.value.id in loops:
                found |= _element_texts(loops[part.value.id], scope, seq, blocks)
        return found
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sum" and node.args:
        return _models_of(node.args[0], scope, seq, blocks, depth + 1)  # sum([...], [])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _models_of(node.left, scope, seq, blocks, depth + 1)
        return left | _models_of(node.right, scope, seq, blocks, depth + 1)
    if isinstance(node, (ast.List, ast.Tuple)):
        found: Set[str] = set()
        for element in node.elts:
            inner = element.value if isinstance(element, ast.Starred) else element
            found |= _models_of(inner, scope, seq, blocks, depth + 1)
        return found
    if isinstance(node, ast.Name):
        found = set()
        for binding in reaching(scope, node.id, seq, blocks):
            if isinstance(binding, (Assignment, Augmentation)) and binding.value is not None:
                found |= _models_of(binding.value, binding.scope, binding.seq, binding.blocks, depth + 1)
        return found
    return set()


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
        return {t for t in (_model_text(e) for e in iterable.elts) if t is not None}
    return set()


def _model_calls(context: RuleContext, record: CallRecord, trained: Set[str], depth: int):
    """``(call, where, part)``: the record itself when it calls a trained model (``part``: an
    attribute of one, ``self.encoder(x)`` when the tape differentiates ``self.trainable_weights``,
    whose weights those include), or such calls inside a helper it calls."""
    func = record.node.func
    text = _model_text(func)
    if text is not None and (text in trained or len([t for t in trained if t.startswith(text + ".")]) > 1):
        # the model itself, or one whose parts get separate gradients (a persistent tape:
        # ``tape.gradient(loss, net.encoder.trainable_variables)``, then ``net.decoder``)
        yield record, record, False
        return
    # a helper of this module receiving a trained model: loss(model, x, y)
    helper = _helper(context, record) if depth < _MAX_HELPER_DEPTH else None
    if helper is None:
        if isinstance(func, ast.Attribute) and dotted(func.value) in trained:
            yield record, record, True
        return
    fdef, scope, bound = helper
    params = [a.arg for a in list(getattr(fdef.args, "posonlyargs", [])) + list(fdef.args.args)]
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
    for inner in _scope_calls(context, scope):
        if inner.scope is not scope:
            continue
        for found in _model_calls(context, inner, inner_trained, depth + 1):
            yield found


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


def _keyword(call: ast.Call, name: str):
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _passes_training(call: ast.Call, info: ModelInfo) -> bool:
    if info.flag is not None:
        # the model's own flag (``is_training=``): a ``training=`` does not reach its layers
        if any(k.arg == info.flag or k.arg is None for k in call.keywords):
            return True
    elif any(k.arg in _FLAGS or k.arg is None for k in call.keywords):
        return True
    if any(isinstance(a, ast.Starred) for a in call.args):
        return True  # *args may hold it
    # Keras' own models take ``call(inputs, training)``; a model's own ``call(self, a, b)`` takes data
    position = info.training_position if info.training_position is not None else 1
    return position != NOT_POSITIONAL and len(call.args) > position


def _guarded_by_training_check(record: CallRecord) -> bool:
    """The call sits under an ``if`` that asks whether the model takes ``training`` at all.

    Keras 3's own ``train_step``: ``if self._call_has_training_arg: self(x,
    training=True) else: self(x)``.
    """
    node = record.node
    for statement in ast.walk(record.scope.node):
        if not isinstance(statement, ast.If):
            continue
        if not any("training" in (getattr(n, "id", None) or getattr(n, "attr", None) or "")
                   for n in ast.walk(statement.test)):
            continue
        if any(n is node for n in ast.walk(statement)):
            return True
    return False


def _no_gradient(record: CallRecord) -> bool:
    """The call's output goes straight into ``tf.argmax`` or ``tf.stop_gradient``: no gradient flows
    through it (double DQN picks its next action with ``tf.argmax(q(next_states))`` in the tape),
    so it is a target computation, not the trained forward pass."""
    for node in ast.walk(record.scope.node):
        if isinstance(node, ast.Call) and any(arg is record.node for arg in node.args):
            name = qualified_name(node.func, record.scope) or ""
            root = name.partition(".")[0]
            return root in ("tensorflow", "keras", "numpy") and name.rpartition(".")[2] in _NO_GRADIENT
    return False


def _finding(context: RuleContext, record: CallRecord, where: CallRecord, part: bool) -> Optional[Finding]:
    call = record.node
    if any(k.arg is None for k in call.keywords):
        return None
    if _guarded_by_training_check(record) or _no_gradient(record):
        return None
    info = resolve_model(context, call.func, record.scope, record.seq, record.blocks)
    if _passes_training(call, info):
        return None
    if info.seen and (not info.phase_dependent or info.trains_by_default):
        return None
    if part and not info.seen:
        return None  # an attribute of a trained model is reported only when seen to be a model
    if not info.seen:
        advice = UNSEEN_MODEL
    elif info.owns_updates:
        advice = "its BatchNormalization runs in inference mode"
    else:
        advice = "its Dropout or noise layers run in inference mode"
    flag = info.flag or "training"
    if flag != "training":
        advice += " (its call takes {}=)".format(flag)
    edit = AddKeyword(context.ref(call), flag, "True")
    return context.finding(RULE, call, [edit], model=_model_text(call.func) or "the model", advice=advice)


def _model_text(node) -> Optional[str]:
    """``model``, ``self.encoder``, or one element of a container by a name or a literal
    (``critics[i]``, ``self.nets[0]``): the model as written, for matching a call with the
    variables the tape differentiates."""
    if isinstance(node, ast.Subscript):
        index = node.slice.value if type(node.slice).__name__ == "Index" else node.slice
        base = dotted(node.value)
        if base is None:
            return None
        if isinstance(index, ast.Name):
            return "{}[{}]".format(base, index.id)
        value = getattr(index, "value", getattr(index, "n", None))
        if type(index).__name__ in ("Constant", "Num") and isinstance(value, int):
            return "{}[{}]".format(base, value)
        return None
    return dotted(node)


RULE = Rule(
    code="LP300",
    title="model called in a training step without training=True",
    message="{model}(...) in a training step without training=True; {advice} (lp-fix)",
    fix_title="Pass training=True to this model call",
    detects=(
        "A call of a Keras model inside a TF2 / Keras 3 training step that passes no training "
        "argument. A *training step* is the body of `with tf.GradientTape() as tape:` (any number "
        "of tapes, `persistent=True`, several in one `with`) whose `tape.gradient(...)` is taken "
        "with respect to that model's `trainable_variables` or `trainable_weights`: directly, "
        "through a name (`params = a.trainable_variables + b.trainable_variables`), or through "
        "`optimizer.apply_gradients(zip(grads, model.trainable_variables))`. In a `train_step` "
        "override that is `self(x)` or `self.<sub-model>(x)`; a sub-model of a differentiated "
        "model counts too (`self.encoder(x)` when the tape takes `self.trainable_weights`), when "
        "the resolver sees it is a model. A call inside a helper the tape calls "
        "(a loss function receiving the model, a method of the same class) is reported at that "
        "call. The flag counts as passed when it is a keyword (`training=True`, `training=False`, "
        "`training=flag`, `**kwargs`, Sonnet's `is_training=`) or positional where the model's own "
        "`call(self, x, training)` takes it (the second argument for Keras' own models; none for a "
        "`call(self, a, b)` without `training`). Reported only when the model runs "
        "phase-dependent layers without their own `training=` (BatchNormalization, Dropout and "
        "its variants, GaussianNoise, "
        "GaussianDropout, AlphaDropout, RNN layers with dropout, `keras.applications` models, "
        "project layers that read `training`), as found by the model resolver across the project's "
        "own modules, or when the model cannot be seen at all (a hub layer, a library builder, a "
        "parameter whose callers are not visible): the message then says the fix matters if it "
        "has BatchNormalization or Dropout. A model parameter no visible call passes is judged "
        "by the networks its own module's builders return, when it has any (a library module "
        "that builds and trains its models). Reported at the model call."
    ),
    why=(
        "`model.fit()` calls the model with `training=True`. A call without it runs in inference "
        "mode: BatchNormalization normalises with its moving statistics and never updates them, "
        "and Dropout is off. The gradient step then trains a different network than "
        "`model.fit()` would, and the trained model evaluates with its initial statistics "
        "(tensorflow#31184, #32864; the keras-io DDPG example)."
    ),
    fix=(
        "`lp-fix` adds `training=True` as the last argument of the call, keeping comments, "
        "formatting and trailing commas."
    ),
    silence=(
        "Stays silent for calls outside a training step (evaluation and inference steps, a tape "
        "whose gradient is taken with respect to inputs, a target network called in the tape but "
        "not differentiated, a call whose output goes straight into `tf.argmax` or "
        "`tf.stop_gradient`), for calls that pass a training argument, for objects that are not "
        "Keras (`tf.Module`, Sonnet), and for models the resolver "
        "sees completely without phase-dependent layers (Dense, Conv, LayerNormalization, layers "
        "called with their own literal `training=`), and for subclassed models whose own "
        "`call(self, x, training=True)` defaults the flag to True (TF2 Keras and Keras 3 use that "
        "default when a call passes none). Silence one line with `# noqa: LP300`."
    ),
    examples=(
        invalid(_BAD, fixed=_GOOD),
        invalid(_BAD_TRAIN_STEP, fixed=_GOOD_TRAIN_STEP),
        valid(_GOOD),
        valid(_GOOD_TRAIN_STEP),
        valid(_VALID_NO_PHASE_LAYERS),
        valid(_VALID_EVALUATION),
    ),
    prefilter=PREFILTER,
    check=check,
)

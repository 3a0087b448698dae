"""LP200: a training step whose updates lack the trained model's own updates."""
import ast
from typing import Iterator, Optional, Tuple

from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.keras.models import ModelInfo
from flake8_learning_phase.core.findings import Concatenate, Finding
from flake8_learning_phase.core.module import dotted
from flake8_learning_phase.core.registry import FIX_SOMETIMES, SAFE, Rule, invalid, valid
from flake8_learning_phase.flow.dataflow import applications, same_value
from flake8_learning_phase.keras.backend import UNSEEN_MODEL, backend_module
from flake8_learning_phase.rules.backend_function.steps import (
    OPAQUE_UPDATES,
    PREFILTER,
    Step,
    loss_origins,
    loss_sources_complete,
    model_info,
    steps,
)
from flake8_learning_phase.flow.terms import MODEL_UPDATES

_BAD = '''\
import tensorflow as tf

K = tf.keras.backend


def make_step(model, x, y, loss, optimizer):
    updates = optimizer.get_updates(loss=loss, params=model.trainable_variables)
    return K.function([x, y, K.learning_phase()], [loss], updates=updates)
'''
_GOOD = _BAD.replace("updates=updates)", "updates=updates + model.updates)")
_GAN_BAD = '''\
from keras import backend as K
from keras.optimizers import Adam


def discriminator_step(netD, netG, real, noise):
    fake = netG(noise)
    loss = -K.mean(K.log(netD(real))) - K.mean(K.log(1 - netD(fake)))
    updates = Adam(2e-4).get_updates(loss, netD.trainable_weights)
    return K.function([real, noise, K.learning_phase()], [loss], updates)
'''
_GAN_GOOD = _GAN_BAD.replace(
    "[loss], updates)", "[loss], updates + netD.get_updates_for(real) + netD.get_updates_for(fake))"
)


def check(context: RuleContext) -> Iterator[Finding]:
    for step in steps(context):
        terms = step.update_terms
        if (
            step.model is None
            or any(t.kind == MODEL_UPDATES for t in terms)
            or any(t.kind in OPAQUE_UPDATES for t in terms)
        ):
            continue
        info = model_info(context, step)
        if info.seen and not info.owns_updates:
            continue  # no BatchNormalization whose moving statistics are ever read
        if step.phase_is_int and not info.seen:
            # A pinned phase (``set_learning_phase(1)``) leaves the moving statistics unmoved and
            # saved with the model, a defect only where BatchNormalization is seen.
            continue
        advice = "add them" if info.seen else UNSEEN_MODEL.replace(" or Dropout", "")
        updates, manual = _model_updates(context, step, info)
        if manual is None and step.model_term.context.scope is not step.context.scope:
            # The model is named by a caller (``make_train_function(inputs, loss,
            # model.trainable_weights, [])``): it may mean nothing where the step is built.
            manual = "add {} to the updates at line {} (the model comes from the call at line {})".format(
                updates, step.record.node.lineno, step.model_term.node.lineno
            )
        edits = [Concatenate(context.ref(step.updates), updates)] if manual is None else []
        pieces = updates.split(" + ")
        missing = pieces[0] + (" + ..." if len(pieces) > 1 else "") if manual is None else step.model + "'s updates"
        yield context.finding(RULE, step.record.node, edits, manual, updates=missing, advice=advice)


def _model_updates(context: RuleContext, step: Step, info: ModelInfo) -> Tuple[str, Optional[str]]:
    """The updates the loss needs, or a manual note saying where to look.

    ``model.updates`` is right when the loss is computed from the model's own
    graph (``model.output``); a model applied to another tensor (``netD(fake)``)
    needs ``netD.get_updates_for(fake)``: its ``updates`` read its own Input
    placeholder, which the step never feeds (InvalidArgumentError at the first
    call, measured on tensorflow 1.15.5 and keras 2.3.1).
    """
    model = step.model
    origins = loss_origins(context, step)
    complete = loss_sources_complete(context, step)
    own = any(_own_graph(origin.node, model) for origin in origins)
    applied = applications(origins, model)
    pieces = [_own_updates(model, step, info)] if own else []
    for application in sorted(applied, key=lambda a: (a.node.lineno, a.node.col_offset)):
        tensor = _same_value_at(application, step)
        if tensor is None:
            return "", (
                "{m} is applied to a tensor at line {a} that the step cannot name: "
                "add {m}.get_updates_for(<that tensor>) to the updates at line {s}"
            ).format(m=model, a=application.node.lineno, s=step.record.node.lineno)
        piece = "{}.get_updates_for({})".format(model, tensor)
        if piece not in pieces:
            pieces.append(piece)
    if not pieces and not _applied_anywhere(context, model):
        # The loss could not be followed all the way, but this module never applies
        # the model to another tensor: only its own graph can hold its updates.
        pieces = [_own_updates(model, step, info)]
    if not pieces or not complete and not own and applied:
        return "", (
            "cannot tell whether the loss uses {m}'s own graph: add {m}.updates (own graph) "
            "or {m}.get_updates_for(t) (for {m}(t)) to the updates at line {s}"
        ).format(m=model, s=step.record.node.lineno)
    return " + ".join(pieces), None


def _own_updates(model: str, step: Step, info: ModelInfo) -> str:
    """The updates of the model's own graph: ``model.updates``, or in tf.keras, for a model
    holding a graph network as a layer (a Sequential backbone, an applications base),
    ``model.get_updates_for(model.inputs)``.

    tf.keras 1.x ``model.updates`` gathers every update of every nested layer, including
    those the backbone built on its own Input placeholder, which the step never feeds
    (InvalidArgumentError at the first call, measured on tensorflow 1.14.0 and 1.15.5);
    ``get_updates_for(model.inputs)`` is what its ``model.fit`` runs.  Standalone keras
    2.x collects a network's updates per node, so ``model.updates`` is right there.
    """
    module = backend_module(step.record) or ""
    if info.nested and module.startswith("tensorflow."):
        return "{m}.get_updates_for({m}.inputs)".format(m=model)
    return "{}.updates".format(model)


def _applies(node: ast.expr, model: str) -> bool:
    return isinstance(node, ast.Call) and dotted(node.func) == model


def _applied_anywhere(context: RuleContext, model: str) -> bool:
    """True when the module calls ``<model>(...)`` somewhere."""
    name = model.rpartition(".")[2]
    return any(_applies(record.node, model) for record in context.model.calls_of(name))


_OWN_GRAPH = ("output", "outputs", "input", "inputs", "layers", "get_layer", "get_output_at", "output_shape")


def _own_graph(node: ast.expr, model: str) -> bool:
    """``model.output``, ``model.outputs[0]``, ``model.layers[-1].output``, ``model.get_layer(...)``."""
    return isinstance(node, ast.Attribute) and node.attr in _OWN_GRAPH and dotted(node.value) == model


def _same_value_at(application, step: Step) -> Optional[str]:
    """The text of the tensor ``model(t)`` is applied to, when the step can name the same value.

    ``t`` must be a name (or ``self.<attr>``) whose bindings at the application
    are the ones that reach the ``function(...)`` call.
    """
    call = application.node
    if len(call.args) != 1 or call.keywords:
        return None
    tensor = call.args[0]
    where = application.context
    if isinstance(tensor, ast.Name):
        return tensor.id if same_value(tensor.id, where, step.context) else None
    text = dotted(tensor)
    if text is not None and text.count(".") == 1 and where.scope.cls is not None:
        owner = text.split(".")[0]
        if owner == where.scope.self_name and step.context.scope.cls is where.scope.cls:
            bindings = where.scope.cls.attr_bindings.get(text.split(".")[1], ())
            return text if len(bindings) == 1 else None
    return None


RULE = Rule(
    code="LP200",
    title="training step without the model's updates",
    message="training step updates lack {updates}; {advice}",
    fix_title="Add the model's updates to this training step",
    detects=(
        "A training step whose updates do not include the trained model's own updates "
        "(`model.updates`, `model.get_updates_for(...)`), when the model owns update ops whose "
        "statistics are read: a BatchNormalization layer not forced with `training=` at every "
        "call, or a model whose construction cannot be seen (the message then says it matters "
        "if the model has BatchNormalization). The trained model is the object whose "
        "`trainable_weights`, `trainable_variables` or `weights` (or a slice or a selection of "
        "them) are passed to `get_updates`, to `minimize` as `var_list`, or to `apply_gradients` "
        "as the pairs' variables (`zip(gradients, model.trainable_weights)`, "
        "`compute_gradients(loss, var_list)`), "
        "followed through a caller in the same file. Reported at the first line of the "
        "`K.function(...)` call."
    ),
    why=(
        "`model.fit()` runs `model.updates` at every step: the BatchNormalization moving "
        "mean and variance. Without them the moving statistics stay at their initial values "
        "(0 and 1), and the trained model evaluates and predicts with them."
    ),
    fix=(
        "`lp-fix` adds the updates of what the loss runs: `+ model.updates` when the loss is "
        "computed from the model's own graph (`model.output`), `+ netD.get_updates_for(t)` for "
        "each application `netD(t)` of the model to another tensor (a GAN's discriminator; "
        "`netD.updates` would read netD's own Input placeholder, which the step never feeds, "
        "and the first call would fail). In tf.keras, for a model that holds a Sequential, "
        "functional or applications model as a layer (a transfer-learning backbone), the edit is "
        "`+ model.get_updates_for(model.inputs)`, what tf.keras's `model.fit` runs: its "
        "`model.updates` also holds the updates the backbone built on its own Input, which the "
        "step never feeds. When the tensor cannot be named where the step is "
        "built (`netD(netG(noise))`), when the loss cannot be followed and the module applies "
        "the model somewhere, or when the model comes from a caller, there is no edit: the "
        "finding stays, with a note naming the line to edit."
    ),
    silence=(
        "Stays silent when the model is seen and owns no BatchNormalization whose statistics "
        "are read, when the module (or a project module that imports it) calls `set_learning_phase(...)` and the "
        "model is not seen "
        "(with the phase pinned the defect is the moving statistics saved unmoved: reported only "
        "for a model seen with BatchNormalization), when the updates include a "
        "term it cannot see into (a parameter whose callers are not in the file, an attribute, "
        "the result of an unknown call), when `get_updates` trains the weights of several "
        "models, or when `minimize(loss)` names no `var_list`. Silence one line with `# noqa: LP200`."
    ),
    examples=(invalid(_BAD, fixed=_GOOD), valid(_GOOD), invalid(_GAN_BAD, fixed=_GAN_GOOD), valid(_GAN_GOOD)),
    prefilter=PREFILTER,
    check=check,
    fixability=FIX_SOMETIMES,
    safety=SAFE,
)

"""What an expression may stand for: one small type per kind of value, and where it is evaluated.

Rule- and Keras-neutral.  The model resolver (:mod:`flake8_learning_phase.keras.models`)
answers "what does this expression stand for" with a list of these, one per
possibility, and dispatches on their type; its one Keras kind (a call of a
Keras layer or model class) is defined there.  They are tuples for speed (the
resolver makes many), and compare equal only to a value of the same kind.
"""
import ast
from typing import NamedTuple, Optional, Union

from flake8_learning_phase.core.module import Scope
from flake8_learning_phase.core.project import ModuleInfo


def _same_kind_eq(self, other) -> bool:
    # A plain tuple would make ``LibRef("tf.Variable") == Foreign("tf.Variable")``.
    return type(self) is type(other) and tuple.__eq__(self, other)


def _same_kind_ne(self, other) -> bool:
    return not _same_kind_eq(self, other)


def compared_by_kind(cls):
    """Class decorator for a kind of value: equal only to a value of the same kind, hashed as a tuple."""
    cls.__eq__ = _same_kind_eq
    cls.__ne__ = _same_kind_ne
    cls.__hash__ = tuple.__hash__
    return cls


class Frame(NamedTuple):
    """Where an expression is evaluated: module, scope, visit order, blocks, known parameter values."""

    mod: ModuleInfo
    scope: Scope
    seq: int
    blocks: tuple
    envs: tuple  # ((id(function scope), Arguments: {parameter name: [(expr, Frame)]}), ...)


class Construction(NamedTuple):
    """The call that made an instance (``Net(units=4)``), and the frame of its arguments."""

    call: ast.Call
    frame: Frame


@compared_by_kind
class LibRef(NamedTuple):
    """A name of a library outside the project, by its qualified name (``tensorflow.keras.layers.Dense``)."""

    qualified: str


@compared_by_kind
class ModuleRef(NamedTuple):
    """A module of the project."""

    mod: ModuleInfo


@compared_by_kind
class Instance(NamedTuple):
    """An instance of a class of the project; ``construction`` is None for ``self`` inside the class."""

    cls: ast.ClassDef
    mod: ModuleInfo
    construction: Optional[Construction]


@compared_by_kind
class FunctionRef(NamedTuple):
    """A function (or method) of the project; a method read on an instance is ``bound`` to it."""

    node: ast.FunctionDef  # or ast.AsyncFunctionDef
    mod: ModuleInfo
    bound: Optional[Instance] = None


@compared_by_kind
class ClassRef(NamedTuple):
    """A class of the project (not an instance of it)."""

    node: ast.ClassDef
    mod: ModuleInfo


@compared_by_kind
class Foreign(NamedTuple):
    """An object known to be no layer or model: a lambda, a variable maker, what a plain library
    function returns; ``what`` names it for a reader (``lambda``, ``add_weight``, a qualified name)."""

    what: str


@compared_by_kind
class Literal(NamedTuple):
    """A number, string or boolean written in the code (``64``, ``"relu"``, ``0.0``): never a layer
    or a model; ``value`` is what it is (a ``Dropout(rate)`` whose rate is always 0 drops nothing)."""

    value: object


@compared_by_kind
class LambdaRef(NamedTuple):
    """A lambda written at ``frame``: itself no layer or model, but calling it gives what its body
    stands for (``block = lambda n: keras.Sequential([...])``, then ``block(32)``)."""

    node: ast.Lambda
    frame: Frame


@compared_by_kind
class Partial(NamedTuple):
    """``functools.partial(func, *args, **keywords)`` made at ``call`` in ``frame``: calling it
    calls ``func`` with those arguments before the call's own (``Conv = partial(Conv2D,
    padding="same")``)."""

    call: ast.Call
    frame: Frame


@compared_by_kind
class Unseen(NamedTuple):
    """Anything that cannot be followed (a parameter no visible call passes, a subscript of a dict)."""


UNSEEN_VALUE = Unseen()
#: ``None``: calling it or reading its attributes would fail, so where a model is used it never is one.
NONE_VALUE = Foreign("None")

#: One thing an expression may stand for (a library package adds its own kinds: Keras calls).
Value = Union[LibRef, ModuleRef, FunctionRef, ClassRef, Instance, Foreign, Literal, LambdaRef, Partial, Unseen]

"""Typed records: what ``@dataclass(frozen=True)`` gives, without its start-up cost.

A record class declares its fields as annotations, as a dataclass does, and gets
construction by position or keyword with defaults (``field(factory=list)`` for a
fresh list each time), equality by class and fields, a hash (frozen records),
a ``Name(field=value)`` repr, :func:`replace` and ``__post_init__``.  Why not
dataclasses: importing them imports ``inspect`` (7 ms), and each class costs
0.5-0.8 ms to generate its methods; the package has over 30 of them, and
pre-commit and editors start lp-fix, flake8 and lp-lsp on a few files, where
start-up is most of the time.  Here the methods are shared, read the class's
field table, and a class costs a few microseconds.
"""
from typing import Any, Callable, Dict, Optional, Tuple

_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a frozen record."""


class Field:
    """A field's options, given as its default: ``name: T = field(...)``."""

    __slots__ = ("default", "factory", "compare", "repr")

    def __init__(self, default: Any, factory: Optional[Callable[[], Any]], compare: bool, repr: bool) -> None:
        self.default, self.factory, self.compare, self.repr = default, factory, compare, repr


def field(
    default: Any = _MISSING, factory: Optional[Callable[[], Any]] = None, compare: bool = True, repr: bool = True
) -> Any:
    """A default made fresh by ``factory``, or a field left out of equality (``compare``) or the repr."""
    return Field(default, factory, compare, repr)


class Record:
    """Subclass it and annotate the fields; ``class R(Record, frozen=False)`` allows assignment."""

    __record_fields__: Tuple[str, ...] = ()
    __record_defaults__: Dict[str, Field] = {}
    __record_compared__: Tuple[str, ...] = ()
    __record_shown__: Tuple[str, ...] = ()

    def __init_subclass__(cls, frozen: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = list(cls.__record_fields__)
        options = dict(cls.__record_defaults__)
        for name in cls.__dict__.get("__annotations__", {}):
            if name not in names:
                names.append(name)
            given = cls.__dict__.get(name, _MISSING)
            if not isinstance(given, Field):
                given = Field(given, None, True, True)
            elif given.default is _MISSING:
                delattr(cls, name)  # no class attribute stands in for a missing value
            else:
                setattr(cls, name, given.default)
            options[name] = given
        cls.__record_fields__ = tuple(names)
        cls.__record_defaults__ = options
        cls.__record_compared__ = tuple(name for name in names if options[name].compare)
        cls.__record_shown__ = tuple(name for name in names if options[name].repr)
        if not frozen:
            cls.__setattr__ = object.__setattr__
            cls.__delattr__ = object.__delattr__
            cls.__hash__ = None  # mutable and equal by value: unhashable

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self.__record_fields__
        if len(args) > len(names):
            raise TypeError("{}() takes {} arguments, not {}".format(type(self).__name__, len(names), len(args)))
        values = dict(zip(names, args))
        for name, value in kwargs.items():
            if name not in self.__record_defaults__ or name in values:
                raise TypeError("{}() got an unexpected or repeated argument {!r}".format(type(self).__name__, name))
            values[name] = value
        if len(values) < len(names):
            for name in names:
                if name not in values:
                    option = self.__record_defaults__[name]
                    if option.factory is not None:
                        values[name] = option.factory()
                    elif option.default is _MISSING:
                        raise TypeError("{}() missing argument {!r}".format(type(self).__name__, name))
                    else:
                        values[name] = option.default
        object.__setattr__(self, "__dict__", values)
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError("cannot assign to field {!r}".format(name))

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError("cannot delete field {!r}".format(name))

    def _compared(self) -> Tuple[Any, ...]:
        values = self.__dict__
        return tuple(values[name] for name in self.__record_compared__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        values = self.__dict__
        shown = ", ".join("{}={!r}".format(name, values[name]) for name in self.__record_shown__)
        return "{}({})".format(type(self).__qualname__, shown)


def replace(record: Any, **changes: Any) -> Any:
    """A copy of ``record`` with ``changes`` (``dataclasses.replace``)."""
    values = dict(record.__dict__)
    values.update(changes)
    return type(record)(**values)

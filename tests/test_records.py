"""core.records: the frozen-dataclass behaviour the package's typed values rely on."""
import copy
import pickle
from typing import List, Optional

import pytest

from flake8_learning_phase.core.findings import AppendElement, Concatenate, Finding, NodeRef
from flake8_learning_phase.core.records import FrozenInstanceError, Record, field, replace


class Point(Record):
    x: int
    y: int = 0
    note: Optional[str] = field(default=None, compare=False, repr=False)


class Bag(Record, frozen=False):
    name: str
    items: List[int] = field(factory=list)


class Checked(Record):
    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


def test_construction_by_position_keyword_and_default():
    assert Point(1) == Point(x=1) == Point(1, 0) == Point(y=0, x=1)
    assert Point(1, note="a") == Point(1, note="b")  # a field left out of equality
    assert hash(Point(1, note="a")) == hash(Point(1))
    assert repr(Point(1, 2, "a")) == "Point(x=1, y=2)"
    with pytest.raises(TypeError):
        Point()
    with pytest.raises(TypeError):
        Point(1, x=1)
    with pytest.raises(TypeError):
        Point(1, z=1)
    with pytest.raises(TypeError):
        Point(1, 2, "a", 4)


def test_frozen_and_mutable_records():
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2
    with pytest.raises(AttributeError):
        del point.x
    bag, other = Bag("a"), Bag("b")
    bag.items.append(1)
    bag.name = "c"
    assert (bag, other.items) == (Bag("c", [1]), [])  # a fresh list each
    with pytest.raises(TypeError):
        hash(bag)


def test_equality_needs_the_same_class():
    target = NodeRef(1, 0, "Name")
    assert AppendElement(target, "x") != Concatenate(target, "x")
    assert len({AppendElement(target, "x"), Concatenate(target, "x"), AppendElement(target, "x")}) == 2


def test_replace_post_init_pickle_and_copy():
    finding = Finding("LP100", 3, 4, "message", edits=(AppendElement(NodeRef(3, 4, "List"), "x"),))
    moved = replace(finding, line=5)
    assert (moved.line, moved.col, moved.edits) == (5, 4, finding.edits)
    assert pickle.loads(pickle.dumps(finding)) == finding
    assert copy.deepcopy(finding) == finding
    with pytest.raises(ValueError):
        Checked(-1)
    with pytest.raises(ValueError):
        replace(Checked(1), value=-1)

"""core/branches.py: two places exclude each other when a flag is true around one and false
around the other."""
import ast

import pytest

from flake8_learning_phase.core.branches import exclusive
from flake8_learning_phase.core.module import build

SOURCE = '''
flag = True


class Net(object):
    def build(self):
        if self.use_bn and self.deep:
            a()
        if not self.use_bn:
            b()
        if self.use_bn or other:
            c()

    def train(self):
        if self.use_bn:
            d()
        else:
            e()
        if flag:
            f()


def run(flag):
    if not flag:
        g()


if flag:
    h()
else:
    i()
'''


def place(model, name):
    (record,) = [r for s in model.scopes for r in s.calls.get(name, [])]
    return record.scope, record.blocks


@pytest.mark.parametrize("first, second, expected", [
    ("a", "e", True),   # ``self.use_bn and ...`` true against its ``else``
    ("a", "d", False),
    ("b", "d", True),   # ``not self.use_bn`` in another method of the class
    ("b", "e", False),
    ("c", "e", False),  # ``self.use_bn or other`` true says nothing of the flag
    ("h", "i", True),
    ("f", "i", True),   # the module's ``flag``, read in a method
    ("g", "h", False),  # a parameter of the same name is another flag
    ("a", "a", False),
])
def test_places_under_opposite_truths_of_one_flag_exclude_each_other(first, second, expected):
    model = build(ast.parse(SOURCE))
    assert exclusive(model, place(model, first), place(model, second)) is expected
    assert exclusive(model, place(model, second), place(model, first)) is expected

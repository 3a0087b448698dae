"""A toy rule family (tests/test_family.py): loops that report progress with ``print``.

Shaped as a built-in family is: a step finder (:mod:`.loops`) shared by its rules, one module
per rule, and ``RULES``.  Registering ``RULES`` is all it takes for every front end.
"""
from toy_family import lp910, lp911

RULES = (lp910.RULE, lp911.RULE)

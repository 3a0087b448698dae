"""The built-in rule families, one package each; listed here, the one place they are registered.

A family package holds its step finder (how it finds a training step) and
its rules, one module each, and lists them in its ``RULES``.  Each rule
module holds a rule's whole story: code, message, quick-fix title,
documentation, valid and invalid examples, prefilter and check.  A new
family adds a package and one line to :data:`FAMILIES`.
"""
from flake8_learning_phase.rules import backend_function, tape, tf1_graph

FAMILIES = (backend_function, tape, tf1_graph)

BUILTIN = tuple(rule for family in FAMILIES for rule in family.RULES)

"""The analysis core: a rule-neutral model of the module, the rule registry, findings.

Free of flake8, libcst and CLI imports.  Every front end calls :func:`analyze`
(given an ``ast`` tree, as flake8 hands one over) or :func:`check_source`, and
:func:`might_matter` first, the one text prefilter that combines every rule's.
"""
from flake8_learning_phase.core.engine import RuleContext, analyze, check_source
from flake8_learning_phase.core.findings import (
    CALL_SITE,
    AddKeyword,
    AppendElement,
    Concatenate,
    Edit,
    Finding,
    ImportName,
    InsertAfter,
    NodeRef,
    Related,
    Replace,
    StarAppend,
)
from flake8_learning_phase.core.registry import (
    Example,
    Prefilter,
    Rule,
    codes,
    get,
    invalid,
    matching_codes,
    might_matter,
    register,
    rules,
    unregister,
    valid,
)
from flake8_learning_phase.core.settings import DEFAULT_LEARNING_PHASE, LEARNING_PHASE_FUNCTIONS, Settings
from flake8_learning_phase.core.text import split_lines

__all__ = [
    "CALL_SITE",
    "DEFAULT_LEARNING_PHASE",
    "LEARNING_PHASE_FUNCTIONS",
    "AddKeyword",
    "AppendElement",
    "Concatenate",
    "Edit",
    "Example",
    "Finding",
    "ImportName",
    "InsertAfter",
    "NodeRef",
    "Prefilter",
    "Related",
    "Replace",
    "Rule",
    "RuleContext",
    "Settings",
    "StarAppend",
    "analyze",
    "check_source",
    "codes",
    "get",
    "invalid",
    "matching_codes",
    "might_matter",
    "register",
    "rules",
    "split_lines",
    "unregister",
    "valid",
]

"""Each rule's Markdown page, rendered from its unit: docs/rules/<code>.md and SARIF's help."""
from flake8_learning_phase.core import Rule

GENERATED = "<!-- Generated from the rule's module in flake8_learning_phase/rules/ by docs/generate_rule_pages.py. -->"


def _reported(rule: Rule) -> str:
    """The message flake8 prints for the rule's first invalid example."""
    from flake8_learning_phase.core import check_source

    for example in rule.examples:
        if example.invalid:
            for finding in check_source(example.source, codes=[rule.code]):
                return finding.message
    return rule.code + " " + rule.message


def render_page(rule: Rule) -> str:
    lines = ["# {}: {}".format(rule.code, rule.title), "", GENERATED, ""]
    lines += ["flake8 reports it as `{}` (on the bad example below).".format(_reported(rule))]
    lines += ["`lp-fix --explain {}` prints this page.".format(rule.code), ""]
    lines += ["## What it detects", "", rule.detects, ""]
    lines += ["## Why it matters", "", rule.why, ""]
    for heading, wanted in (("Bad", True), ("Good", False)):
        lines += ["## " + heading, ""]
        for example in rule.examples:
            if example.invalid == wanted:
                lines += ["```python", example.source.rstrip("\n"), "```", ""]
    lines += ["## What lp-fix does", "", rule.fix, ""]
    fixed = [example.fixed for example in rule.examples if example.fixed is not None]
    if fixed:
        lines += ["After `lp-fix`, the bad example reads:", ""]
        for source in fixed:
            lines += ["```python", source.rstrip("\n"), "```", ""]
    lines += ["## When it stays silent", "", rule.silence, ""]
    return "\n".join(lines)

"""Each rule's Markdown page, rendered from its unit: docs/rules/<code>.md and SARIF's help."""
from flake8_learning_phase.core import Rule

GENERATED = "<!-- Generated from the rule's module in flake8_learning_phase/rules/ by docs/generate_rule_pages.py. -->"


def render_page(rule: Rule) -> str:
    lines = ["# {}: {}".format(rule.code, rule.title), "", GENERATED, "", "## What it detects", "", rule.detects, ""]
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

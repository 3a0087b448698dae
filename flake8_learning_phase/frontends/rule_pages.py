"""Each rule's Markdown page, rendered from its unit: docs/rules/<code>.md, SARIF's help and
``lp-fix --explain`` (the same page with absolute links and without the build comment)."""
import os
import re

from flake8_learning_phase.core import FIX_NEVER, SAFE, Rule, check_source
from flake8_learning_phase.core.registry import HOMEPAGE
from flake8_learning_phase.frontends.common import message

GENERATED = "<!-- Generated from the rule's module in flake8_learning_phase/rules/ by docs/generate_rule_pages.py. -->"


def _reported(rule: Rule) -> str:
    """The message flake8 prints for the rule's first invalid example."""
    for example in rule.examples:
        if example.invalid:
            for finding in check_source(example.source, codes=[rule.code]):
                return message(finding)
    return rule.code + " " + rule.message


def render_page(rule: Rule) -> str:
    lines = ["# {}: {}".format(rule.code, rule.title), "", GENERATED, ""]
    lines += ["flake8 reports it as `{}` (on the bad example below).".format(_reported(rule))]
    lines += ["`lp-fix rule {0}` (or `lp-fix --explain {0}`) prints this page.".format(rule.code), ""]
    lines += [fixability(rule), ""]
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


def fixability(rule: Rule) -> str:
    """The rule's fix as ruff's rule pages state it."""
    if rule.fixability == FIX_NEVER:
        return "Fix is not available."
    kind = "safe" if rule.safety == SAFE else "unsafe (applied with `lp-fix check --fix --unsafe-fixes`)"
    if rule.safety == SAFE and rule.unsafe_when is not None:
        kind = "safe, except the fallback named below (unsafe)"
    return "Fix is {} available; {}.".format(rule.fixability, kind)


_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def absolute(target: str) -> str:
    """A link of a rule page (relative to docs/rules/) as an absolute URL of the published docs."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
        return target
    return "{}/blob/main/docs/{}".format(HOMEPAGE, os.path.normpath("rules/" + target).replace(os.sep, "/"))


def absolute_links(markdown: str) -> str:
    return _LINK.sub(lambda m: "[{}]({})".format(m.group(1), absolute(m.group(2))), markdown)


def plain_links(markdown: str) -> str:
    """Links as ``text (URL)``: for plain-text readers."""
    return _LINK.sub(lambda m: "{} ({})".format(m.group(1), absolute(m.group(2))), markdown)


def terminal_page(rule: Rule) -> str:
    """What ``lp-fix --explain`` prints: the page without its build comment, links absolute."""
    page = render_page(rule).replace(GENERATED + "\n\n", "")
    return absolute_links(page)

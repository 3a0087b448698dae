"""The rule registry: every front end and the docs generator read the rules from here.

A rule is one unit (the Fixit and pyupgrade habit): its code, message,
quick-fix title, documentation, valid and invalid examples (they feed the
tests and the generated rule pages), a cheap text prefilter, its check, and
its fixability and the safety of its fixes (as ruff declares them: a front
end applies an unsafe fix only when asked to).
The registry knows no rule by name: the package root registers the built-in
families of :mod:`flake8_learning_phase.rules` when it is imported (so the
core never imports a layer above it), and :func:`register` adds another.
"""
import re
from typing import Callable, Dict, Iterable, Optional, Pattern, Tuple, Union

from flake8_learning_phase.core.findings import Finding
from flake8_learning_phase.core.records import Record, field

# Where the rule pages are published (also setup.cfg's url): SARIF help links point here.
HOMEPAGE = "https://github.com/flake8-learning-phase/flake8-learning-phase"


class Prefilter(Record):
    """A text test that every file the rule can report on passes.

    ``words``: at least one occurs in the text (a C-speed ``in``); then, when
    given, ``pattern`` must match too, or, with ``patterns``, every regex of one
    of its groups must be found (the text has all of them, anywhere).  Groups of
    plain searches are what ``\\A(?=.*?a)(?=.*?b)`` says, scanned 3 times faster:
    a regex engine skips to a search's first letter, and tries a lookahead's
    ``.*?`` at every character.  All are tried on ``str`` and ``bytes``.
    """

    words: Tuple[str, ...]
    pattern: Optional[str] = None
    patterns: Tuple[Tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if not self.words:
            raise ValueError("a prefilter needs at least one word")
        if self.pattern is not None and self.patterns:
            raise ValueError("a prefilter has a pattern or groups of patterns, not both")

    def groups(self) -> Tuple[Tuple[str, ...], ...]:
        """The regexes to find, as groups (one group of one, for ``pattern``; none: words only)."""
        return ((self.pattern,),) if self.pattern else self.patterns


class Example(Record):
    """Source that must (``invalid``) or must not trigger the rule; ``fixed`` is lp-fix's output."""

    source: str
    invalid: bool
    fixed: Optional[str] = None


def invalid(source: str, fixed: Optional[str] = None) -> Example:
    return Example(source, True, fixed)


def valid(source: str) -> Example:
    return Example(source, False)


# Rule.fixability: whether its findings carry edits.
FIX_ALWAYS, FIX_SOMETIMES, FIX_NEVER = "always", "sometimes", "never"
# Rule.safety: a safe fix does what the rule's page says and nothing else; an unsafe one can change
# what the program does in a way the user has to check (ruff's distinction).
SAFE, UNSAFE = "safe", "unsafe"


class Rule(Record):
    """One code and everything about it."""

    code: str
    title: str  # a short noun phrase: the rule page's heading and SARIF's short description
    message: str  # str.format template; the finding's message is "<code> <message>"
    fix_title: str  # the editor's quick-fix title
    detects: str  # rule page sections (Markdown)
    why: str
    fix: str
    silence: str
    examples: Tuple[Example, ...]
    prefilter: Prefilter
    check: Callable[["object"], Iterable["object"]] = field(compare=False)  # RuleContext -> findings
    fixability: str = FIX_SOMETIMES
    safety: str = SAFE
    # Findings whose fix is unsafe although the rule's fixes are safe (a fallback edit), if any.
    unsafe_when: Optional[Callable[[Finding], bool]] = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.fixability not in (FIX_ALWAYS, FIX_SOMETIMES, FIX_NEVER):
            raise ValueError("{}: fixability is always, sometimes or never".format(self.code))
        if self.safety not in (SAFE, UNSAFE):
            raise ValueError("{}: safety is safe or unsafe".format(self.code))

    def safe_fix(self, finding: Finding) -> bool:
        """True when ``finding``'s edits may be applied without ``--unsafe-fixes``."""
        return self.safety == SAFE and not (self.unsafe_when is not None and self.unsafe_when(finding))

    @property
    def help_uri(self) -> str:
        return "{}/blob/main/docs/rules/{}.md".format(HOMEPAGE, self.code)

    def format(self, **fields) -> str:
        return "{} {}".format(self.code, self.message.format(**fields))


_RULES: Dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add ``rule``; every front end reports and fixes it from then on."""
    if not re.match(r"^[A-Z]+[0-9]+$", rule.code):
        raise ValueError("a rule code is letters then digits, like LP100: {!r}".format(rule.code))
    if rule.code in _RULES and _RULES[rule.code] is not rule:
        raise ValueError("{} is registered already".format(rule.code))
    _RULES[rule.code] = rule
    _compiled.clear()
    _last_answer.clear()
    return rule


def unregister(code: str) -> None:
    _RULES.pop(code, None)
    _compiled.clear()
    _last_answer.clear()


def rules() -> Tuple[Rule, ...]:
    """Every registered rule, by code."""
    return tuple(_RULES[code] for code in sorted(_RULES))


def get(code: str) -> Rule:
    return _RULES[code]


def codes() -> Tuple[str, ...]:
    return tuple(rule.code for rule in rules())


# -- the one prefilter entry point ---------------------------------------------

_compiled: Dict[Tuple[str, ...], Tuple[Tuple, Tuple]] = {}


def _tests(selected: Tuple[str, ...]):
    """Per selected rule: (words, groups of patterns) compiled for str and for bytes (cached)."""
    cached = _compiled.get(selected)
    if cached is None:
        as_str, as_bytes = [], []
        for code in selected:
            prefilter = _RULES[code].prefilter
            groups = prefilter.groups()
            as_str.append((prefilter.words, tuple(tuple(re.compile(p) for p in group) for group in groups)))
            as_bytes.append(
                (
                    tuple(w.encode("utf-8") for w in prefilter.words),
                    tuple(tuple(re.compile(p.encode("utf-8")) for p in group) for group in groups),
                )
            )
        cached = _compiled[selected] = (tuple(as_str), tuple(as_bytes))
    return cached


def _passes(text, words, groups: Tuple[Tuple[Pattern, ...], ...]) -> bool:
    if not any(word in text for word in words):
        return False
    return not groups or any(all(p.search(text) is not None for p in group) for group in groups)


def might_matter(text: Union[str, bytes], selected: Optional[Iterable[str]] = None) -> bool:
    """True when some selected rule (default: all) could report on ``text``.

    Most files end here: one substring search per rule, no parse.
    """
    return bool(matching_codes(text, selected))


def matching_codes(text: Union[str, bytes], selected: Optional[Iterable[str]] = None) -> Tuple[str, ...]:
    """The selected codes whose prefilter ``text`` passes.

    Rules that share a prefilter (LP100, LP101 and LP200 look at the same
    steps) are tested once.
    """
    chosen = tuple(sorted(_RULES)) if selected is None else tuple(sorted(c for c in selected if c in _RULES))
    # The fixer and the engine ask about the same text in a row (the fixer before parsing, the
    # engine to pick its rules): the patterns scan a text once.
    last = _last_answer.get("text")
    if last is not None and last[1] == chosen and type(last[0]) is type(text) and last[0] == text:
        return last[2]
    passed = _matching(text, chosen)
    _last_answer["text"] = (text, chosen, passed)
    return passed


# The last text matching_codes answered, with its codes and its answer.
_last_answer: Dict[str, Tuple[Union[str, bytes], Tuple[str, ...], Tuple[str, ...]]] = {}


def _matching(text: Union[str, bytes], chosen: Tuple[str, ...]) -> Tuple[str, ...]:
    as_str, as_bytes = _tests(chosen)
    tests = as_bytes if isinstance(text, bytes) else as_str
    verdicts: Dict[int, bool] = {}
    passed = []
    for code, (words, groups) in zip(chosen, tests):
        key = id(_RULES[code].prefilter)
        if key not in verdicts:
            verdicts[key] = _passes(text, words, groups)
        if verdicts[key]:
            passed.append(code)
    return tuple(passed)

"""Runs the registered rules over one module: source -> module model -> findings."""
import ast
from typing import Callable, Dict, Iterable, List, Optional, Sequence

from flake8_learning_phase.core import project, registry
from flake8_learning_phase.core.findings import Edit, Finding, NodeRef, Related
from flake8_learning_phase.core.module import ModuleModel, build
from flake8_learning_phase.core.settings import Settings
from flake8_learning_phase.core.text import Columns, split_lines


class RuleContext:
    """What a rule's check is given: the module model, the text, the settings.

    ``shared`` lets rules that look at the same thing (the LP1xx/LP200 rules
    all start from the module's training steps) compute it once per module.
    ``path`` is the analyzed file's path when the front end knows it (None for
    standard input and plain source): the model resolver
    (:mod:`~flake8_learning_phase.keras.models`) reads the project's other
    modules from its location.
    """

    def __init__(self, model: ModuleModel, lines: Sequence[str], settings: Settings, path: Optional[str] = None):
        self.model = model
        self.lines = lines
        self.settings = settings
        self.path = path
        self.columns = Columns(lines)
        model.module.external = project.external_names(path, model, "".join(lines))
        self._shared: Dict[object, object] = {}

    def shared(self, key, compute: Callable[["RuleContext"], object]):
        if key not in self._shared:
            self._shared[key] = compute(self)
        return self._shared[key]

    def ref(self, node) -> NodeRef:
        line, col = self.columns.start(node)
        return NodeRef(line, col, type(node).__name__)

    def finding(
        self,
        rule: registry.Rule,
        node,
        edits: Iterable[Edit] = (),
        manual: Optional[str] = None,
        related: Iterable[Related] = (),
        **fields
    ) -> Finding:
        """A finding of ``rule`` reported at ``node``, its message formatted with ``fields``."""
        line, col = self.columns.start(node)
        end_line, end_col = self.columns.end(node)
        return Finding(
            rule.code, line, col, rule.format(**fields), tuple(edits), manual, tuple(related), end_line, end_col
        )


def analyze(
    tree: ast.AST,
    lines: Sequence[str],
    settings: Settings = Settings(),
    codes: Optional[Iterable[str]] = None,
    path: Optional[str] = None,
) -> List[Finding]:
    """Findings of the selected rules (default: all) whose prefilter the text passes, in source order.

    ``path``: the file the tree was parsed from, if known (lets the model
    resolver follow imports of the project's own modules).
    """
    selected = registry.matching_codes("".join(lines), codes)
    if not selected:
        return []
    try:
        context = RuleContext(build(tree), lines, settings, path)
        findings = [f for code in selected for f in registry.get(code).check(context)]
    except RecursionError:
        # A pathologically deep tree: no finding rather than a crashed lint run.
        return []
    findings.sort(key=lambda f: (f.line, f.col, f.code))
    return findings


def check_source(
    source: str,
    settings: Settings = Settings(),
    codes: Optional[Iterable[str]] = None,
    path: Optional[str] = None,
) -> List[Finding]:
    """Findings for Python source text.  Raises SyntaxError/ValueError for unparsable text."""
    if not registry.might_matter(source, codes):
        return []
    return analyze(ast.parse(source), split_lines(source), settings, codes, path)

"""What every front end says the same way: a finding's message, and why a source did not parse.

Kept apart so that lp-fix, its notebooks, its reports, lp-lsp and the flake8
plugin share one wording without importing each other.
"""
from flake8_learning_phase.core import Finding

# Appended to the message of a finding lp-fix can fix (it carries edits), in every front end.
HINT = " (lp-fix)"


def message(finding: Finding) -> str:
    """``LP100 <text>``, with the " (lp-fix)" hint when the finding carries edits."""
    return finding.message + HINT if finding.edits else finding.message


def reason(error: BaseException) -> str:
    """Why a source could not be parsed, in the parser's words and with its line."""
    if isinstance(error, SyntaxError):
        return "{} (line {})".format(error.msg, error.lineno)
    if isinstance(error, (RecursionError, MemoryError)):
        return "nested too deeply for the parser"  # Python 3.7's parser says MemoryError
    return str(error) or type(error).__name__

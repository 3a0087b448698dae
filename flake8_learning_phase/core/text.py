"""Source text as Python's tokenizer sees it: lines, and character columns.

Every front end splits lines here.  ``str.splitlines`` also splits at form
feeds, vertical tabs and other separators the tokenizer does not, so line
numbers from ``ast`` would point at the wrong line after one of them.
"""
import io
from typing import Dict, List, Optional, Sequence, Tuple


def split_lines(source: str) -> List[str]:
    """Lines as Python counts them (``\\n``, ``\\r\\n`` or ``\\r``), each with its ending."""
    return io.StringIO(source, newline="").readlines()


class Columns:
    """Turns ``ast`` UTF-8 byte columns into character columns, only where a line needs it."""

    def __init__(self, lines: Sequence[str]):
        self.lines = lines
        self.encoded: Dict[int, bytes] = {}  # line number -> UTF-8 text, for non-ASCII lines

    def start(self, node) -> Tuple[int, int]:
        return node.lineno, self.column(node.lineno, node.col_offset)

    def end(self, node) -> Tuple[Optional[int], Optional[int]]:
        """Where ``node`` ends; ``ast`` knows only from Python 3.8 on."""
        line = getattr(node, "end_lineno", None)
        if line is None:
            return None, None
        return line, self.column(line, node.end_col_offset)

    def column(self, line: int, col: int) -> int:
        encoded = self.encoded.get(line)
        if encoded is None:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            if text.isascii():
                return col
            encoded = self.encoded[line] = text.encode("utf-8")
        return len(encoded[:col].decode("utf-8", "replace"))

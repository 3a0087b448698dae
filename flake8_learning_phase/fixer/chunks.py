"""Edit only the top-level statements that hold an edit, each parsed on its own.

libcst costs ~10x ``ast.parse`` and its position metadata more again: on a
50,000-line file, parsing and locating the whole module took ~15 s.  A
top-level statement starts at column 0 and is complete in itself, so its
lines parse alone; positions inside it shift by its first line only.
"""
import ast
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from flake8_learning_phase.core import Edit, NodeRef
from flake8_learning_phase.fixer.edits import EditTransformer, locate
from flake8_learning_phase.fixer.wrap import wrap_long_lines


def statement_spans(tree: ast.Module, line_count: int) -> List[Tuple[int, int]]:
    """``[start, end)`` line spans (1-based) of the top-level statements, decorators included."""
    starts = sorted(
        {min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())]) for node in tree.body}
    )
    return list(zip(starts, starts[1:] + [line_count + 1]))


class Chunk:
    """One top-level statement's lines, parsed with libcst."""

    def __init__(self, start: int, end: int, lines: Sequence[str]):
        self.start, self.end = start, end
        self.wrapper = cst.MetadataWrapper(cst.parse_module("".join(lines[start - 1:end - 1])), unsafe_skip_copy=True)
        self.nodes: Dict[NodeRef, cst.CSTNode] = {}

    def find(self, refs: Sequence[NodeRef]) -> None:
        shifted = {NodeRef(r.line - self.start + 1, r.col, r.kind): r for r in refs}
        for local, node in locate(self.wrapper, list(shifted)).items():
            self.nodes[shifted[local]] = node

    def code(self, edits: Sequence[Edit]) -> str:
        by_node: Dict[cst.CSTNode, List[Edit]] = {}
        for edit in edits:
            by_node.setdefault(self.nodes[edit.target], []).append(edit)
        return self.wrapper.module.visit(EditTransformer(by_node)).code


class ChunkedSource:
    """The source, split into top-level statements; only those with edits are parsed."""

    def __init__(self, source: str, lines: Sequence[str], tree: ast.Module):
        self.lines = lines
        self.spans = statement_spans(tree, len(lines))
        self.chunks: Dict[int, Chunk] = {}

    def _span(self, line: int) -> int:
        for index, (start, end) in enumerate(self.spans):
            if start <= line < end:
                return index
        raise KeyError(line)

    def locate(self, refs: Sequence[NodeRef]) -> Dict[NodeRef, cst.CSTNode]:
        """The libcst node of each reference that could be found."""
        grouped: Dict[int, List[NodeRef]] = {}
        for ref in refs:
            grouped.setdefault(self._span(ref.line), []).append(ref)
        found = {}
        for index, group in grouped.items():
            if index not in self.chunks:
                self.chunks[index] = Chunk(*self.spans[index], lines=self.lines)
            chunk = self.chunks[index]
            chunk.find(group)
            found.update((ref, chunk.nodes[ref]) for ref in group if ref in chunk.nodes)
        return found

    def apply(self, edits: Sequence[Edit], line_length: Optional[int] = None) -> str:
        """The whole source with ``edits`` (all located) applied; with ``line_length``, the
        calls on changed lines that grew past it are wrapped (:mod:`.wrap`)."""
        grouped: Dict[int, List[Edit]] = {}
        for edit in edits:
            grouped.setdefault(self._span(edit.target.line), []).append(edit)
        pieces = list(self.lines)
        for index in sorted(grouped, reverse=True):
            chunk = self.chunks[index]
            code = chunk.code(grouped[index])
            if line_length is not None:
                code = wrap_long_lines("".join(self.lines[chunk.start - 1:chunk.end - 1]), code, line_length)
            pieces[chunk.start - 1:chunk.end - 1] = [code]
        return "".join(pieces)

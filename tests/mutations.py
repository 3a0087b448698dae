"""Structure-aware mutations of the step fixtures (issue 7): the same program, written otherwise.

Each mutation keeps the program's meaning and the training step in it; the
tests assert that every mutant is still found and still fixed to code that
lints clean.
"""
import re

import libcst as cst


class _ExtraParentheses(cst.CSTTransformer):
    def leave_Arg(self, original, updated):
        if isinstance(updated.value, (cst.List, cst.Name, cst.Call)) and not updated.star:
            value = updated.value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            return updated.with_changes(value=value)
        return updated


class _CommentsInLists(cst.CSTTransformer):
    def leave_List(self, original, updated):
        if not updated.elements:
            return updated
        comment = cst.ParenthesizedWhitespace(
            first_line=cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment("# mutant")),
            indent=True,
            last_line=cst.SimpleWhitespace("    "),
        )
        return updated.with_changes(lbracket=cst.LeftSquareBracket(whitespace_after=comment))


class _TrailingCommas(cst.CSTTransformer):
    def leave_List(self, original, updated):
        if not updated.elements:
            return updated
        elements = list(updated.elements)
        elements[-1] = elements[-1].with_changes(comma=cst.Comma())
        return updated.with_changes(elements=elements)

    def leave_Call(self, original, updated):
        if not updated.args or updated.args[-1].star:
            return updated
        args = list(updated.args)
        args[-1] = args[-1].with_changes(comma=cst.Comma())
        return updated.with_changes(args=args)


class _ReorderedKeywords(cst.CSTTransformer):
    def leave_Call(self, original, updated):
        positional = [a for a in updated.args if a.keyword is None]
        keywords = [a for a in updated.args if a.keyword is not None]
        if len(keywords) < 2 or any(a.star for a in updated.args):
            return updated
        args = positional + keywords[::-1]
        commas = [a.comma for a in updated.args]
        return updated.with_changes(args=[a.with_changes(comma=c) for a, c in zip(args, commas)])


def _transform(transformer):
    def mutate(source):
        return cst.parse_module(source).visit(transformer()).code

    return mutate


def _renamed_aliases(source):
    """``K`` and ``backend`` bound by an import become other names."""
    source = re.sub(r"(?<![.\w])K\b", "keras_backend_mutant", source)
    plain = r"^from tensorflow\.keras import backend$"
    source = re.sub(plain, "from tensorflow.keras import backend as tkb", source, flags=re.M)
    return re.sub(r"(?<![.\w])backend\.", "tkb.", source)


def _line_continuations(source):
    """``name = K.function(`` becomes ``name = \\`` + a continued line."""
    return re.sub(r"^(\s*)([\w.]+) = (.*function\()", r"\1\2 = \\\n\1    \3", source, flags=re.M)


MUTATIONS = {
    "extra_parentheses": _transform(_ExtraParentheses),
    "comments_in_lists": _transform(_CommentsInLists),
    "trailing_commas": _transform(_TrailingCommas),
    "reordered_keywords": _transform(_ReorderedKeywords),
    "renamed_aliases": _renamed_aliases,
    "line_continuations": _line_continuations,
}

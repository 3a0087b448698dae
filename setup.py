"""The package's metadata is declarative (setup.cfg); this file only makes the long description.

README.md is the description PyPI shows, and its links are relative (``docs/lp-fix.md``), which
work on GitHub and in a clone but lead nowhere on PyPI: the built description has them as
absolute links to the repository (``url`` in setup.cfg) at the main branch.
"""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
# A Markdown link or image target: ](target) or ](target "title").
_LINK = re.compile(r"(\]\()([^)\s]+)")
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|#|/)")


def repository() -> str:
    """``url`` of setup.cfg's ``[metadata]``."""
    with open(os.path.join(HERE, "setup.cfg"), encoding="utf-8") as handle:
        return re.search(r"^url\s*=\s*(\S+)", handle.read(), flags=re.M).group(1).rstrip("/")


def absolute_links(markdown: str, base: str) -> str:
    """``markdown`` with every relative link target made ``base/blob/main/<target>``."""

    def rewrite(match):
        target = match.group(2)
        if _ABSOLUTE.match(target):
            return match.group(0)
        return match.group(1) + "{}/blob/main/{}".format(base, target)

    return _LINK.sub(rewrite, markdown)


def long_description() -> str:
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as handle:
        return absolute_links(handle.read(), repository())


if __name__ == "__main__":
    from setuptools import setup

    setup(long_description=long_description(), long_description_content_type="text/markdown")

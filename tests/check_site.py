"""Run by the docs tox env on the built site: it must work offline.

No page loads a script or a stylesheet from another host (highlight.js came
from a CDN), and code blocks are coloured at build time (Pygments spans).
"""
import pathlib
import re
import sys

REMOTE = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"', re.I)


def main(site: str) -> int:
    pages = sorted(pathlib.Path(site).rglob("*.html"))
    problems = ["{}: {}".format(p, m.group(0)) for p in pages for m in REMOTE.finditer(p.read_text(encoding="utf-8"))]
    if not (pathlib.Path(site) / "css" / "pygments.css").is_file():
        problems.append("css/pygments.css is missing")
    if not any('<span class="k">' in p.read_text(encoding="utf-8") for p in pages):
        problems.append("no page has highlighted code")
    for problem in problems:
        print("site: " + problem, file=sys.stderr)
    print("site: {} pages, {} problems".format(len(pages), len(problems)))
    return 1 if problems or not pages else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

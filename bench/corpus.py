"""The pinned real corpora, by name.

- ``tf1``: the .py files of the tensorflow 1.15.5 wheel (cp37, manylinux2010) and keras 2.3.1;
- ``tf2``: the .py files of the tensorflow-cpu 2.15.1 wheel (cp311, manylinux2014) and keras 3.15.1;
- ``tf2nb``: the ``tf2`` tree plus the repository's own test notebooks
  (tests/fixtures/notebooks/*.ipynb), each copied NOTEBOOK_COPIES times into ``notebooks/``.

Shared by the benchmark (bench/run.py) and the corpus reliability test
(tests/test_corpus.py, which uses ``tf1``, the default).  Wheels are fetched once from
PyPI with `pip download --no-deps` into bench/.cache/<name>/wheels and unpacked into
bench/.cache/<name>/corpus.
"""
import glob
import os
import shutil
import subprocess
import sys
import zipfile
from typing import List, NamedTuple, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(HERE, ".cache")
NOTEBOOK_FIXTURES = os.path.join(ROOT, "tests", "fixtures", "notebooks")
# Three copies: about a quarter of the files with training steps are then notebooks, as in the
# survey behind issue 14 (40 of 157 steps lived in notebooks); docs/performance.md states the share.
NOTEBOOK_COPIES = 3


class Corpus(NamedTuple):
    name: str
    description: str  # one sentence for docs/performance.md
    wheels: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # (requirement, pip download platform arguments)
    base: Optional[str] = None  # a corpus whose tree this one copies first
    notebook_copies: int = 0  # copies of tests/fixtures/notebooks/*.ipynb under notebooks/

    @property
    def folder(self) -> str:
        return os.path.join(CACHE, self.name, "corpus")


_CP37 = ("--python-version", "37", "--implementation", "cp", "--abi", "cp37m", "--platform", "manylinux2010_x86_64")
_CP311 = ("--python-version", "311", "--implementation", "cp", "--abi", "cp311", "--platform", "manylinux2014_x86_64")

CORPORA = {
    corpus.name: corpus
    for corpus in (
        Corpus(
            "tf1",
            "the `.py` files of the tensorflow 1.15.5 wheel (cp37, manylinux2010) and keras 2.3.1",
            wheels=(("tensorflow==1.15.5", _CP37), ("keras==2.3.1", ())),
        ),
        Corpus(
            "tf2",
            "the `.py` files of the tensorflow-cpu 2.15.1 wheel (cp311, manylinux2014) and keras 3.15.1",
            wheels=(("tensorflow-cpu==2.15.1", _CP311), ("keras==3.15.1", ())),
        ),
        Corpus(
            "tf2nb",
            "the `tf2` tree plus this repository's own test notebooks (`tests/fixtures/notebooks/*.ipynb`, "
            "written to look like public ones: magics, shell lines, outputs with images, old and new nbformat 4), "
            "each copied {} times into a `notebooks/` folder of the tree".format(NOTEBOOK_COPIES),
            base="tf2",
            notebook_copies=NOTEBOOK_COPIES,
        ),
    )
}
DEFAULT = "tf1"
CORPUS = CORPORA[DEFAULT].folder  # the tf1 folder, as before named corpora


def get(name: str = DEFAULT) -> Corpus:
    try:
        return CORPORA[name]
    except KeyError:
        raise ValueError("unknown corpus {!r}: one of {}".format(name, ", ".join(CORPORA))) from None


def build(name: str = DEFAULT) -> str:
    """The corpus folder, downloaded and unpacked (or copied) on first use."""
    corpus = get(name)
    if os.path.isdir(corpus.folder):
        if corpus.notebook_copies:
            _copy_notebooks(corpus, corpus.folder)  # the fixtures as they are now
        return corpus.folder
    os.makedirs(os.path.dirname(corpus.folder), exist_ok=True)
    staging = corpus.folder + ".{}.tmp".format(os.getpid())
    if corpus.base:
        # Hard links where the file system allows: the base tree is never written to.
        shutil.copytree(build(corpus.base), staging, copy_function=_link_or_copy)
    if corpus.wheels:
        wheels = os.path.join(CACHE, corpus.name, "wheels")
        for requirement, platform_args in corpus.wheels:
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
            subprocess.run(command + ["-d", wheels] + list(platform_args) + [requirement], check=True)
        for wheel in sorted(glob.glob(os.path.join(wheels, "*.whl"))):
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    if member.endswith(".py"):
                        archive.extract(member, staging)
    if corpus.notebook_copies:
        _copy_notebooks(corpus, staging)
    try:
        os.rename(staging, corpus.folder)
    except OSError:  # another process built it meanwhile
        shutil.rmtree(staging)
    return corpus.folder


def _copy_notebooks(corpus, folder):
    """notebooks/copy_NNN/<fixture>.ipynb, rewritten at every build so that new fixtures count."""
    root = os.path.join(folder, "notebooks")
    shutil.rmtree(root, ignore_errors=True)
    for copy in range(corpus.notebook_copies):
        target = os.path.join(root, "copy_{:03d}".format(copy))
        os.makedirs(target)
        for notebook in sorted(glob.glob(os.path.join(NOTEBOOK_FIXTURES, "*.ipynb"))):
            shutil.copyfile(notebook, os.path.join(target, os.path.basename(notebook)))


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def files(folder: Optional[str] = None, notebooks: bool = False) -> List[str]:
    """The corpus's .py files (and .ipynb files with ``notebooks``), sorted.

    ``folder`` is a corpus name or a folder; default: the tf1 corpus.
    """
    if folder is None:
        folder = DEFAULT
    if folder in CORPORA:
        folder = CORPORA[folder].folder
    patterns = ("*.py", "*.ipynb") if notebooks else ("*.py",)
    found = []
    for pattern in patterns:
        found += glob.glob(os.path.join(folder, "**", pattern), recursive=True)
    return sorted(found)

"""The pinned real corpus: the .py files of the tensorflow 1.15.5 wheel and keras 2.3.1.

Shared by the benchmark (bench/run.py) and the corpus reliability test
(tests/test_corpus.py).  Fetched once from PyPI with `pip download --no-deps`
into bench/.cache/corpus.
"""
import glob
import os
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache")
CORPUS = os.path.join(CACHE, "corpus")
WHEELS = [
    (
        "tensorflow==1.15.5",
        ["--python-version", "37", "--implementation", "cp", "--abi", "cp37m", "--platform", "manylinux2010_x86_64"],
    ),
    ("keras==2.3.1", []),
]


def build() -> str:
    """The corpus folder, downloaded and unpacked on first use."""
    if os.path.isdir(CORPUS):
        return CORPUS
    wheels = os.path.join(CACHE, "wheels")
    for requirement, platform_args in WHEELS:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", wheels]
        subprocess.run(command + platform_args + [requirement], check=True)
    staging = CORPUS + ".{}.tmp".format(os.getpid())
    for wheel in sorted(glob.glob(os.path.join(wheels, "*.whl"))):
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith(".py"):
                    archive.extract(name, staging)
    try:
        os.rename(staging, CORPUS)
    except OSError:  # another process built it meanwhile
        shutil.rmtree(staging)
    return CORPUS


def files(folder: str = CORPUS) -> list:
    return sorted(glob.glob(os.path.join(folder, "**", "*.py"), recursive=True))

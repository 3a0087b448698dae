"""Where an absolute import is looked for (core/search_path.py, core/project.py): the folders a
module adds to ``sys.path``, evaluated without running it, and the distribution root (the folder
of ``pyproject.toml``/``setup.py``) with its ``src/`` layout.  Lint cases with these shapes:
tests/fixtures/lp300/sys_path_*, installed_src_layout."""
import ast
import os

import pytest

from flake8_learning_phase.core import project
from flake8_learning_phase.core.module import build
from flake8_learning_phase.core.search_path import AddedFolder, added_folders

FILE = "/work/repo/notebooks/train.py"


def folders(source, path=FILE):
    return added_folders(build(ast.parse(source)), path)


@pytest.mark.parametrize("line, expected", [
    ('sys.path.append("../utils")', AddedFolder("../utils", True)),
    ("sys.path.insert(0, '..')", AddedFolder("..", True)),
    ("sys.path.insert(0, './')", AddedFolder(".", True)),
    ("sys.path.append(os.path.abspath('../src/'))", AddedFolder("../src", True)),
    ("sys.path.append(os.path.dirname(os.path.abspath('.')))", AddedFolder("..", True)),
    ("sys.path.append(os.getcwd())", AddedFolder(".", True)),
    ("sys.path.append(os.path.join(os.path.dirname(__file__), 'lib'))", AddedFolder("/work/repo/notebooks/lib", False)),
    ("sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..')))",
     AddedFolder("/work/repo", False)),
    ("sys.path.append(str(Path(__file__).resolve().parents[1] / 'utils'))", AddedFolder("/work/repo/utils", False)),
    ("sys.path.append(str(Path(__file__).parent.parent))", AddedFolder("/work/repo", False)),
    ("sys.path.append(os.path.dirname(__file__) + '/lib')", AddedFolder("/work/repo/notebooks/lib", False)),
    ("sys.path.append('../' + 'src')", AddedFolder("../src", True)),
])
def test_a_folder_added_to_sys_path_is_known(line, expected):
    source = "import os\nimport sys\nfrom pathlib import Path\n" + line + "\n"
    assert folders(source) == [expected]


def test_a_name_bound_once_is_followed_through_functions_and_names():
    source = (
        "import os, sys\n"
        "ROOT = os.path.dirname(os.path.abspath(__file__))\n"
        "LIB = os.path.join(ROOT, 'lib')\n"
        "def setup():\n"
        "    sys.path.insert(0, LIB)\n"
    )
    assert folders(source) == [AddedFolder("/work/repo/notebooks/lib", False)]


@pytest.mark.parametrize("line", [
    "sys.path.append(os.environ['LIB'])",  # known only when it runs
    "sys.path.append(os.path.expanduser('~/lib'))",
    "sys.path.append('~/lib')",
    "sys.path.append(where())",
    "sys.path.append(os.path.join(ROOT, sub))",  # sub: not a literal
    "sys.path.append(ROOT + 'lib')",  # where the separator goes is not written
    "paths.append('lib')",  # not sys.path
    "sys.path.append(*extra)",
    "sys.path.remove('lib')",
])
def test_what_is_not_known_before_the_module_runs_adds_nothing(line):
    source = "import os, sys\nROOT = '.'\nsub = input()\npaths = []\nextra = ['x']\n" + line + "\n"
    assert folders(source) == []


def test_a_name_bound_twice_adds_nothing():
    source = "import sys\nLIB = 'a'\nif flag:\n    LIB = 'b'\nsys.path.append(LIB)\n"
    assert folders(source) == []


def test_file_is_unknown_without_a_path():
    assert folders("import os, sys\nsys.path.append(os.path.dirname(__file__))\n", path=None) == []


def test_a_local_sys_is_not_the_module():
    assert folders("class sys:\n    path = []\nsys.path.append('lib')\n") == []


def _info(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return project.ModuleInfo(str(path), build(ast.parse(text)), text)


def test_a_relative_folder_is_looked_for_from_the_modules_folder_then_the_distribution_root(tmp_path):
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "scripts" / "helpers").mkdir()
    script = tmp_path / "scripts" / "run.py"
    script.write_text("import sys\nsys.path.append('helpers')\nsys.path.append('lib')\nsys.path.append('gone')\n")
    assert _info(script).added_roots == [str(tmp_path / "scripts" / "helpers"), str(tmp_path / "lib")]


def test_a_folder_named_after_the_cloned_repository_is_looked_for_above_it(tmp_path):
    repo = tmp_path / "SwAV-TF"
    (repo / "utils").mkdir(parents=True)
    notebook = repo / "train.py"
    notebook.write_text("import sys\nsys.path.append('SwAV-TF/utils')\n")
    assert _info(notebook).added_roots == [str(repo / "utils")]


def test_search_roots_add_the_distribution_root_and_its_src_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "notebooks").mkdir()
    script = tmp_path / "notebooks" / "train.py"
    script.write_text("import pkg\n")
    roots = project.search_roots(_info(script))
    assert roots == [str(tmp_path / "notebooks"), str(tmp_path), str(tmp_path / "src")]
    found = project.resolve_absolute(_info(script), "pkg")
    assert found is not None and found[0].path == str(tmp_path / "src" / "pkg" / "__init__.py")


def test_namespace_folders_inside_an_installed_package_reach_its_distribution_root(tmp_path):
    # pkg/core/ is a package; common/keras/compression/algorithms/ below it have no __init__.py
    (tmp_path / "setup.py").write_text("")
    deep = tmp_path / "pkg" / "core" / "common" / "keras" / "compression" / "algorithms"
    deep.mkdir(parents=True)
    for package in (tmp_path / "pkg", tmp_path / "pkg" / "core"):
        (package / "__init__.py").write_text("")
    (tmp_path / "pkg" / "core" / "compat.py").write_text("keras = None\n")
    module = deep / "shrink.py"
    module.write_text("from pkg.core.compat import keras\n")
    assert project.distribution_root(str(deep)) == str(tmp_path)
    found = project.resolve_absolute(_info(module), "pkg.core.compat")
    assert found is not None and found[0].path == str(tmp_path / "pkg" / "core" / "compat.py")
    # a repository whose top folder is itself a package keeps its own setup.py as the root
    other = tmp_path / "repo"
    (other / "examples").mkdir(parents=True)
    (other / "__init__.py").write_text("")
    (other / "setup.py").write_text("")
    assert project.distribution_root(str(other / "examples")) == str(other)


def test_without_a_distribution_file_only_the_modules_own_folders_are_roots(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "notebooks").mkdir()
    script = tmp_path / "notebooks" / "train.py"
    script.write_text("import pkg\n")
    assert project.search_roots(_info(script)) == [str(tmp_path / "notebooks")]


def test_the_index_of_an_installed_package_holds_its_notebooks_and_scripts(tmp_path):
    (tmp_path / "setup.cfg").write_text("")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("class VAE: pass\n")
    for folder, name in (("notebooks", "train.py"), ("scripts", "fit.py"), ("build", "copy.py"), (".venv", "x.py")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text("from pkg.models import VAE\nVAE()\n")
    info = _info(package / "models.py")
    found = sorted(os.path.relpath(path, str(tmp_path)) for path in project.project_index(info, {}).mentioning(
        "VAE", str(package / "models.py")))
    assert found == [os.path.join("notebooks", "train.py"), os.path.join("scripts", "fit.py")]


def test_the_examples_and_tests_of_an_installed_project_stay_tests_and_examples(tmp_path):
    # they are in the index now, and a library's examples build small models of their own
    (tmp_path / "setup.py").write_text("")
    for folder in ("examples", "tests", "notebooks"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "run.py").write_text("")
    assert project.is_test_or_example(str(tmp_path / "examples" / "run.py"))
    assert project.is_test_or_example(str(tmp_path / "tests" / "run.py"))
    assert not project.is_test_or_example(str(tmp_path / "notebooks" / "run.py"))

"""The runtime suite (issue 11, item 4): small real-shaped programs run before and after lp-fix.

Each program in ``tests/fixtures/runtime/programs`` (a ``.py`` file, or a
folder with ``main.py`` for a program of several files) says in its header
what must happen:

``# runtime: fixed``
    buggy; the loop as written differs from the reference, lp-fix changes the
    copy (exit 1), and the copy then trains like the reference to 1e-5.
``# runtime: manual``
    buggy in a way lp-fix may not be able to fix safely: either the copy
    trains like the reference, or lp-fix still reports it (``--check`` exits
    1 on the copy) and whatever it rewrote still runs and does not behave
    exactly like the unfixed program (a rewrite that changes nothing is the
    silent failure issue 11 is about).
``# runtime: untouched``
    correct (or correct in effect); lp-fix exits 0 and leaves every file
    byte-identical, and the program as written trains like the reference.

``# requires: tensorflow>=1.15`` when a program uses an API older TensorFlow lacks.
``# reproducible: tensorflow>=1.15`` when older TensorFlow (with its Keras) does not run the
program's reference the same way twice, measured in fresh processes: no comparison to 1e-5
can be made there (TensorFlow 1.14 with Keras 2.2.4 gives some BatchNormalization GANs
results that differ by about 2e-5 from run to run; 1.15 with Keras 2.3.1 gives identical ones).

``# reference: fit`` (model.fit), ``hand`` (a hand fix written in the
program, for GANs and what model.fit cannot express) or ``none``.  A
program's ``run(mode)`` returns the numbers for mode ``loop`` (the program as
written) or ``reference``.  Lines with ``# expect: LP100 LP200`` are where the
findings belong by issue 11's precision rules (the lint check).

Reference, unfixed and fixed runs of one program share one Python process
(tests/fixtures/runtime/runner.py), a fresh graph each.
"""
import filecmp
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, List, NamedTuple, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.join(HERE, "fixtures", "runtime")
PROGRAMS = os.path.join(RUNTIME, "programs")
RUNNER = os.path.join(RUNTIME, "runner.py")
TOLERANCE = 1e-5
#: the unfixed loop must differ from the reference by more than this: the bug is real
BUG = 1e-3
_HEADER = re.compile(r"^#\s*(runtime|reference|flavour|requires|reproducible):\s*(\S+)", re.M)


class Program(NamedTuple):
    name: str
    path: str  # the .py file or the folder
    entry: str  # the file with run(mode) and the header
    runtime: str
    reference: str
    flavour: str
    requires: str = ""  # ``tensorflow>=1.15``: an API older releases lack (the v2 Estimator heads)
    reproducible: str = ""  # ``tensorflow>=1.15``: older releases run its reference differently each time


def satisfied(requires: str, version: str) -> bool:
    """Whether the installed TensorFlow ``version`` meets a ``tensorflow>=X.Y`` header."""
    if not requires:
        return True
    wanted = requires.split(">=", 1)[1]
    return tuple(int(p) for p in version.split(".")[:2]) >= tuple(int(p) for p in wanted.split(".")[:2])


def programs() -> List[Program]:
    found = []
    for name in sorted(os.listdir(PROGRAMS)):
        path = os.path.join(PROGRAMS, name)
        if name.endswith(".py"):
            entry = path
        elif os.path.isfile(os.path.join(path, "main.py")):
            entry = os.path.join(path, "main.py")
        else:
            continue
        with open(entry, encoding="utf-8") as handle:
            header = dict(_HEADER.findall(handle.read()))
        found.append(
            Program(
                name[:-3] if name.endswith(".py") else name,
                path,
                entry,
                header["runtime"],
                header["reference"],
                header.get("flavour", "tf.keras"),
                header.get("requires", ""),
                header.get("reproducible", ""),
            )
        )
    return found


def _bin(command: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), command)


def lp_fix(path: str, *args: str) -> Dict:
    done = subprocess.run([_bin("lp-fix")] + list(args) + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return {"exit": done.returncode, "stdout": done.stdout.decode(errors="replace"),
            "stderr": done.stderr.decode(errors="replace")}


def _files(path: str) -> List[str]:
    if os.path.isfile(path):
        return [""]
    return sorted(
        os.path.relpath(os.path.join(folder, name), path)
        for folder, _, names in os.walk(path)
        for name in names
        if name.endswith(".py")
    )


def _same(a: str, b: str) -> bool:
    return all(filecmp.cmp(os.path.join(a, f) if f else a, os.path.join(b, f) if f else b, shallow=False)
               for f in _files(a))


def _env() -> Dict[str, str]:
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0", PYTHONWARNINGS="ignore",
                CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1")


class Server(object):
    """One runner process for many programs: TensorFlow is imported once (``runner.py --serve``)."""

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen([sys.executable, RUNNER, "--serve"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, env=_env())

    def run(self, items: List[str]) -> Dict[str, Dict]:
        self.process.stdin.write((json.dumps(items) + "\n").encode())
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith(b"@@RESULT "):
                return json.loads(line[len(b"@@RESULT "):].decode())
        self.log.seek(0)
        raise RuntimeError("runner died:\n" + self.log.read().decode(errors="replace")[-3000:])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()
        self.log.close()


def run_programs(items: List[str], server: Optional[Server] = None) -> Dict[str, Dict]:
    if server is not None:
        return server.run(items)
    done = subprocess.run([sys.executable, RUNNER] + items, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    lines = done.stdout.decode(errors="replace").strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError("runner failed:\n" + done.stderr.decode(errors="replace")[-3000:])
    return json.loads(lines[-1])


def run_program(program: Program, folder: str, server: Optional[Server] = None) -> Dict:
    """lp-fix on a copy, then the original, its reference and the copy in one process."""
    copy = os.path.join(folder, os.path.basename(program.path))
    if os.path.isdir(program.path):
        shutil.copytree(program.path, copy, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy(program.path, copy)
    fix = lp_fix(copy)
    changed = not _same(program.path, copy)
    check = lp_fix(copy, "--check")
    items = [program.path + ":loop"]
    if program.reference != "none":
        items.append(program.path + ":reference")
    if changed:
        items.append(copy + ":loop")
        if program.reference != "none":
            # The copy's own reference (the same hand-written or model.fit code), run next to
            # it: a run's last digits depend on what ran before it in the process (measured:
            # a GAN's reference run first and second in one process differs by 8e-4).
            items.append(copy + ":reference")
    runs = run_programs(items, server)
    return {
        "lp_fix": fix,
        "check_after": check,
        "changed": changed,
        "copy": copy,
        "unfixed": runs[program.path + ":loop"],
        "reference": runs.get(program.path + ":reference"),
        "fixed": runs.get(copy + ":loop"),
        "fixed_reference": runs.get(copy + ":reference"),
    }


def values(result: Dict) -> List[float]:
    return (
        list(result["batch_losses"])
        + list(result["losses"])
        + list(result["moving_statistics"])
        + list(result["weights"])
        + ([result["evaluation_loss"]] if "evaluation_loss" in result else [])
    )


def difference(result: Optional[Dict], reference: Optional[Dict]) -> float:
    """Largest difference relative to max(|reference|, 1) (as tf_proof.difference); NaN, a crash
    or a different number of values count as infinite."""
    if not result or not reference or "error" in result or "error" in reference:
        return math.inf
    ours, theirs = values(result), values(reference)
    if len(ours) != len(theirs):
        return math.inf
    worst = 0.0
    for value, expected in zip(ours, theirs):
        if math.isnan(value) or math.isnan(expected):
            return math.inf
        worst = max(worst, abs(value - expected) / max(abs(expected), 1.0))
    return worst


def _error(result: Optional[Dict]) -> str:
    """The line of a traceback that names the error (TensorFlow adds node lines after it)."""
    lines = (result or {}).get("error", "").strip().splitlines()
    named = [line for line in lines if "Error" in line and ":" in line and not line.startswith(" ")]
    return (named or lines or [""])[-1].strip()[:300]


def problems(program: Program, run: Dict) -> List[str]:
    """Why the program fails its expectation (empty: it passes)."""
    out = []
    fix, unfixed, reference, fixed = run["lp_fix"], run["unfixed"], run["reference"], run["fixed"]
    said = "lp-fix said: " + (fix["stderr"].strip() or "nothing")
    if "error" in unfixed:
        return ["the program as written crashed (a broken fixture): " + unfixed["error"]]
    if reference is not None and "error" in reference:
        return ["the reference crashed (a broken fixture): " + reference["error"]]
    if program.runtime == "untouched":
        if reference is not None and difference(unfixed, reference) > TOLERANCE:
            out.append("fixture: the program as written does not match its reference ({:.3g})".format(
                difference(unfixed, reference)))
        if fix["exit"] != 0:
            out.append("lp-fix exited {} on a correct program (expected 0); {}".format(fix["exit"], said))
        if run["changed"]:
            out.append("lp-fix rewrote a correct program")
            if fixed is not None and "error" in fixed:
                out.append("and the rewrite crashes: " + _error(fixed))
        return out
    # fixed and manual: the bug must be real
    if reference is not None and difference(unfixed, reference) <= BUG:
        out.append("fixture: the unfixed program trains like the reference: the bug is not real")
    beside = run.get("fixed_reference") or reference
    trains = run["changed"] and difference(fixed, beside) <= TOLERANCE
    if program.runtime == "fixed":
        if fix["exit"] != 1:
            out.append("lp-fix exited {} (expected 1); {}".format(fix["exit"], said))
        if not run["changed"]:
            out.append("lp-fix left the program unchanged; " + said)
        elif fixed is not None and "error" in fixed:
            out.append("the fixed copy crashes: " + _error(fixed) + "; " + said)
        elif not trains:
            out.append("the fixed copy does not train like the reference (difference {:.3g}; {:.3g} from the "
                       "unfixed run); {}".format(difference(fixed, beside), difference(fixed, unfixed), said))
        if trains and run["check_after"]["exit"] != 0:
            out.append("a second lp-fix --check on the fixed copy exits {}: {}".format(
                run["check_after"]["exit"], run["check_after"]["stderr"].strip()))
        return out
    # manual
    if trains:
        return out
    if run["check_after"]["exit"] != 1:
        out.append("after lp-fix the defect is no longer reported (lp-fix --check on the copy exits {}); {}".format(
            run["check_after"]["exit"], said))
    if run["changed"]:
        if fixed is not None and "error" in fixed:
            out.append("the rewritten copy crashes: " + _error(fixed) + "; " + said)
        elif difference(fixed, unfixed) <= TOLERANCE:
            out.append("the rewrite leaves behaviour exactly as it was; " + said)
    return out


_FLAKE8 = re.compile(r"^(.*?):(\d+):\d+: (LP\d{3}) ", re.M)


def lint_findings() -> Dict[str, List]:
    """``{relative path: [(line, code), ...]}`` from the installed flake8 on the programs folder."""
    done = subprocess.run([_bin("flake8"), "--select=LP", "--isolated", PROGRAMS],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    found = {}
    for path, line, code in _FLAKE8.findall(done.stdout.decode(errors="replace")):
        found.setdefault(os.path.relpath(path, PROGRAMS), []).append((int(line), code))
    return {path: sorted(pairs) for path, pairs in found.items()}

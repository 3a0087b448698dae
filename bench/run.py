"""Benchmark: what flake8-learning-phase costs on large real code bases (issues 6, 12 and 14).

    python bench/run.py [--corpus NAME ...] [--users-only] [--repeats N] [--flake8-repeats N] [--quick]

Builds the pinned corpora (bench/corpus.py: `tf1` = tensorflow 1.15.5 + keras 2.3.1, `tf2` =
tensorflow-cpu 2.15.1 + keras 3.15.1, `tf2nb` = the tf2 tree plus the repository's test
notebooks; every one by default), two virtualenvs with the same flake8 (one with this project
installed, one without) plus ruff, pins itself and every child to one core, and measures side by
side, on each corpus:

- flake8 (default plugins) with vs without the plugin installed, paired runs (.py corpora only:
  flake8 does not read notebooks);
- the plugin's own time on every corpus file, given the tree and the filename, as flake8 hands
  them over (the project resolver reads the file's project);
- `lp-fix --check -j 1` vs `ruff check --no-cache` (one thread) on the corpus;
- the floor: reading every corpus file and testing it for the words of every registered rule's
  prefilter (the test the tool itself runs first), in the same Python;
- how many files pass the rules' prefilter (`flake8_learning_phase.core.matching_codes`);

and once: the analysis on files that contain training steps vs `ast.parse` of the same files,
lp-lsp's didChange -> publishDiagnostics on a generated 1,000-line file, and the tools as users
run them (bench/users.py): a step file inside a generated 200-module project (bench/project.py),
flake8 over that project, lp-lsp against `ruff server`, `lp-fix --check` against `ruff check` on
200 notebooks.  `--users-only` measures only these (no corpus is built).

The notebook corpus is measured only if the installed lp-fix reads `.ipynb` files (tried on a
notebook at run time); otherwise the page says it was skipped and why.

Prints the page, writes bench/results/latest.json (corpora not measured in this run keep their
previous results, each with its own date) and docs/performance.md (generated, not typed).
`--quick` is a smoke run (one flake8 pair on every 10th file, one repeat): it writes
bench/results/quick.json and quick.md instead, never the published page.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results", "latest.json")
PAGE = os.path.join(ROOT, "docs", "performance.md")
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, HERE)

import corpus  # noqa: E402
import users  # noqa: E402

CACHE = corpus.CACHE
QUICK = os.path.join(HERE, "results", "quick.json")


def sh(command, **kwargs):
    return subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def venv(name, packages):
    folder = os.path.join(CACHE, name)
    python = os.path.join(folder, "bin", "python")
    if not os.path.exists(python):
        sh([sys.executable, "-m", "venv", folder])
        sh([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    sh([python, "-m", "pip", "install", "--quiet"] + packages)
    project = [p for p in packages if p.startswith(ROOT)]
    if project:  # a local folder at the same version: pip keeps the old build unless told
        sh([python, "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps"] + project)
    return python


def timed(command, env=None):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def version(python, module):
    code = "import importlib.metadata as m; print(m.version({!r}))".format(module)
    return sh([python, "-c", code]).stdout.decode().strip()


PLUGIN_COST = r"""
import ast, json, sys, time
from flake8_learning_phase.frontends.plugin import LearningPhaseChecker
total = 0.0
for path in open(sys.argv[1]).read().splitlines():
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        tree = ast.parse(raw)
    except (SyntaxError, ValueError):
        continue  # flake8 reports E999 and runs no plugin
    lines = raw.decode("utf-8", "replace").splitlines(True)
    start = time.perf_counter()
    list(LearningPhaseChecker(tree, lines, path).run())  # with its filename, as flake8 calls it
    total += time.perf_counter() - start
print(json.dumps(total))
"""

# The floor: a Python process that reads every file and runs the prefilter's substring tests,
# with the words of every registered rule (given as JSON in argv[1]) and nothing imported.
FLOOR = r"""
import json, sys
words = [word.encode("utf-8") for word in json.loads(sys.argv[1])]
hits = 0
for path in open(sys.argv[2]).read().splitlines():
    with open(path, "rb") as handle:
        data = handle.read()
    hits += any(word in data for word in words)
print(hits)
"""

# What the tool's own prefilter lets through, file by file, on the raw bytes.
PREFILTER = r"""
import json, sys
from flake8_learning_phase.core import matching_codes, might_matter, rules
words = sorted({word for rule in rules() for word in rule.prefilter.words})
by_code = {rule.code: 0 for rule in rules()}
passing = notebooks = 0
for path in open(sys.argv[1]).read().splitlines():
    with open(path, "rb") as handle:
        raw = handle.read()
    passing += might_matter(raw)
    notebooks += path.endswith(".ipynb") and might_matter(raw)
    for code in matching_codes(raw):
        by_code[code] += 1
words_by_code = {rule.code: list(rule.prefilter.words) for rule in rules()}
print(json.dumps({"words": words, "passing": passing, "notebooks_passing": notebooks, "by_code": by_code,
                  "words_by_code": words_by_code}))
"""

PER_FILE = r"""
import ast, json, sys, time
from flake8_learning_phase.frontends.plugin import LearningPhaseChecker
rows = []
for path in sys.argv[1:]:
    source = open(path, encoding="utf-8").read()
    lines = source.splitlines(True)
    parse, analyse = [], []
    for _ in range(30):
        start = time.perf_counter(); tree = ast.parse(source); parse.append(time.perf_counter() - start)
        start = time.perf_counter()
        list(LearningPhaseChecker(tree, lines, path).run())  # the project resolver on, as in flake8
        analyse.append(time.perf_counter() - start)
    parse.sort(); analyse.sort()
    rows.append([path, len(lines), parse[15], analyse[15]])
print(json.dumps(rows))
"""


def generated_file(folder):
    """A 1,000-line module with several training steps among ordinary code."""
    steps = [
        open(os.path.join(ROOT, "tests", "fixtures", "steps", name + ".py")).read()
        for name in ("self_attribute_across_methods", "helper_returns_step", "updates_through_name")
    ]
    parts = []
    for number in range(60):
        parts.append(
            "def helper_{0}(values, scale={0}):\n"
            "    total = [value * scale for value in values]\n"
            "    if len(total) > {0}:\n"
            "        total = total[:{0}]\n"
            "    return sum(total) / max(len(total), 1)\n\n\n".format(number)
        )
        if number % 20 == 0:
            parts.append(steps[number // 20].replace("def fit(", "def fit_{}(".format(number)) + "\n\n")
    source = "".join(parts)
    while source.count("\n") < 1000:
        source += "CONSTANT_{0} = {0}\n".format(source.count("\n"))
    path = os.path.join(folder, "generated_1000_lines.py")
    with open(path, "w") as handle:
        handle.write(source)
    return path


def lsp_latency(lp_lsp, path, repeats):
    from lsp_client import LspClient

    client = LspClient([lp_lsp])
    uri = "file://" + path
    text = open(path).read()
    try:
        client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        document = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        client.notify("textDocument/didOpen", {"textDocument": document})
        client.diagnostics(uri)
        times = []
        for version_ in range(2, repeats + 2):
            changed = text + "# edit {}\n".format(version_)
            time.sleep(users.PAUSE)  # an edit after a pause: not held by the debounce
            start = time.perf_counter()
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version_}, "contentChanges": [{"text": changed}]},
            )
            client.diagnostics(uri)
            times.append(time.perf_counter() - start)
        return times
    finally:
        client.close()


def median(values):
    return statistics.median(values)


def write_listing(name, paths):
    listing = os.path.join(CACHE, name, "files.txt")
    os.makedirs(os.path.dirname(listing), exist_ok=True)
    with open(listing, "w") as handle:
        handle.write("\n".join(paths))
    return listing


def notebook_support(lp_fix):
    """(True, how) if this lp-fix checks .ipynb files found in a folder, else (False, why).

    Tried on a copy of a test notebook that holds training steps: a reader of notebooks reports
    them (--check exits 1); one that skips notebooks finds no file (exit 0).
    """
    sample = os.path.join(ROOT, "tests", "fixtures", "notebooks", "gan_k_function.ipynb")
    with tempfile.TemporaryDirectory() as folder:
        with open(sample, "rb") as source, open(os.path.join(folder, "notebook.ipynb"), "wb") as target:
            target.write(source.read())
        done = subprocess.run([lp_fix, "--check", folder], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    said = (done.stdout + done.stderr).decode("utf-8", "replace").strip().splitlines()
    last = said[-1] if said else ""
    if done.returncode == 1 and "1 file checked" in last:
        return True, "`lp-fix --check` on a folder holding one test notebook reported it: {}".format(last)
    return False, "`lp-fix --check` on a folder holding one test notebook exited {} ({})".format(
        done.returncode, last or "no output")


def files_checked(command, env=None):
    """How many files a tool says it read (lp-fix's summary, ruff --show-files)."""
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    if "--show-files" in command:
        return sum(1 for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip())
    found = re.search(r"(\d+) files? checked", output)
    return int(found.group(1)) if found else None


def measure_corpus(name, tools, args, quick):
    """Every per-corpus measurement of one corpus, as a dict for latest.json."""
    spec = corpus.get(name)
    if spec.notebook_copies and not tools["notebooks"][0]:
        return {"skipped": "lp-fix does not read notebooks: " + tools["notebooks"][1]}
    folder = corpus.build(name)
    py_files = corpus.files(name)
    notebooks = corpus.files(name, notebooks=True) if spec.notebook_copies else []
    notebooks = [path for path in notebooks if path.endswith(".ipynb")]
    every = py_files + notebooks
    listing = write_listing(name, every)
    plugin, plain, bin_ = tools["plugin"], tools["plain"], tools["bin"]
    lp_fix, ruff = os.path.join(bin_, "lp-fix"), os.path.join(bin_, "ruff")
    ruff_env = dict(os.environ, RAYON_NUM_THREADS="1")
    prefilter = json.loads(sh([plugin, "-c", PREFILTER, listing]).stdout)
    result = {
        "date": datetime.datetime.now().isoformat(timespec="minutes"),
        "versions": tools["versions"],
        "description": spec.description,
        "files": len(py_files),
        "notebooks": len(notebooks),
        "lines": sum(open(f, "rb").read().count(b"\n") for f in py_files),
        "prefilter": prefilter,
        "files_read": {
            "lp_fix": files_checked([lp_fix, "--check", "-j", "1", folder]),
            "ruff": files_checked([ruff, "check", "--isolated", "--no-cache", "--show-files", folder], env=ruff_env),
        },
    }
    if notebooks:
        result["notebook_support"] = tools["notebooks"][1]

    if not spec.notebook_copies:
        # flake8 with and without the plugin, paired and alternating: the ratio of each pair,
        # so that the machine's drift over minutes cancels out.  --quick: every 10th file.
        targets = py_files[::10] if quick else [folder]
        with_plugin, without = [], []
        for repeat in range(args.flake8_repeats):
            order = [(plain, without), (plugin, with_plugin)]
            for python, bucket in order if repeat % 2 == 0 else reversed(order):
                bucket.append(timed([python, "-m", "flake8", "-j", "1"] + targets))
        cost_listing = write_listing(name + "-flake8", py_files[::10]) if quick else listing
        plugin_cost = json.loads(sh([plugin, "-c", PLUGIN_COST, cost_listing]).stdout)
        result["flake8"] = {
            "files": len(py_files[::10]) if quick else len(py_files),
            "without_plugin_s": without,
            "with_plugin_s": with_plugin,
            "median_ratio": median(w / o for w, o in zip(with_plugin, without)),
            "noise": (max(without) - min(without)) / median(without),
            "plugin_own_time_s": plugin_cost,
            "plugin_own_share": plugin_cost / median(without),
        }

    # lp-fix vs ruff vs the floor, whole commands, interpreter start included.
    words = json.dumps(prefilter["words"])
    fix_times, ruff_times = [], []
    for _ in range(args.repeats):
        fix_times.append(timed([lp_fix, "--check", "-q", "-j", "1", folder]))
        ruff_times.append(timed([ruff, "check", "--isolated", "--no-cache", "--quiet", folder], env=ruff_env))
    floor = [timed([plugin, "-c", FLOOR, words, listing]) for _ in range(args.repeats)]
    result["lp_fix"] = {
        "lp_fix_check_s": fix_times,
        "ruff_check_s": ruff_times,
        "floor_s": floor,
        "floor_hits": int(sh([plugin, "-c", FLOOR, words, listing]).stdout),
        "vs_ruff": median(fix_times) / median(ruff_times),
        "vs_floor": median(fix_times) / median(floor),
    }
    if notebooks:
        # The notebooks alone: what reading them costs, without the .py files around them.
        alone = os.path.join(folder, "notebooks")
        fix_alone, ruff_alone = [], []
        for _ in range(args.repeats):
            fix_alone.append(timed([lp_fix, "--check", "-q", "-j", "1", alone]))
            ruff_alone.append(timed([ruff, "check", "--isolated", "--no-cache", "--quiet", alone], env=ruff_env))
        result["notebooks_alone"] = {
            "lp_fix_check_s": fix_alone,
            "ruff_check_s": ruff_alone,
            "vs_ruff": median(fix_alone) / median(ruff_alone),
        }
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", action="append", choices=sorted(corpus.CORPORA), metavar="NAME",
        help="a corpus to measure (repeatable; default: all of {})".format(", ".join(corpus.CORPORA)))
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the fast measurements")
    parser.add_argument("--flake8-repeats", type=int, default=3, help="paired flake8 runs (2-5 min each)")
    parser.add_argument(
        "--users-only", action="store_true",
        help="measure only what does not need the corpora (the files with training steps, the project, the "
             "language servers, the notebook tree); the corpora keep their last results")
    parser.add_argument(
        "--quick", action="store_true",
        help="smoke run: one flake8 pair on every 10th file, one repeat; writes bench/results/quick.json and "
             "quick.md, never latest.json or docs/performance.md")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.flake8_repeats = 1, 1
    names = [] if args.users_only else [name for name in corpus.CORPORA if name in (args.corpus or corpus.CORPORA)]
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, children too

    plugin = venv("venv-plugin", [ROOT + "[lsp]", "ruff"])
    flake8_version = version(plugin, "flake8")
    plain = venv("venv-plain", ["flake8==" + flake8_version])
    bin_ = os.path.dirname(plugin)
    versions = {
        "flake8": flake8_version,
        "ruff": version(plugin, "ruff"),
        "flake8-learning-phase": version(plugin, "flake8-learning-phase"),
    }
    tools = {
        "plugin": plugin, "plain": plain, "bin": bin_, "versions": versions,
        "notebooks": notebook_support(os.path.join(bin_, "lp-fix")),
    }
    output = QUICK if args.quick else RESULTS
    previous = {}
    if os.path.exists(RESULTS) and (not args.quick or args.users_only):
        with open(RESULTS) as handle:
            previous = json.load(handle).get("corpora", {})
    result = {
        "date": datetime.datetime.now().isoformat(timespec="minutes"),
        "run": {"quick": args.quick, "repeats": args.repeats, "flake8_repeats": args.flake8_repeats},
        "machine": {
            "platform": platform.platform(),
            "processor": _cpu(),
            "cores_used": 1,
            "python": platform.python_version(),
        },
        "versions": versions,
        "corpora": {},
    }
    for name in corpus.CORPORA:
        if name in names:
            print("corpus {} ...".format(name), file=sys.stderr, flush=True)
            result["corpora"][name] = dict(measure_corpus(name, tools, args, args.quick), run=result["run"])
        elif name in previous:
            result["corpora"][name] = previous[name]

    # Files that do contain training steps, and the language server: not corpus-dependent.
    with tempfile.TemporaryDirectory() as folder:
        generated = generated_file(folder)
        groups = [
            ("steps", sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "steps", "*.py"))) + [generated]),
            ("lp300", sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "lp300", "*.py")))),
        ]
        result["per_file"] = []
        for group, paths in groups:
            rows = json.loads(sh([plugin, "-c", PER_FILE] + paths).stdout)
            result["per_file"] += [
                {"group": group, "file": os.path.basename(path), "lines": n, "ast_parse_s": p, "plugin_s": a,
                 "ratio": a / p}
                for path, n, p, a in rows
            ]
        latency = lsp_latency(os.path.join(bin_, "lp-lsp"), generated, 5 if args.quick else max(args.repeats, 20))
        print("as users run it ...", file=sys.stderr, flush=True)
        result["users"] = users.measure(dict(tools, generated=generated), folder, args.quick)
    result["lsp"] = {"did_change_to_diagnostics_s": latency, "median_s": median(latency)}
    result["machine"]["load_average"] = os.getloadavg() if hasattr(os, "getloadavg") else None

    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as handle:
        json.dump(result, handle, indent=2)
    page = render(result)
    with open(output[: -len(".json")] + ".md" if args.quick else PAGE, "w") as handle:
        handle.write(page)
    print(page)


def _cpu():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _check(ok):
    return "met" if ok else "**missed**"


def _runs(values):
    return ", ".join("{:.3f}".format(v) for v in values)


def _corpus_section(name, data):
    lines = ["## Corpus `{}`".format(name), ""]
    if "skipped" in data:
        return lines + ["Not measured: {}.".format(data["skipped"]), ""]
    fix = data["lp_fix"]
    prefilter = data["prefilter"]
    groups = {}
    for code, words in sorted(prefilter["words_by_code"].items()):
        groups.setdefault(tuple(words), []).append(code)
    passing = "; ".join(
        "{} (`{}`): {}".format("/".join(codes), "`, `".join(words), prefilter["by_code"][codes[0]])
        for words, codes in groups.items()
    )
    size = "{} `.py` files, {:,} lines".format(data["files"], data["lines"])
    if data["notebooks"]:
        size += ", and {} notebooks".format(data["notebooks"])
    lines += [
        "{}: {}. {} of these files pass the rules' prefilter ({}); the others are read and".format(
            name, data["description"][0].upper() + data["description"][1:], prefilter["passing"], passing)
        + " dropped after a substring test. lp-fix read {} files, ruff {}.".format(
            data["files_read"]["lp_fix"], data["files_read"]["ruff"]),
        "",
    ]
    if data["notebooks"]:
        lines += [
            "{} of the {} files that pass the prefilter are notebooks. Notebooks are counted because the".format(
                prefilter["notebooks_passing"], prefilter["passing"])
            + " measured lp-fix reads them: {}.".format(data["notebook_support"].rstrip(".")),
            "",
        ]
    run = data.get("run", {})
    if run.get("quick") or run.get("repeats", 5) < 5 or run.get("flake8_repeats", 3) < 3:
        lines += ["**Reduced run** ({}): not the published figures.".format(
            "--quick" if run.get("quick") else "{} flake8 pairs, {} repeats".format(
                run.get("flake8_repeats"), run.get("repeats"))), ""]
    lines += ["| measurement | result | target | |", "|---|---|---|---|"]
    rows = []
    flake8 = data.get("flake8")
    if flake8:
        rows += [
            ("flake8 overhead: with / without the plugin installed (median of paired runs; "
             "run-to-run noise {:.0%})".format(flake8["noise"]),
             "{:+.1%}".format(flake8["median_ratio"] - 1), "≤ 2%", _check(flake8["median_ratio"] <= 1.02)),
            ("flake8 overhead: the plugin's own time / flake8's time",
             "{:.3%}".format(flake8["plugin_own_share"]), "≤ 2%", _check(flake8["plugin_own_share"] <= 0.02)),
        ]
    rows += [
        ("lp-fix --check / ruff check, whole corpus",
         "{:.2f}×".format(fix["vs_ruff"]), "≤ 0.5×", _check(fix["vs_ruff"] <= 0.5)),
        ("lp-fix --check / read-and-prefilter floor",
         "{:.2f}×".format(fix["vs_floor"]), "≤ 5×", _check(fix["vs_floor"] <= 5)),
    ]
    alone = data.get("notebooks_alone")
    if alone:
        label = "lp-fix --check / ruff check, the `notebooks/` folder alone ({} notebooks; for information)"
        rows.append((label.format(data["notebooks"]), "{:.2f}×".format(alone["vs_ruff"]), "—", ""))
    lines += ["| {} | {} | {} | {} |".format(*row) for row in rows]
    lines += ["", "Times (seconds):", "", "| run | median | all runs |", "|---|---|---|"]
    timings = []
    if flake8:
        subset = "" if flake8["files"] == data["files"] else " ({} of the files)".format(flake8["files"])
        timings += [
            ("flake8 -j 1, default plugins, without flake8-learning-phase" + subset, flake8["without_plugin_s"]),
            ("flake8 -j 1, default plugins, with flake8-learning-phase" + subset, flake8["with_plugin_s"]),
        ]
    timings += [
        ("lp-fix --check -j 1", fix["lp_fix_check_s"]),
        ("ruff check --no-cache (one thread)", fix["ruff_check_s"]),
        ("floor: a Python process that reads every file and tests it for the prefilter's words", fix["floor_s"]),
    ]
    if alone:
        timings += [
            ("lp-fix --check -j 1, `notebooks/` alone", alone["lp_fix_check_s"]),
            ("ruff check --no-cache (one thread), `notebooks/` alone", alone["ruff_check_s"]),
        ]
    lines += ["| {} | {:.3f} | {} |".format(label, median(values), _runs(values)) for label, values in timings]
    lines.append("")
    if flake8:
        lines += [
            "The plugin's own time, given the trees flake8 builds anyway: {:.3f} s over the corpus.".format(
                flake8["plugin_own_time_s"]),
            "",
        ]
    lines += [
        "Measured {} with flake8-learning-phase {}, flake8 {}, ruff {}.".format(
            data["date"], data["versions"]["flake8-learning-phase"], data["versions"]["flake8"],
            data["versions"]["ruff"]),
        "",
    ]
    return lines


def render(result):
    """docs/performance.md from one result (bench/results/latest.json)."""
    lsp = result["lsp"]
    words = sorted({w for data in result["corpora"].values() if "prefilter" in data
                    for w in data["prefilter"]["words"]})
    lines = [
        "# Performance",
        "",
        "<!-- Generated by bench/run.py from bench/results/latest.json; do not edit by hand. -->",
        "",
        "`python bench/run.py` reproduces this page (`--corpus NAME` measures one corpus and keeps the",
        "others' last results). Everything runs pinned to one core; flake8 runs are paired (with and",
        "without the plugin, alternating), ruff runs on one thread, and every command is timed whole,",
        "interpreter start included. The floor is a Python process that reads every file of the",
        "corpus and tests it for the words of every registered rule's prefilter ({}), the test the".format(
            ", ".join("`{}`".format(w) for w in words) or "none measured"),
        "tool itself runs first; only files that pass it are parsed.",
        "",
        "The corpora:",
        "",
    ]
    for name, spec in corpus.CORPORA.items():
        lines.append("- `{}`: {}.".format(name, spec.description))
    lines += [
        "",
        "flake8 does not read notebooks, so the notebook corpus has no flake8 rows; its bar is",
        "`lp-fix --check` within the ruff ratio on a tree with notebooks (ruff reads them too). Most",
        "test notebooks hold training steps, so they pass the prefilter and are analysed; with {}".format(
            corpus.NOTEBOOK_COPIES),
        "copies, about a quarter of the files that pass the prefilter are notebooks, as in the survey",
        "behind issue 14 (40 of 157 training steps lived in notebooks). The `notebooks/` folder is",
        "also timed alone, for what reading a notebook costs; it has no bar. The notebook corpus is",
        "measured only when the installed lp-fix reads `.ipynb` files, tried at run time.",
        "",
    ]
    for name, data in result["corpora"].items():
        lines += _corpus_section(name, data)

    steps = [row for row in result["per_file"] if row.get("group", "steps") == "steps"]
    tape = [row for row in result["per_file"] if row.get("group") == "lp300"]
    generated = steps[-1]
    rows = []
    for label, group in (("K.function training steps (tests/fixtures/steps)", steps),
                         ("GradientTape / train_step programs (tests/fixtures/lp300)", tape)):
        if group:
            ratios = [row["ratio"] for row in group]
            worst = max(group, key=lambda row: row["ratio"])
            rows.append(("plugin / ast.parse on {} (worst: {})".format(label, worst["file"]),
                         "{:.2f}× (median {:.2f}×)".format(max(ratios), median(ratios)), "≤ 2×",
                         _check(max(ratios) <= 2)))
    rows.append(("lp-lsp didChange → publishDiagnostics, 1,000-line file (median)",
                 "{:.1f} ms".format(lsp["median_s"] * 1e3), "< 100 ms", _check(lsp["median_s"] < 0.1)))
    if "users" in result:
        lines += users.render(result["users"])
    lines += [
        "## Files that contain training steps",
        "",
        "Independent of the corpora: the analysis of each file, given its tree and its path (the",
        "fixtures' folder is its project, as when flake8 runs there), against `ast.parse` of the same",
        "file (medians of 30), and the language server on a generated file.",
        "",
        "| measurement | result | target | |",
        "|---|---|---|---|",
    ]
    lines += ["| {} | {} | {} | {} |".format(*row) for row in rows]
    lines += ["", "| file | lines | ast.parse | plugin | ratio |", "|---|---|---|---|---|"]
    for row in result["per_file"]:
        prefix = "lp300/" if row.get("group") == "lp300" else ""
        lines.append("| {}{} | {} | {:.3f} ms | {:.3f} ms | {:.2f}× |".format(
            prefix, row["file"], row["lines"], row["ast_parse_s"] * 1e3, row["plugin_s"] * 1e3, row["ratio"]))
    lines += [
        "",
        "The generated {}-line file holds three training steps among ordinary code; lp-lsp took".format(
            generated["lines"]),
        "{:.1f} ms (median of {}) from didChange to publishDiagnostics on it.".format(
            lsp["median_s"] * 1e3, len(lsp["did_change_to_diagnostics_s"])),
        "",
        "## Machine",
        "",
        "{}; {}; Python {}; flake8 {}; ruff {}; flake8-learning-phase {}; run {}.".format(
            result["machine"]["processor"], result["machine"]["platform"], result["machine"]["python"],
            result["versions"]["flake8"], result["versions"]["ruff"], result["versions"]["flake8-learning-phase"],
            result["date"]),
        "",
    ]
    load = result["machine"].get("load_average")
    if load:
        lines[-1:] = ["Load average at the end of the run: {} (the machine's other work shares its cores:".format(
            ", ".join("{:.1f}".format(value) for value in load)),
            "compare ratios measured in the same loop, not absolute times).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

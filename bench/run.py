"""Benchmark: what flake8-learning-phase costs on a large real code base (issue 6).

    python bench/run.py [--repeats N] [--flake8-repeats N]

Builds the pinned corpus (the .py files of the tensorflow 1.15.5 cp37 manylinux2010 wheel and
keras 2.3.1, fetched with `pip download --no-deps` into bench/.cache), two virtualenvs with the
same flake8 (one with this project installed, one without) plus ruff, pins itself and every
child to one core, and measures side by side:

- flake8 (default plugins) with vs without the plugin installed, paired runs;
- the plugin's own time on every corpus file, given the tree, as flake8 hands it over;
- `lp-fix --check -j 1` vs `ruff check --no-cache` (one thread) on the corpus;
- the floor: reading every corpus file and testing it for a substring, in the same Python;
- the analysis on files that contain training steps vs `ast.parse` of the same files;
- lp-lsp: didChange -> publishDiagnostics on a generated 1,000-line file.

Prints a table, writes bench/results/latest.json and docs/performance.md (generated, not typed).
"""
import argparse
import datetime
import glob
import json
import os
import platform
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

CACHE = corpus.CACHE
CORPUS = corpus.CORPUS


def sh(command, **kwargs):
    return subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def venv(name, packages):
    folder = os.path.join(CACHE, name)
    python = os.path.join(folder, "bin", "python")
    if not os.path.exists(python):
        sh([sys.executable, "-m", "venv", folder])
        sh([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    sh([python, "-m", "pip", "install", "--quiet"] + packages)
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
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        tree = ast.parse(raw)
    except (SyntaxError, ValueError):
        continue  # flake8 reports E999 and runs no plugin
    lines = raw.decode("utf-8", "replace").splitlines(True)
    start = time.perf_counter()
    list(LearningPhaseChecker(tree, lines).run())
    total += time.perf_counter() - start
print(json.dumps(total))
"""

FLOOR = r"""
import sys
hits = 0
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        hits += b"get_updates" in handle.read()
print(hits)
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
        list(LearningPhaseChecker(tree, lines).run())
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the fast measurements")
    parser.add_argument("--flake8-repeats", type=int, default=3, help="paired flake8 runs (about 1-2 min each)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, children too

    corpus.build()
    files = corpus.files()
    lines = sum(open(f, "rb").read().count(b"\n") for f in files)
    plugin = venv("venv-plugin", [ROOT + "[lsp]", "ruff"])
    flake8_version = version(plugin, "flake8")
    plain = venv("venv-plain", ["flake8==" + flake8_version])
    bin_ = os.path.dirname(plugin)
    listing = os.path.join(CACHE, "files.txt")
    with open(listing, "w") as handle:
        handle.write("\n".join(files))
    result = {
        "date": datetime.datetime.now().isoformat(timespec="minutes"),
        "machine": {
            "platform": platform.platform(),
            "processor": _cpu(),
            "cores_used": 1,
            "python": platform.python_version(),
        },
        "versions": {
            "flake8": flake8_version,
            "ruff": version(plugin, "ruff"),
            "flake8-learning-phase": version(plugin, "flake8-learning-phase"),
        },
        "corpus": {"files": len(files), "lines": lines},
    }

    # flake8 with and without the plugin, paired and alternating: the ratio of each pair, so
    # that the machine's drift over minutes cancels out.
    with_plugin, without = [], []
    for repeat in range(args.flake8_repeats):
        order = [(plain, without), (plugin, with_plugin)]
        for python, bucket in order if repeat % 2 == 0 else reversed(order):
            bucket.append(timed([python, "-m", "flake8", "-j", "1", CORPUS]))
    plugin_cost = json.loads(sh([plugin, "-c", PLUGIN_COST] + files).stdout)
    result["flake8"] = {
        "without_plugin_s": without,
        "with_plugin_s": with_plugin,
        "median_ratio": statistics.median(w / o for w, o in zip(with_plugin, without)),
        "noise": (max(without) - min(without)) / statistics.median(without),
        "plugin_own_time_s": plugin_cost,
        "plugin_own_share": plugin_cost / statistics.median(without),
    }

    # lp-fix vs ruff vs the floor.
    ruff_env = dict(os.environ, RAYON_NUM_THREADS="1")
    lp_fix, ruff = [], []
    for _ in range(args.repeats):
        lp_fix.append(timed([os.path.join(bin_, "lp-fix"), "--check", "-q", "-j", "1", CORPUS]))
        ruff.append(timed([os.path.join(bin_, "ruff"), "check", "--no-cache", "--quiet", CORPUS], env=ruff_env))
    floor = [timed([plugin, "-c", FLOOR] + files) for _ in range(args.repeats)]
    result["lp_fix"] = {
        "lp_fix_check_s": lp_fix,
        "ruff_check_s": ruff,
        "floor_s": floor,
        "files_with_get_updates": int(sh([plugin, "-c", FLOOR] + files).stdout),
        "vs_ruff": statistics.median(lp_fix) / statistics.median(ruff),
        "vs_floor": statistics.median(lp_fix) / statistics.median(floor),
    }

    # Files that do contain training steps.
    with tempfile.TemporaryDirectory() as folder:
        generated = generated_file(folder)
        step_files = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "steps", "*.py"))) + [generated]
        rows = json.loads(sh([plugin, "-c", PER_FILE] + step_files).stdout)
        result["per_file"] = [
            {"file": os.path.basename(path), "lines": n, "ast_parse_s": p, "plugin_s": a, "ratio": a / p}
            for path, n, p, a in rows
        ]
        latency = lsp_latency(os.path.join(bin_, "lp-lsp"), generated, max(args.repeats, 20))
    result["lsp"] = {"did_change_to_diagnostics_s": latency, "median_s": statistics.median(latency)}

    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as handle:
        json.dump(result, handle, indent=2)
    page = render(result)
    with open(PAGE, "w") as handle:
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


def render(result):
    """docs/performance.md from one result (bench/results/latest.json)."""
    median = statistics.median
    flake8, fix, lsp = result["flake8"], result["lp_fix"], result["lsp"]
    ratios = [row["ratio"] for row in result["per_file"]]
    worst = max(result["per_file"], key=lambda row: row["ratio"])
    generated = result["per_file"][-1]

    def check(ok):
        return "met" if ok else "**missed**"

    rows = [
        ("flake8 overhead: with / without the plugin installed (median of paired runs; "
         "run-to-run noise {:.0%})".format(flake8["noise"]),
         "{:+.1%}".format(flake8["median_ratio"] - 1), "≤ 2%", check(flake8["median_ratio"] <= 1.02)),
        ("flake8 overhead: the plugin's own time / flake8's time",
         "{:.3%}".format(flake8["plugin_own_share"]), "≤ 2%", check(flake8["plugin_own_share"] <= 0.02)),
        ("lp-fix --check / ruff check, whole corpus",
         "{:.2f}×".format(fix["vs_ruff"]), "≤ 0.5×", check(fix["vs_ruff"] <= 0.5)),
        ("lp-fix --check / read-and-prefilter floor",
         "{:.2f}×".format(fix["vs_floor"]), "≤ 5×", check(fix["vs_floor"] <= 5)),
        ("plugin / ast.parse on files with training steps (worst: {})".format(worst["file"]),
         "{:.2f}× (median {:.2f}×)".format(max(ratios), median(ratios)), "≤ 2×", check(max(ratios) <= 2)),
        ("lp-lsp didChange → publishDiagnostics, 1,000-line file (median)",
         "{:.1f} ms".format(lsp["median_s"] * 1e3), "< 100 ms", check(lsp["median_s"] < 0.1)),
    ]
    lines = [
        "# Performance",
        "",
        "<!-- Generated by bench/run.py from bench/results/latest.json; do not edit by hand. -->",
        "",
        "`python bench/run.py` reproduces this page. Corpus: the `.py` files of the tensorflow 1.15.5",
        "wheel (cp37, manylinux2010) and keras 2.3.1, {} files, {:,} lines; {} of them contain".format(
            result["corpus"]["files"], result["corpus"]["lines"], fix["files_with_get_updates"]),
        "`get_updates`. Everything runs pinned to one core.",
        "",
        "| measurement | result | target | |",
        "|---|---|---|---|",
    ]
    lines += ["| {} | {} | {} | {} |".format(*row) for row in rows]
    lines += [
        "",
        "## Times (medians, seconds)",
        "",
        "| run | median | all runs |",
        "|---|---|---|",
    ]
    for label, values in (
        ("flake8 -j 1, default plugins, without flake8-learning-phase", flake8["without_plugin_s"]),
        ("flake8 -j 1, default plugins, with flake8-learning-phase", flake8["with_plugin_s"]),
        ("lp-fix --check -j 1", fix["lp_fix_check_s"]),
        ("ruff check --no-cache (one thread)", fix["ruff_check_s"]),
        ("floor: a Python process that reads every file and tests for a substring", fix["floor_s"]),
    ):
        runs = ", ".join("{:.3f}".format(v) for v in values)
        lines.append("| {} | {:.3f} | {} |".format(label, median(values), runs))
    lines += [
        "",
        "The paired flake8 runs see the plugin through the machine's run-to-run noise ({:.0%} between".format(
            flake8["noise"]),
        "the fastest and slowest run without the plugin); the plugin's own time ({:.3f} s over the corpus,".format(
            flake8["plugin_own_time_s"]),
        "given the trees flake8 builds anyway) is the exact cost. lp-fix, ruff and the floor are timed",
        "the same way, as whole commands, interpreter start included.",
        "",
        "## Files that contain training steps",
        "",
        "| file | lines | ast.parse | plugin | ratio |",
        "|---|---|---|---|---|",
    ]
    for row in result["per_file"]:
        lines.append("| {} | {} | {:.3f} ms | {:.3f} ms | {:.2f}× |".format(
            row["file"], row["lines"], row["ast_parse_s"] * 1e3, row["plugin_s"] * 1e3, row["ratio"]))
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
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""SIGKILL at random moments during a directory run: every file is its old or its new text."""
import random
import signal
import subprocess
import sys
import time

from conftest import FIXTURES, read

BEFORE = read(FIXTURES / "steps" / "updates_through_name.py")
AFTER = read(FIXTURES / "steps" / "updates_through_name.fixed.py")
# Padding makes each file large enough that a write takes measurable time.
PADDING = "".join("CONSTANT_{0} = {0}  # padding\n".format(i) for i in range(3000))
FILES = 60
KILLS = 8


def make_tree(folder):
    for number in range(FILES):
        (folder / "train_{:03d}.py".format(number)).write_text(PADDING + BEFORE)


def start(folder):
    command = [sys.executable, "-m", "flake8_learning_phase", "-q", "-j", "1", str(folder)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_at_random_moments_never_truncates(tmp_path):
    timing = tmp_path / "timing"
    timing.mkdir()
    make_tree(timing)
    began = time.perf_counter()
    start(timing).wait()
    duration = time.perf_counter() - began
    rng = random.Random(20261127)
    completed = set()
    for trial in range(KILLS):
        folder = tmp_path / "run{}".format(trial)
        folder.mkdir()
        make_tree(folder)
        process = start(folder)
        time.sleep(rng.uniform(0.05, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for path in sorted(folder.glob("*.py")):
            text = read(path)
            assert text in (PADDING + BEFORE, PADDING + AFTER), "{} is neither old nor new".format(path)
            completed.add(text == PADDING + AFTER)
    assert completed == {True, False}, "the kills should land mid-run"

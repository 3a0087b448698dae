"""A generated project tree around one training-step file, as users run the plugin in it.

    python bench/project.py FOLDER [--modules 200] [--callers 100] [--lines 300]

FOLDER/trainer/ becomes a package: ``gan_step.py`` is the 23-line step file of
tests/fixtures/steps/gan_applied_inline.py (its models are parameters, so the resolver asks
who calls its functions); ``--callers`` of the ``--modules`` other modules import it and call
``train_g`` and ``train_d`` with models they build (Dense and BatchNormalization layers);
every module is padded to about ``--lines`` lines of ordinary code that mentions neither.
"""
import argparse
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
STEP = os.path.join(os.path.dirname(HERE), "tests", "fixtures", "steps", "gan_applied_inline.py")

_CALLER = '''\
from keras.layers import BatchNormalization, Dense, Input
from keras.models import Model

from trainer.gan_step import train_d, train_g


def build_{n}(width={n}):
    noise = Input((width,))
    hidden = BatchNormalization()(Dense(width)(noise))
    net_g = Model(noise, Dense(width)(hidden))
    real = Input((width,))
    net_d = Model(real, Dense(1, activation="sigmoid")(Dense(width)(real)))
    return net_d, net_g, noise


def run_{n}(batches):
    net_d, net_g, noise = build_{n}()
    train_g(net_d, net_g, noise, batches)
    train_d(net_d, noise, net_g.output, batches)

'''

_PADDING = '''\

def helper_{n}_{k}(values, scale={k}):
    """Scale and clip a list of values (padding: code that mentions no training step)."""
    result = []
    for value in values:
        scaled = value * scale + {n}
        result.append(min(max(scaled, -{k}), {k}))
    return result

'''


def write(folder: str, modules: int = 200, callers: int = 100, lines: int = 300) -> str:
    """Writes the project; returns the step file's path."""
    package = os.path.join(folder, "trainer")
    os.makedirs(package, exist_ok=True)
    with open(os.path.join(package, "__init__.py"), "w") as handle:
        handle.write('"""A generated project (bench/project.py)."""\n')
    with open(STEP) as source, open(os.path.join(package, "gan_step.py"), "w") as target:
        target.write(re.sub(r"  # expect: [^\n]*", "", source.read()))
    for n in range(modules):
        text = _CALLER.format(n=n) if n < callers else '"""Module {} of the generated project."""\n'.format(n)
        k = 0
        while text.count("\n") < lines:
            text += _PADDING.format(n=n, k=k)
            k += 1
        with open(os.path.join(package, "module_{:03d}.py".format(n)), "w") as handle:
            handle.write(text)
    return os.path.join(package, "gan_step.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--callers", type=int, default=100)
    parser.add_argument("--lines", type=int, default=300)
    args = parser.parse_args()
    print(write(args.folder, args.modules, args.callers, args.lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What TF 1.x graph layers do with their training flag: the tf.layers / contrib / slim table.

Keras layers are the model resolver's business (:mod:`flake8_learning_phase.keras.models`);
these are the functional layers of TensorFlow 1.x that are not Keras paths.
Checked on tensorflow 1.15.5:

- ``tf.layers.batch_normalization`` defaults to ``training=False`` (inference)
  and adds its update ops to ``UPDATE_OPS`` unless ``training`` is the
  constant False; ``tf.layers.dropout`` defaults to ``training=False``.
- ``tf.contrib.layers.batch_norm`` / ``slim.batch_norm`` default to
  ``is_training=True`` and put their update ops in ``UPDATE_OPS`` unless
  ``updates_collections=None`` (then they update in place);
  ``contrib``/``slim`` ``dropout`` defaults to ``is_training=True``.
"""
from typing import Dict, Optional

from flake8_learning_phase.core.records import Record

# Import paths under which TF 1.x code reaches these layers.
_TF_ROOTS = ("tensorflow.", "tensorflow.compat.v1.")
_SLIM_ROOTS = ("tensorflow.contrib.slim.", "tf_slim.", "tensorflow.contrib.layers.",
               "tensorflow.contrib.layers.python.layers.layers.", "tf_slim.layers.")


class GraphLayer(Record):
    """One functional layer: its kind, its mode flag (name, position, default) and updates."""

    kind: str  # "batch_norm" or "dropout"
    flag: str  # the keyword that sets the mode
    position: int  # the flag's positional index
    default: bool  # the mode when the flag is not passed (True: training)
    contrib: bool  # contrib / slim (``updates_collections``) rather than tf.layers


_TF_LAYERS: Dict[str, GraphLayer] = {
    "layers.batch_normalization": GraphLayer("batch_norm", "training", 14, False, False),
    "layers.dropout": GraphLayer("dropout", "training", 4, False, False),
}
# The layer classes of tf.layers: the flag is an argument of the application, ``bn(x, training=...)``.
_TF_LAYER_CLASSES: Dict[str, GraphLayer] = {
    "layers.BatchNormalization": GraphLayer("batch_norm", "training", 1, False, False),
    "layers.Dropout": GraphLayer("dropout", "training", 1, False, False),
}
_CONTRIB: Dict[str, GraphLayer] = {
    "batch_norm": GraphLayer("batch_norm", "is_training", 9, True, True),
    "dropout": GraphLayer("dropout", "is_training", 3, True, True),
}
# ``updates_collections`` of contrib / slim batch_norm: its positional index.
UPDATES_COLLECTIONS_POSITION = 8


def graph_layer(qualified: Optional[str]) -> Optional[GraphLayer]:
    """The table entry for a callee's import path, or None for anything else."""
    return _entry(qualified, _SLIM_ROOTS, _CONTRIB) or _entry(qualified, _TF_ROOTS, _TF_LAYERS)


def graph_layer_class(qualified: Optional[str]) -> Optional[GraphLayer]:
    """The entry for a tf.layers layer class (``tf.layers.BatchNormalization``), or None."""
    return _entry(qualified, _TF_ROOTS, _TF_LAYER_CLASSES)


def _entry(qualified: Optional[str], roots, table: Dict[str, GraphLayer]) -> Optional[GraphLayer]:
    """The entry of ``table`` for the part of ``qualified`` after one of ``roots``."""
    if not qualified:
        return None
    for root in roots:
        if qualified.startswith(root) and qualified[len(root):] in table:
            return table[qualified[len(root):]]
    return None
    for root in _TF_ROOTS:
        if qualified.startswith(root) and qualified[len(root):] in _TF_LAYER_CLASSES:
            return _TF_LAYER_CLASSES[qualified[len(root):]]
    return None

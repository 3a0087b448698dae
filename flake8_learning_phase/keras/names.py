"""Keras names: the import roots, the layer tables and what a Keras callable is.

Every family asks these the same way: ``keras_kind`` says whether a
qualified name (resolved through the imports) is a Keras layer, model,
``Sequential``, application or ``Input``; ``foreign`` that an object is known
not to be Keras; the tables say which layers depend on the phase.
"""
from functools import lru_cache
from typing import Optional

# ``tensorflow_core`` is the package TensorFlow 2.0 and 2.1 install (``tensorflow`` forwards to it;
# editors' completion wrote ``from tensorflow_core.python.keras.layers import Dense``).
_KERAS_ROOTS = ("keras", "tensorflow.keras", "tensorflow.python.keras", "tf_keras", "tensorflow.compat.v1.keras",
                "tensorflow.compat.v2.keras", "tensorflow.contrib.keras", "tensorflow.contrib.keras.api.keras",
                "tensorflow_core.keras", "tensorflow_core.python.keras")
BATCH_NORMALIZATION = frozenset({"BatchNormalization", "SyncBatchNormalization", "BatchNormalizationV1",
                                 "BatchNormalizationV2"})
DROPOUT = frozenset({"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                     "GaussianDropout", "AlphaDropout"})
RNN = frozenset({"LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "LSTMCell", "GRUCell",
                 "SimpleRNNCell", "RNN", "StackedRNNCells"})
WRAPPERS = frozenset({"Bidirectional", "TimeDistributed"})
# Layers that own trainable weights besides those above (every ``Conv...`` layer too): a network
# built from one has weights of its own, which a train op lists to train it.
WEIGHTED = frozenset({"Dense", "Embedding", "LayerNormalization", "GroupNormalization", "PReLU",
                      "MultiHeadAttention", "EinsumDense", "LocallyConnected1D", "LocallyConnected2D"})


def has_weights(layer: str) -> bool:
    """The Keras layer class ``layer`` (its bare name) owns trainable weights."""
    return layer in WEIGHTED or "Conv" in layer or layer in BATCH_NORMALIZATION or layer in RNN
MODEL_CLASSES = frozenset({"Model", "Functional"})
SEQUENTIAL = "Sequential"
_DOTTED_ROOTS = tuple(root + "." for root in _KERAS_ROOTS)
_FIRST_PARTS = tuple(sorted({root.split(".")[0] + "." for root in _KERAS_ROOTS}))


# Both are asked about the same few names thousands of times per file (every call the model
# resolver meets): answers are kept, for the few distinct names a run sees.
@lru_cache(maxsize=4096)
def keras_path(qualified: Optional[str]) -> Optional[str]:
    """The part of ``qualified`` after a Keras root (``layers.Dropout``), or None for other libraries."""
    if not qualified:
        return None
    if not qualified.startswith(_FIRST_PARTS):  # most names are of no Keras root at all
        return None
    for root in _DOTTED_ROOTS:
        if qualified.startswith(root):
            rest = qualified[len(root):]
            return rest[4:] if rest.startswith("src.") else rest
    return None


@lru_cache(maxsize=4096)
def keras_kind(qualified: Optional[str]) -> Optional[str]:
    """``layer`` / ``model`` / ``sequential`` / ``applications`` / ``input`` for a Keras callable, else None."""
    rest = keras_path(qualified)
    if rest is None:
        return None
    parts = rest.split(".")
    name = parts[-1]
    if "applications" in parts[:-1]:
        return "applications" if name[:1].isupper() else None
    if name == SEQUENTIAL:
        return "sequential"
    if name in MODEL_CLASSES:
        return "model"
    if name in ("Input", "InputLayer"):
        return "input"
    if "layers" in parts[:-1] and name[:1].isupper():
        return "layer"
    return None


# Functions that load a saved Keras model: what it runs is in the file, not in the code.
_CHECKPOINT_LOADERS = frozenset({"models.load_model", "saving.load_model"})


def is_checkpoint_loader(qualified: Optional[str]) -> bool:
    """``keras.models.load_model`` and its spellings (``tf.keras.models``, ``keras.saving``)."""
    return keras_path(qualified) in _CHECKPOINT_LOADERS


def is_model_copier(qualified: Optional[str]) -> bool:
    """``keras.models.clone_model``: a model with the layers of its argument, new weights."""
    return keras_path(qualified) in ("models.clone_model", "models.cloning.clone_model")


# Layers of other libraries that do the same in both modes (per-sample or per-group statistics,
# pooling): known, and phase-free.  TensorFlow Addons' SpectralNormalization is not one (it
# updates its power iteration only in training).
_PHASE_FREE_LIBRARY_LAYERS = ("tensorflow_addons.layers.", "tensorflow_addons.layers.normalizations.")
_PHASE_FREE_NAMES = frozenset({"InstanceNormalization", "GroupNormalization", "FilterResponseNormalization",
                               "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
                               "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D", "Maxout"})


def phase_free_library_layer(qualified: str) -> bool:
    """A layer of another library known to run the same in training and inference."""
    prefix, _, name = qualified.rpartition(".")
    return name in _PHASE_FREE_NAMES and prefix + "." in _PHASE_FREE_LIBRARY_LAYERS


# Layers that hand the training flag on only while trainable, and are not trainable unless told:
# TF Hub's ``KerasLayer`` calls its SavedModel with ``training=False`` when not trainable (its
# default), as a frozen BatchNormalization does.
FROZEN_UNLESS_TRAINABLE = frozenset({"tensorflow_hub.KerasLayer", "tensorflow_hub.keras_layer.KerasLayer"})


# Libraries whose objects are never Keras layers or models (a Sonnet module takes ``is_training``,
# not ``training``; a TensorLayer 2 model sets its phase with ``.train()``/``.eval()``), and
# ``tf.Module``; and the standard library modules and tools a training
# script reads its settings and environment with (``args = parser.parse_args()``, ``env =
# gym.make(...)``: a number they give scales a model's output without hiding a layer).  Not
# those that hand objects back (``copy``, ``functools``, ``itertools``, ``random.choice``, ``pickle``).
_FOREIGN_ROOTS = ("sonnet", "torch", "haiku", "flax", "jax", "numpy", "tensorlayer", "tensorflow.Module",
                  "tensorflow.compat.v2.Module",
                  "argparse", "configparser", "csv", "datetime", "glob", "json", "logging", "math", "os", "pathlib",
                  "re", "shutil", "subprocess", "sys", "time", "gym", "gymnasium", "pandas", "matplotlib")
# torch wrappers that call the module they wrap with the same arguments (a Keras model on the
# torch backend is a torch module: ``DistributedDataParallel(model)(x)`` runs ``model(x)``).
TORCH_WRAPPERS = frozenset({"torch.nn.parallel.DistributedDataParallel", "torch.nn.DataParallel",
                            "torch.nn.parallel.DataParallel", "torch.compile"})
# torch module methods that return the module itself
# What a ``tf.distribute`` strategy runs a step with, there and then.
STRATEGY_RUNS = frozenset({"run", "experimental_run_v2"})
TORCH_SAME_MODULE = frozenset({"to", "cuda", "cpu", "train", "eval", "requires_grad_"})
# TensorFlow calls that make values, not layers (``self.log_std = tf.Variable(...)`` in a model).
_TF_VALUES = frozenset({"Variable", "constant", "zeros", "ones", "zeros_like", "ones_like", "fill", "eye", "range",
                        "convert_to_tensor", "random", "initializers", "constant_initializer", "zeros_initializer",
                        "ones_initializer", "random_normal_initializer", "random_uniform_initializer",
                        "truncated_normal_initializer", "glorot_uniform_initializer", "glorot_normal_initializer"})
# Keras namespaces without layers: a loss or metric object kept on a model is no sub-layer.
_KERAS_NON_LAYERS = frozenset({"losses", "metrics", "optimizers", "initializers", "regularizers", "constraints",
                               "activations", "callbacks", "backend", "ops", "random", "utils", "mixed_precision",
                               "preprocessing", "datasets"})


# ``tf.Module``: a plain container, whose ``__call__`` runs what it keeps (Keras layers too).
TF_MODULES = frozenset({"tensorflow.Module", "tensorflow.compat.v2.Module", "tensorflow.compat.v1.Module"})


def foreign(qualified: str) -> bool:
    """A library callable or class whose objects are known not to be Keras layers or models."""
    rest = keras_path(qualified)
    if rest is not None:
        return rest.split(".")[0] in _KERAS_NON_LAYERS
    if any(qualified == root or qualified.startswith(root + ".") for root in _FOREIGN_ROOTS):
        return True
    for root in ("tensorflow.", "tensorflow.compat.v1.", "tensorflow.compat.v2."):
        if qualified.startswith(root) and qualified[len(root):].split(".")[0] in _TF_VALUES:
            return True
    return False


def is_keras_layers_module(qualified: str) -> bool:
    rest = keras_path(qualified + ".X")
    return rest is not None and "layers" in rest.split(".")[:-1]

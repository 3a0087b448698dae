"""The model resolver (keras/models.py): one behaviour per test.

Each source marks the model call to resolve with ``# probe``; the resolver is
asked what the callee stands for there.  Multi-file projects live under
tests/fixtures/models/.
"""
import ast

from conftest import FIXTURES

from flake8_learning_phase.core import Settings, split_lines
from flake8_learning_phase.core.engine import RuleContext
from flake8_learning_phase.keras.models import NOT_POSITIONAL, UNSEEN, resolve_model
from flake8_learning_phase.keras.names import keras_kind
from flake8_learning_phase.core.module import build

MODELS = FIXTURES / "models"


def resolve(source, path=None):
    tree = ast.parse(source)
    module = build(tree)
    context = RuleContext(module, split_lines(source), Settings(), path)
    line = next(n for n, text in enumerate(split_lines(source), 1) if "# probe" in text)
    records = [r for s in module.scopes for rs in s.calls.values() for r in rs]
    records += [r for rs in module.attribute_calls.values() for r in rs]
    records += module.subscript_calls
    (record,) = [r for r in records if r.node.lineno == line and "probe" not in ast.dump(r.node.func)]
    return resolve_model(context, record.node.func, record.scope, record.seq, record.blocks)


def resolve_file(path):
    return resolve(path.read_text(encoding="utf-8"), str(path))


TF = "import tensorflow as tf\n"


def test_sequential_with_batch_normalization_is_phase_dependent_and_owns_updates():
    info = resolve(TF + "m = tf.keras.Sequential([tf.keras.layers.Dense(2), tf.keras.layers.BatchNormalization()])\n"
                   "m(x)  # probe\n")
    assert info.seen and info.phase_dependent and info.owns_updates


def test_sequential_of_dense_layers_is_seen_and_not_phase_dependent():
    info = resolve(TF + "m = tf.keras.Sequential([tf.keras.layers.Dense(2), tf.keras.layers.Dense(1)])\n"
                   "m(x)  # probe\n")
    assert info.seen and not info.phase_dependent and not info.owns_updates


def test_dropout_is_phase_dependent_without_updates():
    info = resolve(TF + "m = tf.keras.Sequential([tf.keras.layers.Dropout(0.5)])\nm(x)  # probe\n")
    assert info.phase_dependent and not info.owns_updates


def test_sequential_add_is_followed():
    info = resolve(TF + "m = tf.keras.Sequential()\nm.add(tf.keras.layers.Dense(3))\n"
                   "m.add(tf.keras.layers.GaussianNoise(0.1))\nm(x)  # probe\n")
    assert info.seen and info.phase_dependent


def test_functional_chain_is_followed_back_from_the_outputs():
    source = TF + (
        "i = tf.keras.Input((3,))\nh = tf.keras.layers.Dense(4)(i)\nh = tf.keras.layers.BatchNormalization()(h)\n"
        "o = tf.keras.layers.Dense(1)(h)\nm = tf.keras.Model(i, o)\nm(x)  # probe\n"
    )
    assert resolve(source).owns_updates


def test_layer_applied_with_its_own_literal_training_is_pinned():
    source = TF + (
        "i = tf.keras.Input((3,))\nh = tf.keras.layers.Dropout(0.3)(i, training=True)\n"
        "m = tf.keras.Model(inputs=i, outputs=h)\nm(x)  # probe\n"
    )
    info = resolve(source)
    assert info.seen and not info.phase_dependent


def test_layer_forwarding_a_training_variable_stays_phase_dependent():
    source = TF + (
        "def make(flag):\n    i = tf.keras.Input((3,))\n    h = tf.keras.layers.Dropout(0.3)(i, training=flag)\n"
        "    return tf.keras.Model(i, h)\nm = make(True)\nm(x)  # probe\n"
    )
    assert resolve(source).phase_dependent


def test_block_function_in_a_functional_chain_is_entered():
    source = TF + (
        "def block(x):\n    x = tf.keras.layers.Conv2D(4, 3)(x)\n    return tf.keras.layers.BatchNormalization()(x)\n"
        "i = tf.keras.Input((8, 8, 3))\nm = tf.keras.Model(i, block(i))\nm(x)  # probe\n"
    )
    assert resolve(source).owns_updates


def test_rnn_with_dropout_is_phase_dependent_and_without_is_not():
    with_dropout = resolve(TF + "m = tf.keras.Sequential([tf.keras.layers.LSTM(4, recurrent_dropout=0.2)])\n"
                           "m(x)  # probe\n")
    without = resolve(TF + "m = tf.keras.Sequential([tf.keras.layers.LSTM(4, dropout=0.0)])\nm(x)  # probe\n")
    assert with_dropout.phase_dependent and without.seen and not without.phase_dependent


def test_applications_model_is_phase_dependent_and_owns_updates():
    info = resolve(TF + "m = tf.keras.applications.ResNet50(weights=None)\nm(x)  # probe\n")
    assert info.seen and info.phase_dependent and info.owns_updates


def test_base_model_output_in_a_functional_head_counts():
    source = TF + (
        "base = tf.keras.applications.MobileNetV2(include_top=False)\n"
        "o = tf.keras.layers.Dense(1)(base.output)\nm = tf.keras.Model(base.input, o)\nm(x)  # probe\n"
    )
    assert resolve(source).owns_updates


def test_library_builder_is_unseen():
    assert resolve("import segmentation_models as sm\nm = sm.Unet('resnet34')\nm(x)  # probe\n") == UNSEEN


def test_a_trainable_hub_layer_is_unseen():
    assert resolve("import tensorflow_hub as hub\nm = hub.KerasLayer('u', trainable=True)\nm(x)  # probe\n") == UNSEEN


def test_unknown_layer_in_a_sequential_makes_a_model_without_phase_layers_unseen():
    source = TF + "import lib\nm = tf.keras.Sequential([tf.keras.layers.Dense(2), lib.Block()])\nm(x)  # probe\n"
    assert not resolve(source).seen


def test_spelling_alone_does_not_make_a_layer():
    source = "from mylib import BatchNormalization, Sequential\nm = Sequential([BatchNormalization()])\nm(x)  # probe\n"
    assert resolve(source) == UNSEEN


def test_star_import_of_keras_layers_counts():
    source = "from keras.layers import *\nfrom keras.models import Sequential\nm = Sequential([Dropout(0.1)])\n" \
             "m(x)  # probe\n"
    assert resolve(source).phase_dependent


def test_builder_function_returning_a_model():
    source = TF + "def get():\n    return tf.keras.Sequential([tf.keras.layers.BatchNormalization()])\n" \
                  "m = get()\nm(x)  # probe\n"
    assert resolve(source).owns_updates


def test_parameter_resolved_through_the_callers_in_the_file():
    source = TF + (
        "def step(net, x):\n    return net(x)  # probe\n"
        "step(tf.keras.Sequential([tf.keras.layers.Dropout(0.2)]), 1)\n"
    )
    assert resolve(source).phase_dependent


def test_parameter_without_visible_callers_is_unseen():
    assert resolve("def step(net, x):\n    return net(x)  # probe\n") == UNSEEN


LIBRARY = TF + (
    "def build_generator():\n    return tf.keras.Sequential([tf.keras.layers.Dense(4), {layer}])\n"
    "def build_critic():\n    m = tf.keras.Sequential()\n    m.add(tf.keras.layers.Dense(1))\n    return m\n"
    "def train_functions(generator, critic, z):\n    h = generator(z)\n    return critic(h)  # probe\n"
)


def test_parameter_without_callers_is_judged_by_the_modules_own_builders():
    info = resolve(LIBRARY.format(layer="tf.keras.layers.Dense(2)"))
    assert info.seen and not info.phase_dependent
    info = resolve(LIBRARY.format(layer="tf.keras.layers.BatchNormalization()").replace(
        "    h = generator(z)\n    return critic(h)  # probe", "    return generator(z)  # probe"))
    assert info.seen and info.phase_dependent and info.owns_updates


def test_parameter_without_callers_stays_unseen_when_a_builder_returns_something_unseen():
    source = LIBRARY.format(layer="tf.keras.layers.Dense(2)").replace(
        "    return m\n", "    return m\n    return load(m)\n")
    assert not resolve(source).seen


def test_sequential_of_a_list_kept_in_a_name_is_followed():
    source = TF + "layers = [tf.keras.layers.Dense(4), tf.keras.layers.Dropout(0.1)]\n" \
        "m = tf.keras.Sequential(layers)\nm(x)  # probe\n"
    assert resolve(source).phase_dependent
    assert resolve(source.replace("tf.keras.layers.Dropout(0.1)", "tf.keras.layers.Dense(1)")).seen


def test_layer_list_handed_to_a_constructor_is_followed():
    source = TF + (
        "class G(tf.keras.Model):\n    def __init__(self, layer_list):\n        super().__init__()\n"
        "        self.net = tf.keras.Sequential(layer_list)\n    def call(self, x):\n        return self.net(x)\n"
        "g = G([tf.keras.layers.Dense(3), tf.keras.layers.Dropout(0.2)])\ng(x)  # probe\n"
    )
    assert resolve(source).phase_dependent
    info = resolve(source.replace("tf.keras.layers.Dropout(0.2)", "tf.keras.layers.Dense(1)"))
    assert info.seen and not info.phase_dependent


def test_custom_layer_training_unless_false_is_not_phase_dependent():
    source = subclass("", "return tf.nn.dropout(x, 0.5) if training is not False else x")
    info = resolve(source)
    assert info.seen and not info.phase_dependent
    assert resolve(subclass("", "return tf.nn.dropout(x, 0.5) if training else x")).phase_dependent


def test_own_flag_other_than_training():
    source = TF + (
        "class Net(tf.keras.Model):\n    def __init__(self):\n        super().__init__()\n"
        "        self.bn = tf.keras.layers.BatchNormalization()\n"
        "    def call(self, x, is_training=False):\n        return self.bn(x, training=is_training)\n"
        "net = Net()\nnet(x)  # probe\n"
    )
    info = resolve(source)
    assert info.phase_dependent and info.flag == "is_training" and info.training_position == 1


def test_layers_set_by_the_model_flag_are_not_reached_by_the_call():
    source = TF + (
        "class Net(tf.keras.Model):\n    def __init__(self):\n        super().__init__()\n"
        "        self.flag = False\n        self.bn = tf.keras.layers.BatchNormalization()\n"
        "    def call(self, x):\n        return self.bn(x, training=self.flag)\n"
        "net = Net()\nnet(x)  # probe\n"
    )
    info = resolve(source)
    assert info.seen and not info.phase_dependent


def test_module_name_read_by_a_function_called_between_two_bindings():
    source = TF + (
        "model = tf.keras.Sequential([tf.keras.layers.Dropout(0.5)])\n"
        "def step(x):\n    return model(x)  # probe\n"
        "step(1)\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
    )
    assert resolve(source).phase_dependent
    assert not resolve(source.replace("step(1)\n", "") + "step(1)\n").phase_dependent


def test_builder_calling_itself_is_followed():
    source = TF + (
        "def block(x, depth):\n    x = tf.keras.layers.Dense(min(depth * 2, 8))(x)\n"
        "    if depth:\n        x = block(x, depth - 1)\n    return tf.keras.layers.Dropout(0.1)(x, training=1)\n"
        "i = tf.keras.Input((3,))\nm = tf.keras.Model(i, block(i, 3))\nm(x)  # probe\n"
    )
    info = resolve(source)
    assert info.seen and not info.phase_dependent
    assert resolve(source.replace(", training=1)", ")")).phase_dependent


SUBCLASS = TF + '''
class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.fc = tf.keras.layers.Dense(4)
        {extra}

    def call(self, x, training=None):
        {body}
'''


def subclass(extra, body):
    return SUBCLASS.format(extra=extra, body=body) + "net = Net()\nnet(x)  # probe\n"


def test_subclassed_model_with_batch_normalization_in_init():
    info = resolve(subclass("self.bn = tf.keras.layers.BatchNormalization()",
                            "return self.bn(self.fc(x), training=training)"))
    assert info.seen and info.owns_updates and info.training_position == 1


def test_subclassed_model_whose_layers_are_pinned_is_not_phase_dependent():
    info = resolve(subclass("self.drop = tf.keras.layers.Dropout(0.5)", "return self.drop(self.fc(x), training=False)"))
    assert info.seen and not info.phase_dependent


def test_subclassed_model_reading_training_is_phase_dependent():
    info = resolve(subclass("pass", "return tf.nn.dropout(self.fc(x), 0.5) if training else self.fc(x)"))
    assert info.phase_dependent


def test_call_without_a_training_parameter_takes_no_positional_flag():
    source = TF + ("class Net(tf.keras.Model):\n    def call(self, a, b):\n        return a\n"
                   "net = Net()\nnet(x, y)  # probe\n")
    info = resolve(source)
    assert info.seen and info.training_position == NOT_POSITIONAL


def test_call_with_varargs_may_take_the_flag_anywhere():
    source = TF + ("class Net(tf.keras.Model):\n    def call(self, x, *args):\n        return x\n"
                   "net = Net()\nnet(x)  # probe\n")
    info = resolve(source)
    assert info.seen and info.training_position is None


def test_loop_variable_over_a_comprehension_is_its_element():
    source = TF + (
        "nets = [tf.keras.Sequential([tf.keras.layers.Dropout(0.1)]) for _ in range(3)]\n"
        "for net, opt in zip(nets, opts):\n    net(x)  # probe\n"
    )
    info = resolve(source)
    assert info.seen and info.phase_dependent


def test_loop_variable_over_appended_models_is_each_of_them():
    source = TF + (
        "nets = []\nfor _ in range(2):\n    nets.append(tf.keras.Sequential([tf.keras.layers.Dense(1)]))\n"
        "for i, net in enumerate(nets):\n    net(x)  # probe\n"
    )
    info = resolve(source)
    assert info.seen and not info.phase_dependent


def test_loop_variable_over_a_call_result_is_unseen():
    assert resolve(TF + "for net in get_nets():\n    net(x)  # probe\n") == UNSEEN


def test_tf_module_is_seen_and_not_keras():
    source = TF + ("class Linear(tf.Module):\n    def __call__(self, x):\n        return x\n"
                   "m = Linear()\nm(x)  # probe\n")
    info = resolve(source)
    assert info.seen and not info.phase_dependent


def test_variable_attribute_is_no_sublayer():
    source = TF + (
        "class Net(tf.keras.Model):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = tf.keras.layers.Dense(2)\n        self.scale = tf.Variable(1.0)\n"
        "        self.loss_fn = tf.keras.losses.MeanSquaredError()\n"
        "    def call(self, x):\n        return self.fc(x) * self.scale + self.loss_fn(x, x)\n"
        "net = Net()\nnet(x)  # probe\n"
    )
    info = resolve(source)
    assert info.seen and not info.phase_dependent


def test_calls_in_build_make_weights_and_are_no_sublayers():
    source = TF + (
        "class SNDense(tf.keras.layers.Dense):\n    def __init__(self, units, init=None):\n"
        "        super().__init__(units)\n        self.init = init\n"
        "    def build(self, shape):\n        super().build(shape)\n"
        "        self.u = self.add_weight(shape=(1, self.units), initializer=self.init())\n"
        "m = tf.keras.Sequential([SNDense(4), SNDense(1)])\nm(x)  # probe\n"
    )
    info = resolve(source)
    assert info.seen and not info.phase_dependent


def test_custom_layer_of_the_project_adding_updates_is_phase_dependent():
    source = TF + (
        "class Norm(tf.keras.layers.Layer):\n    def call(self, x):\n        self.add_update(x)\n        return x\n"
        "m = tf.keras.Sequential([Norm()])\nm(x)  # probe\n"
    )
    info = resolve(source)
    assert info.phase_dependent and info.owns_updates


def test_layers_appended_to_a_list_on_self_count():
    source = TF + (
        "class Net(tf.keras.Model):\n    def __init__(self):\n        super().__init__()\n        self.blocks = []\n"
        "        for _ in range(2):\n            self.blocks.append(tf.keras.layers.BatchNormalization())\n"
        "    def call(self, x, training=None):\n        for b in self.blocks:\n"
        "            x = b(x, training=training)\n"
        "        return x\nnet = Net()\nnet(x)  # probe\n"
    )
    assert resolve(source).owns_updates


def test_model_stored_on_self_in_one_method_used_in_another():
    source = TF + (
        "class Agent:\n    def __init__(self):\n        self.model = self.build()\n"
        "    def build(self):\n        return tf.keras.Sequential([tf.keras.layers.Dropout(0.1)])\n"
        "    def train(self, x):\n        self.model(x)  # probe\n"
    )
    assert resolve(source).phase_dependent


def test_subclass_without_call_built_functionally():
    source = TF + (
        "class Custom(tf.keras.Model):\n    def train_step(self, data):\n        self(data)  # probe\n"
        "i = tf.keras.Input((2,))\nm = Custom(i, tf.keras.layers.BatchNormalization()(i))\n"
    )
    assert resolve(source).owns_updates


def test_class_with_an_unknown_base_is_unseen():
    source = "import lib\nclass Net(lib.Base):\n    def call(self, x):\n        return x\n" \
             "net = Net()\nnet(x)  # probe\n"
    assert resolve(source) == UNSEEN


def test_keras_kind_knows_models_layers_and_applications():
    assert keras_kind("tensorflow.keras.Sequential") == "sequential"
    assert keras_kind("keras.src.models.Model") == "model"
    assert keras_kind("keras.layers.normalization.batch_normalization.BatchNormalization") == "layer"
    assert keras_kind("keras.applications.resnet50.ResNet50") == "applications"
    assert keras_kind("keras.applications.resnet50.preprocess_input") is None
    assert keras_kind("torch.nn.BatchNorm1d") is None


# -- across the project's modules -------------------------------------------------------


def test_relative_import_of_a_builder_in_the_package():
    info = resolve_file(MODELS / "pkg_relative" / "app" / "train.py")
    assert info.owns_updates and info.origin[0].endswith("nets.py")


def test_star_import_of_a_project_module_and_of_keras_layers_in_it():
    assert resolve_file(MODELS / "pkg_star" / "train.py").phase_dependent


def test_constructor_argument_from_another_module():
    assert resolve_file(MODELS / "deep_rl" / "actor.py").owns_updates


def test_function_handed_to_another_module_as_a_value():
    info = resolve_file(MODELS / "harness_handoff" / "program.py")
    assert info.seen and not info.phase_dependent


def test_without_a_path_other_modules_are_not_read():
    source = (MODELS / "pkg_relative" / "app" / "train.py").read_text(encoding="utf-8")
    assert resolve(source) == UNSEEN


def test_a_network_applied_as_a_layer_makes_the_model_nested():
    info = resolve(TF + "base = tf.keras.applications.ResNet50(include_top=False)\n"
                   "i = tf.keras.Input((32, 32, 3))\n"
                   "m = tf.keras.Model(i, tf.keras.layers.Dense(2)(base(i)))\n"
                   "m(x)  # probe\n")
    assert info.seen and info.owns_updates and info.nested


def test_a_model_built_on_a_base_models_output_is_not_nested():
    info = resolve(TF + "base = tf.keras.applications.ResNet50(include_top=False)\n"
                   "m = tf.keras.Model(base.input, tf.keras.layers.Dense(2)(base.output))\n"
                   "m(x)  # probe\n")
    assert info.seen and info.owns_updates and not info.nested


def test_a_model_picked_from_a_dict_by_a_constant_key_is_that_model():
    source = (TF + "L = tf.keras.layers\n"
              "models = {'gen': tf.keras.Sequential([L.Dense(2)]), 'disc': tf.keras.Sequential([L.Dropout(0.5)])}\n")
    gen = resolve(source + "models['gen'](x)  # probe\n")
    assert gen.seen and not gen.phase_dependent
    disc = resolve(source + "models['disc'](x)  # probe\n")
    assert disc.seen and disc.phase_dependent


def test_layers_joined_with_plus_and_a_constant_slice_are_followed():
    base = TF + "L = tf.keras.layers\nlayers = [L.Dropout(0.5), L.Dense(4), L.Dense(1)]\n"
    joined = resolve(base + "m = tf.keras.Sequential(layers + [L.BatchNormalization()])\nm(x)  # probe\n")
    assert joined.seen and joined.owns_updates
    sliced = resolve(base + "m = tf.keras.Sequential(layers[1:])\nm(x)  # probe\n")
    assert sliced.seen and not sliced.phase_dependent


def test_a_slice_of_appended_layers_is_unseen():
    source = (TF + "L = tf.keras.layers\nlayers = [L.Dense(4)]\nlayers.append(L.Dense(1))\n"
              "m = tf.keras.Sequential(layers[1:])\nm(x)  # probe\n")
    assert not resolve(source).seen


HUB = TF + "import tensorflow_hub as hub\n"


def test_a_frozen_hub_layer_runs_no_layer_in_a_mode_of_its_own():
    frozen = HUB + "m = tf.keras.Sequential([hub.KerasLayer('h'), tf.keras.layers.Dense(1)])\nm(x)  # probe\n"
    info = resolve(frozen)
    assert info.seen and not info.phase_dependent
    info = resolve(frozen.replace("hub.KerasLayer('h')", "hub.KerasLayer('h', trainable=False)"))
    assert info.seen and not info.phase_dependent
    # trainable in its constructor, or made trainable later: what its SavedModel runs is unseen
    assert not resolve(frozen.replace("hub.KerasLayer('h')", "hub.KerasLayer('h', trainable=True)")).seen
    assert not resolve(frozen + "m.layers[0].trainable = True\n").seen


def test_a_dropout_rate_that_is_always_zero_drops_nothing():
    source = TF + ("def block(rate=0.0):\n"
                   "    return tf.keras.Sequential([tf.keras.layers.Dense(2), tf.keras.layers.Dropout(rate)])\n"
                   "m = block()\nm(x)  # probe\n")
    info = resolve(source)
    assert info.seen and not info.phase_dependent
    assert resolve(source.replace("m = block()", "m = block(0.5)")).phase_dependent
    assert resolve(source.replace("m = block()", "m = block(r)")).phase_dependent  # a rate it cannot tell


def test_a_model_whose_call_defaults_training_to_true_trains_by_default_whatever_it_holds():
    source = TF + "import other\n" + (
        "class Net(tf.keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.body = other.Block()\n"
        "    def call(self, x, training=True):\n"
        "        return self.body(x, training=training)\n"
        "m = Net()\nm(x)  # probe\n")
    info = resolve(source)
    assert not info.seen and info.trains_by_default


def test_phase_free_layers_of_tensorflow_addons_are_seen_and_spectral_normalization_is_not():
    source = TF + ("import tensorflow_addons as tfa\n"
                   "m = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3), tfa.layers.InstanceNormalization()])\n"
                   "m(x)  # probe\n")
    info = resolve(source)
    assert info.seen and not info.phase_dependent
    assert not resolve(source.replace("InstanceNormalization()", "SpectralNormalization(c)")).seen

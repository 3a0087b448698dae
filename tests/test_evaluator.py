"""The core's evaluator (core/evaluator.py), asked directly: what an expression stands for, who
calls a function, which argument binds a parameter.  Rule- and Keras-neutral: a plain
:class:`Evaluator` knows no library, so library calls are unseen and project classes,
functions and their instances are what it follows.

Each source marks the expression to evaluate with ``# probe``: the probe is the argument of
the call ``probe(...)`` on that line.
"""
import ast
import sys

import pytest

from flake8_learning_phase.core.evaluator import Evaluator
from flake8_learning_phase.core.module import Unpacking, build, class_attribute_bindings, unpacked
from flake8_learning_phase.core.signatures import can_bind
from flake8_learning_phase.core.values import UNSEEN_VALUE, ClassRef, Frame, FunctionRef, Instance

PRELUDE = "class G: pass\nclass D: pass\nclass E: pass\n"


def evaluate(source):
    """The classes (by name) the probed expression may be an instance of; "unseen" for anything else."""
    source = PRELUDE + source
    model = build(ast.parse(source))
    (record,) = model.scopes[0].calls.get("probe", []) or [
        r for s in model.scopes for r in s.calls.get("probe", [])]
    evaluator = Evaluator(model, None, source)
    frame = Frame(evaluator.root, record.scope, record.seq, record.blocks, ())
    values = evaluator.values_at(record.node.args[0], frame)
    return sorted(v.cls.name if isinstance(v, Instance) else "unseen" if v == UNSEEN_VALUE else type(v).__name__
                  for v in values)


def test_a_name_stands_for_what_its_reaching_assignment_holds():
    assert evaluate("g = G()\nprobe(g)\n") == ["G"]
    assert evaluate("g = G()\nif c:\n    g = D()\nprobe(g)\n") == ["D", "G"]


def test_a_constant_key_picks_the_value_of_a_dict_display():
    assert evaluate('models = {"gen": G(), "disc": D()}\nprobe(models["gen"])\n') == ["G"]


def test_a_key_no_display_holds_is_unseen_and_a_variable_key_any_value():
    assert evaluate('models = {"gen": G()}\nprobe(models["other"])\n') == ["unseen"]
    assert evaluate('models = {"gen": G(), "disc": D()}\nprobe(models[name])\n') == ["D", "G"]


def test_dict_call_values_and_a_dict_kept_on_self():
    assert evaluate("models = dict(gen=G(), disc=D())\nprobe(models[k])\n") == ["D", "G"]
    source = ("class Trainer:\n"
              "    def __init__(self):\n"
              "        self.nets = {'g': G(), 'd': D()}\n"
              "    def step(self):\n"
              "        probe(self.nets['d'])\n")
    assert evaluate(source) == ["D"]


def test_iterating_a_dict_gives_its_keys_and_values_gives_its_values():
    assert evaluate("models = {'g': G()}\nfor m in models:\n    probe(m)\n") == ["unseen"]
    assert evaluate("models = {'g': G(), 'd': D()}\nfor m in models.values():\n    probe(m)\n") == ["D", "G"]


def test_a_constant_index_picks_the_element_of_a_list_display():
    assert evaluate("nets = [G(), D()]\nprobe(nets[1])\n") == ["D"]
    assert evaluate("nets = [G(), D()]\nprobe(nets[-2])\n") == ["G"]
    assert evaluate("nets = [G(), D()]\nnets.append(E())\nprobe(nets[0])\n") == ["D", "E", "G"]


def test_a_dict_filled_key_by_key_gives_the_value_set_under_the_key():
    assert evaluate('nets = {}\nnets["g"] = G()\nnets["d"] = D()\nprobe(nets["g"])\n') == ["G"]
    assert evaluate('nets = {"g": G()}\nnets["d"] = D()\nprobe(nets["d"])\n') == ["D"]
    assert evaluate('nets = {}\nnets["g"] = G()\nnets["d"] = D()\nprobe(nets[name])\n') == ["D", "G"]
    assert evaluate('nets = {}\nnets["g"] = G()\nnets["d"] = D()\nfor m in nets.values():\n    probe(m)\n') \
        == ["D", "G"]
    # a variable key may be any key; iterating a dict gives its keys, not the values set in it
    assert evaluate('nets = {}\nfor k in ks:\n    nets[k] = G()\nprobe(nets["x"])\n') == ["G"]
    assert evaluate('nets = {}\nnets["g"] = G()\nfor m in nets:\n    probe(m)\n') == ["unseen"]
    source = ("class Trainer:\n"
              "    def __init__(self):\n"
              "        self.nets = {}\n"
              "        self.nets['g'] = G()\n"
              "        self.nets['d'] = D()\n"
              "    def step(self):\n"
              "        probe(self.nets['d'])\n")
    assert evaluate(source) == ["D"]


def test_a_key_is_kept_through_parameters_and_returns():
    build = 'def build():\n    nets = {}\n    nets["g"] = G()\n    nets["d"] = D()\n    return nets\n'
    assert evaluate(build + 'def train(nets):\n    probe(nets["d"])\ntrain(build())\n') == ["D"]
    assert evaluate(build + 'probe(build()["g"])\n') == ["G"]
    assert evaluate(build + 'def train(nets):\n    probe(nets[k])\ntrain(build())\n') == ["D", "G"]


def test_an_item_set_by_index_joins_what_the_index_may_hold():
    assert evaluate("nets = [G(), D()]\nnets[0] = E()\nprobe(nets[0])\n") == ["E", "G"]
    assert evaluate("nets = [G(), D()]\nnets[0] = E()\nprobe(nets[1])\n") == ["D"]


def test_items_of_nested_lists_through_subscripts_parameters_and_appends():
    # ``nets[0][1]``, and ``actor, critic = nets[0]`` of a list of pairs
    assert evaluate("nets = [[G(), D()]]\nprobe(nets[0][1])\n") == ["D"]
    assert evaluate("nets = [[G(), D()], [E(), E()]]\na, b = nets[0]\nprobe(b)\n") == ["D"]
    # a list grown by appends: any index is any appended pair
    grown = "nets = []\nfor i in range(3):\n    pair = [G(), D()]\n    nets.append(pair)\n"
    assert evaluate(grown + "a, b = nets[0]\nprobe(b)\n") == ["D"]
    # through a parameter kept on self and a subscript passed on (an algorithm handed its networks)
    classes = ("class Pair:\n    def __init__(self, nets):\n        self.a, self.b = nets\n        probe(self.b)\n"
               "class Algo:\n    def __init__(self, nl):\n        self.nl = nl\n        Pair(self.nl[0])\n")
    assert evaluate(classes + "Algo([[G(), D()]])\n") == ["D"]
    assert evaluate(classes + grown + "Algo(nets)\n") == ["D"]
    # something else on some path: unseen
    assert evaluate(classes + "Algo(load())\n") == ["unseen"]
    assert evaluate("nets = [[G(), D()]]\nnets.extend(more)\na, b = nets[0]\nprobe(b)\n") == ["unseen"]


def test_a_call_reaches_the_returns_its_none_arguments_allow():
    # ``def act(x=None)``: a layer when called without ``x``, the layer applied to ``x`` otherwise
    act = "def act(x=None):\n    if x is None:\n        return G()\n    return D()\n"
    assert evaluate(act + "probe(act())\n") == ["G"]
    assert evaluate(act + "probe(act(None))\n") == ["G"]
    assert evaluate(act + "probe(act(E()))\n") == ["D"]
    assert evaluate(act + "h = E()\nprobe(act(x=h))\n") == ["D"]
    # what the call passes cannot be told: both
    assert evaluate(act + "probe(act(h))\n") == ["D", "G"]
    assert evaluate(act + "probe(act(make()))\n") == ["D", "G"]
    assert evaluate(act + "probe(act(**options))\n") == ["D", "G"]
    # a constant compared with ``==``, also through the caller's parameter (``norm(t, kind)``)
    norm = ('def norm(kind="none"):\n    if kind == "bn":\n        return G()\n    if kind != "none":\n'
            '        return D()\n    return E()\n')
    assert evaluate(norm + "probe(norm())\n") == ["E"]
    assert evaluate(norm + 'probe(norm("bn"))\n') == ["G"]
    assert evaluate(norm + 'probe(norm("inst"))\n') == ["D"]
    assert evaluate(norm + 'def build(kind):\n    probe(norm(kind))\nbuild("inst")\n') == ["D"]
    assert evaluate(norm + 'def build(kind):\n    probe(norm(kind))\nbuild("inst")\nbuild("bn")\n') \
        == ["D", "G"]
    assert evaluate(norm + "probe(norm(1))\n") == ["D"]  # 1 is not "bn", and not "none"
    # ``isinstance(model, str)``: a path is loaded, a model passed is used as it is
    load = "def load(model):\n    if isinstance(model, str):\n        return restore(model)\n    return model\n"
    assert evaluate(load + "probe(load(G()))\n") == ["G"]
    assert evaluate(load + 'probe(load("net.h5"))\n') == ["unseen"]
    assert evaluate(load + "probe(load(path))\n") == ["unseen", "unseen"]  # both returns, neither seen
    # ``is not None``, an ``else`` and a test of something else
    other = ("def pick(x=None, y=None):\n    if x is not None:\n        return D()\n    elif y:\n"
             "        return E()\n    else:\n        return G()\n")
    assert evaluate(other + "probe(pick())\n") == ["E", "G"]
    assert evaluate(other + "probe(pick(G()))\n") == ["D"]


def test_an_attribute_of_none_makes_nothing():
    # ``if rule is None: rule = Rule()``: the parameter's None default reaches ``rule.make(...)``
    # only on a path that raises AttributeError there
    source = ("class Rule:\n    def make(self):\n        return G()\n"
              "def build(rule=None):\n    if rule is None:\n        rule = Rule()\n    probe(rule.make())\n"
              "build()\n")
    assert evaluate(source) == ["G"]
    assert evaluate("def f(x=None):\n    probe(x.net)\nf()\n") == []


def test_a_container_changed_in_a_function_is_the_module_container():
    # ``nets[k] = v`` and ``models.append(m)`` make no local name: the module's container changes
    assert evaluate('nets = {}\ndef setup():\n    nets["g"] = G()\ndef step():\n    probe(nets["g"])\n') == ["G"]
    assert evaluate("models = []\ndef add():\n    models.append(G())\ndef use():\n    for m in models:\n"
                    "        probe(m)\n") == ["G"]
    # a dict filled through a parameter is not followed back to the caller's dict
    assert evaluate('def fill(d):\n    d["g"] = G()\nnets = {}\nfill(nets)\nprobe(nets["g"])\n') == ["unseen"]


def test_lists_joined_with_plus_and_extended_with_plus_equals():
    assert evaluate("base = [G()]\nfor m in base + [D()]:\n    probe(m)\n") == ["D", "G"]
    assert evaluate("nets = [G()]\nnets += [E()]\nfor m in nets:\n    probe(m)\n") == ["E", "G"]


def test_a_constant_slice_of_a_display_keeps_its_elements():
    assert evaluate("nets = [G(), D(), E()]\nfor m in nets[1:]:\n    probe(m)\n") == ["D", "E"]
    assert evaluate("nets = [G(), D()]\nnets.append(E())\nfor m in nets[1:]:\n    probe(m)\n") == ["unseen"]
    assert evaluate("nets = [G(), D()]\nprobe(nets[1:])\n") == ["unseen"]  # a list, not an element


def test_list_of_a_list_and_a_comprehension():
    assert evaluate("nets = list([G(), D()])\nfor m in nets:\n    probe(m)\n") == ["D", "G"]
    assert evaluate("for m in [G() for _ in range(3)]:\n    probe(m)\n") == ["G"]


def test_a_rebound_builtin_is_not_the_builtin():
    assert evaluate("def list(x):\n    return x\nfor m in list([G()]):\n    probe(m)\n") == ["G"]
    assert evaluate("def dict(**kw):\n    return 0\nfor m in dict(a=G()).values():\n    probe(m)\n") == ["unseen"]


def test_parameters_take_what_every_visible_call_passes():
    source = "def train(net):\n    probe(net)\ntrain(G())\ntrain(D())\n"
    assert evaluate(source) == ["D", "G"]


def test_a_parameter_no_call_passes_is_unseen():
    assert evaluate("def train(net):\n    probe(net)\n") == ["unseen"]


def test_a_comprehension_s_variable_is_an_element_of_what_it_iterates_not_the_outer_name():
    assert evaluate("m = E()\nmodels = [G(), D()]\nprobe([m for m in models])\n") == ["unseen"]  # a list
    assert evaluate("m = E()\nmodels = [G(), D()]\nys = [probe(m) for m in models]\n") == ["D", "G"]
    assert evaluate("ys = [[probe(m) for n in b] for m in [G()]]\n") == ["G"]
    assert evaluate("m = E()\nys = [[probe(m) for m in [D()]] for m in [G()]]\n") == ["D"]


def test_literals_are_no_objects():
    assert evaluate("probe(64)\n") == ["Literal"]
    assert evaluate("probe('relu')\n") == ["Literal"]


def test_none_is_no_object_and_either_operand_of_or_may_be_the_value():
    assert evaluate("g = None\nif c:\n    g = G()\nprobe(g)\n") == ["Foreign", "G"]
    assert evaluate("probe(net or G())\n") == ["G", "unseen"]


def test_a_parameter_no_call_passes_but_the_function_replaces_when_none_is_its_fallback():
    fallbacks = [
        "    net = net if net is not None else G\n    probe(net())\n",
        "    net = G if net is None else net\n    probe(net())\n",
        "    probe((net or G)())\n",
        "    if net is None:\n        net = G\n    probe(net())\n",
        "    if not net:\n        net = G\n    probe(net())\n",
    ]
    for body in fallbacks:
        assert evaluate("def train(net=None):\n" + body) == ["Foreign", "G"], body
    source = ("class Agent:\n"
              "    def __init__(self, net=None):\n"
              "        if net is None:\n"
              "            self.net = G()\n"
              "        else:\n"
              "            self.net = net\n"
              "    def step(self):\n"
              "        probe(self.net)\n")
    assert evaluate(source) == ["Foreign", "G"]
    # handed on unchanged through ``**kwargs`` that no visible call fills: the fallback too
    forwarded = ("class Base:\n"
                 "    def __init__(self, net=None, **kw):\n"
                 "        self.net = (net if net is not None else G)()\n"
                 "class Sub(Base):\n"
                 "    def __init__(self, **kwargs):\n"
                 "        super().__init__(**kwargs)\n"
                 "    def step(self):\n"
                 "        probe(self.net)\n")
    assert evaluate(forwarded) == ["Foreign", "G"]
    assert evaluate(forwarded + "Sub(net=D)\n") == ["G", "unseen"]
    # no None default, None rejected, or only None put in its place: what a caller hands in, unseen
    assert evaluate(source.replace("self.net = G()", "self.net = None")) == ["Foreign", "unseen"]
    assert evaluate("def train(net):\n    net = net if net is not None else G\n    probe(net())\n") == [
        "G", "unseen"]
    assert evaluate("def train(net=None):\n    if net is None:\n        raise ValueError\n    probe(net())\n") == [
        "unseen"]

def test_a_library_call_is_unseen_for_a_plain_evaluator():
    assert evaluate("import keras\nm = keras.Sequential([])\nprobe(m)\n") == ["unseen"]


def calls_of(source):
    """``function name -> the calls in the file invoking it``, for the functions of PRELUDE + ``source``."""
    source = PRELUDE + source
    model = build(ast.parse(source))
    evaluator = Evaluator(model, None, source)
    return {s.node.name: evaluator.calls_in_root(s) for s in model.scopes if s.is_function}


def test_invocations_is_one_answer_for_calls_by_name_on_instances_and_handed_on():
    calls = calls_of(
        "def train(net):\n    return net\n"
        "class Loop:\n"
        "    def run(self, net):\n        return net\n"
        "    def go(self):\n        self.run(G())\n"
        "def main(step):\n    step(E())\n"
        "train(G())\n"
        "Loop().run(D())\n"
        "main(train)\n")
    by_name = calls["train"]
    assert sorted(i.call.lineno for i in by_name) == [12, 13]  # step(E()) inside main, and train(G())
    assert not any(i.bound for i in by_name)
    on_instances = calls["run"]
    assert sorted((i.call.lineno, i.bound) for i in on_instances) == [(10, True), (14, True)]


def test_a_class_or_function_kept_in_another_name_or_handed_on_is_still_called():
    calls = calls_of(
        "class Agent:\n"
        "    def __init__(self, net):\n        self.net = net\n"
        "def run(agent_class):\n    return agent_class(G())\n"
        "def train(net):\n    return net\n"
        "def main():\n"
        "    agent_class = Agent\n"
        "    run(agent_class)\n"
        "    step = train\n"
        "    step(D())\n")
    assert [(i.call.lineno, i.bound) for i in calls["__init__"]] == [(8, True)]  # agent_class(G()) in run
    assert [i.call.lineno for i in calls["train"]] == [15]  # step(D())


def test_a_call_through_a_value_that_does_not_fit_the_signature_is_another_class_s():
    calls = calls_of(
        "class QAgent:\n"
        "    def __init__(self, env, network, rate=0.1):\n        self.network = network\n"
        "def run(agent_class, continuous):\n"
        "    if continuous:\n"
        "        return agent_class(env='x', policy_net=G(), value_net=D())\n"
        "    return agent_class('x', network=E())\n"
        "run(agent_class=QAgent, continuous=False)\n")
    # the keyword call would raise TypeError for QAgent: it constructs the other agent classes
    assert [i.call.lineno for i in calls["__init__"]] == [10]


def test_can_bind_tells_a_call_python_would_reject():
    fdef = ast.parse("def f(self, a, b=1, *, c, d=2): pass").body[0]

    def fits(call, bound=True):
        return can_bind(fdef, ast.parse(call).body[0].value, bound)

    assert fits("f(1, c=2)") and fits("f(a=1, b=2, c=3)") and fits("f(*xs)") and fits("f(**kw)")
    assert not fits("f(1)")  # c is required
    assert not fits("f(1, 2, 3, c=1)")  # too many positions
    assert not fits("f(1, c=2, e=3)")  # no such keyword
    assert fits("f(0, 1, c=2)", bound=False)


def test_bind_arguments_binds_positions_and_keywords_and_stops_at_a_star():
    source = "def f(a, b, c=1):\n    pass\nf(1, c=3)\nf(*xs, b=2)\n"
    model = build(ast.parse(source))
    evaluator = Evaluator(model, None, source)
    fdef = model.module.node.body[0]
    calls = [r for r in model.module.calls["f"]]
    frame = Frame(evaluator.root, model.module, sys.maxsize, (), ())
    first = evaluator.bind_arguments(fdef, calls[0].node, frame, False)
    assert sorted(first) == ["a", "c"]
    second = evaluator.bind_arguments(fdef, calls[1].node, frame, False)
    assert sorted(second) == ["b"]
    assert [ast.dump(e) for e, _ in second.unpacked] == [ast.dump(ast.Name("xs", ast.Load()))]


PICKED = (
    "def make(kind='none'):\n"
    "    if kind == 'g':\n"
    "        m = G()\n"
    "    elif kind is None:\n"
    "        m = E()\n"
    "    else:\n"
    "        m = D()\n"
    "    return m\n"
    "def outer(depth, **options):\n"
    "    return make(**options)\n"
)


@pytest.mark.parametrize("call, expected", [
    ("make('g')", ["G"]),
    ("make()", ["D"]),
    ("make(kind=None)", ["E"]),
    ("make(input())", ["D", "E", "G"]),
    # a ``**kwargs`` the builder forwards holds what its own call passes, or nothing
    ("outer(3, kind='g')", ["G"]),
    ("outer(3)", ["D"]),
    ("outer(3, **settings)", ["D", "E", "G"]),
    ("make(*choices)", ["D", "E", "G"]),
])
def test_a_branch_whose_test_of_a_parameter_no_call_passes_binds_nothing(call, expected):
    assert sorted(evaluate(PICKED + "probe({})\n".format(call))) == expected


def test_project_functions_and_classes_are_values_too():
    source = "def build():\n    return G()\nprobe(build())\n"
    assert evaluate(source) == ["G"]
    model = build(ast.parse(PRELUDE + "probe(G)\n"))
    evaluator = Evaluator(model, None, "")
    (record,) = model.module.calls["probe"]
    frame = Frame(evaluator.root, model.module, record.seq, record.blocks, ())
    (value,) = evaluator.values_at(record.node.args[0], frame)
    assert isinstance(value, ClassRef) and value.node.name == "G"
    assert not isinstance(value, FunctionRef)


def test_a_partial_calls_its_function_with_both_sets_of_arguments():
    assert evaluate("import functools\nmake = functools.partial(G)\nprobe(make())\n") == ["G"]
    source = ("from functools import partial\n"
              "def build(kind, scale=1):\n"
              "    return G() if kind == 'g' else D()\n"
              "make = partial(build, scale=2)\n"
              "probe(make('d'))\n")
    assert evaluate(source) == ["D", "G"]
    assert evaluate("import functools\nprobe(functools.partial(G))\n") == ["Partial"]  # the partial, not a G


def test_a_subclass_s_base_constructor_call_passes_the_base_s_parameters():
    base = ("class Base:\n"
            "    def __init__(self, net):\n"
            "        self.net = net\n"
            "    def step(self):\n"
            "        probe(self.net)\n")
    assert evaluate(base) == ["unseen"]
    assert evaluate(base + "class Sub(Base):\n    def __init__(self):\n        super().__init__(G())\n") == ["G"]
    assert evaluate(base + "class Sub(Base):\n    def __init__(self):\n        Base.__init__(self, net=D())\n") == ["D"]
    # ``super()`` in a class whose first base is another: not this base's constructor
    assert evaluate(base + "class Other:\n    def __init__(self, net):\n        pass\n"
                           "class Sub(Other, Base):\n    def __init__(self):\n        super().__init__(G())\n") == [
        "unseen"]


def test_a_branch_its_if_never_takes_binds_nothing():
    builder = ("def build(wide=False):\n"
               "    net = G()\n"
               "    if wide:\n"
               "        net = D()\n"
               "    return net\n")
    assert evaluate(builder + "probe(build())\n") == ["G"]
    assert evaluate(builder + "probe(build(wide=True))\n") == ["D", "G"]  # taken: the earlier one may stay
    assert evaluate(builder + "probe(build(flag))\n") == ["D", "G"]  # a flag it cannot tell
    assert evaluate(builder.replace("if wide:", "if not wide:") + "probe(build(1))\n") == ["G"]


def test_a_call_made_only_where_no_visible_call_reaches_adds_nothing_beside_others():
    trainer = ("class Trainer:\n"
               "    def __init__(self, net):\n"
               "        self.net = net\n"
               "    def step(self):\n"
               "        probe(self.net)\n")
    unbuilt = "class Momentum(Trainer):\n    def __init__(self, net):\n        super().__init__(net)\n"
    dispatcher = "def make(**params):\n    return Trainer(**params)\n"
    assert evaluate(trainer + unbuilt + "Trainer(G())\n") == ["G"]
    assert evaluate(trainer + dispatcher + "Trainer(net=D())\n") == ["D"]
    # with no other call, what reaches the parameter is not known
    assert evaluate(trainer + unbuilt) == ["unseen"]
    assert evaluate(trainer + dispatcher) == ["unseen"]
    # a dispatcher that is called hands on what its callers pass
    assert evaluate(trainer + dispatcher + "Trainer(net=D())\nmake(net=E())\n") == ["D", "unseen"]


def test_an_if_true_body_surely_runs():
    # a notebook cell that starts indented is read as the body of ``if True:``
    assert evaluate("net = G()\nif True:\n    net = D()\nprobe(net)\n") == ["D"]
    assert evaluate("net = G()\nif flag:\n    net = D()\nprobe(net)\n") == ["D", "G"]


def test_calling_a_lambda_gives_what_its_body_stands_for():
    assert evaluate("make = lambda n: G()\nprobe(make(3))\n") == ["G"]
    assert evaluate("pick = lambda net: net\nprobe(pick(D()))\n") == ["D"]
    assert evaluate("apply = lambda f: f()\nprobe(apply(G))\n") == ["unseen"]  # what the argument makes
    assert evaluate("make = lambda n: G()\nprobe(make)\n") == ["LambdaRef"]  # the lambda itself: no object


def test_returns_at_gives_each_return_of_a_project_function_with_the_call_s_arguments_bound():
    source = PRELUDE + ("def pick(a, b):\n    if a:\n        return a\n    return [b]\n"
                        "probe(pick(G(), D()))\nprobe(len([]))\n")
    model = build(ast.parse(source))
    first, second = model.scopes[0].calls["probe"]
    evaluator = Evaluator(model, None, source)
    frame = Frame(evaluator.root, first.scope, first.seq, first.blocks, ())
    returned = evaluator.returns_at(first.node.args[0], frame)
    assert [type(node).__name__ for node, _ in returned] == ["Name", "List"]
    name, where = returned[0]
    assert [v.cls.name for v in evaluator.values_at(name, where)] == ["G"]  # ``a`` is the call's G()
    # a builtin is no project function: nothing is returned
    assert evaluator.returns_at(second.node.args[0], Frame(evaluator.root, second.scope, second.seq,
                                                           second.blocks, ())) == []


def _asked(source):
    """The evaluator and the frame of the ``probe(...)`` call of ``source`` (after PRELUDE)."""
    source = PRELUDE + source
    model = build(ast.parse(source))
    (record,) = [r for s in model.scopes for r in s.calls.get("probe", [])]
    evaluator = Evaluator(model, None, source)
    return evaluator, record, Frame(evaluator.root, record.scope, record.seq, record.blocks, ())


def test_assigned_at_gives_what_the_class_of_an_instance_assigns_to_the_attribute():
    source = ("class Base:\n    def __init__(self, unit):\n        self.net = unit\n"
              "class Net(Base):\n    def __init__(self):\n        self.opt = G()\n        Base.__init__(self, D())\n"
              "def fit(net):\n    probe(net.opt, net.net, net.fit, net.missing)\nfit(Net())\n")
    evaluator, record, frame = _asked(source)
    opt, net, method, missing = record.node.args
    ((value, where),) = evaluator.assigned_at(opt, frame)
    assert [v.cls.name for v in evaluator.values_at(value, where)] == ["G"]
    ((value, where),) = evaluator.assigned_at(net, frame)  # assigned in a base's method
    assert isinstance(value, ast.Name) and value.id == "unit"
    assert evaluator.assigned_at(method, frame) == [] and evaluator.assigned_at(missing, frame) == []


def test_dispatched_looks_a_self_method_up_from_the_classes_whose_instances_are_made():
    base = ("class Base:\n    def run(self):\n        probe(self.build())\n    def build(self):\n        return G()\n"
            "class Mid(Base):\n    def build(self):\n        return D()\n"
            "class Leaf(Mid):\n    pass\n")

    def built(made):
        evaluator, record, _ = _asked(base + made)
        # each method found, by the class its ``return`` makes
        return sorted(ref.node.body[0].value.func.id
                      for ref in evaluator.dispatched(record.scope.cls.node, evaluator.root, "build"))

    assert built("") == ["G"]  # no instance made: the class's own method
    assert built("Leaf()\n") == ["D"]  # Leaf inherits Mid's override
    assert built("Base()\nMid()\n") == ["D", "G"]


def test_unpacking_a_name_bound_to_a_call_gives_the_element_of_each_return():
    def elements(source):
        model = build(ast.parse(source))
        (binding,) = [b for s in model.scopes for b in s.bindings.get("first", ()) if isinstance(b, Unpacking)]
        return [element.id for element, _, _, _ in unpacked(binding)]

    pair = "def pair(x):\n    if x:\n        return a, b\n    return c, d\n"
    assert elements(pair + "first, second = pair(1)\n") == ["a", "c"]
    assert elements(pair + "held = pair(1)\nfirst, second = held\n") == ["a", "c"]
    # a name bound twice, or to no call of a function here: not followed
    assert elements(pair + "held = pair(1)\nif z:\n    held = other()\nfirst, second = held\n") == []
    assert elements(pair + "held = (1, 2)\nfirst, second = held\n") == []


def test_a_self_attribute_is_bound_by_the_class_its_subclasses_and_else_its_bases():
    source = (
        "class Base:\n"
        "    def run(self):\n"
        "        return self.op, self.size\n"
        "class Sub(Base):\n"
        "    def __init__(self):\n"
        "        self.op = 1\n"
        "    def grow(self):\n"
        "        return self.size\n"
        "class Other:\n"
        "    def __init__(self):\n"
        "        self.op = 2\n"
        "Base.size = 0\n"
    )
    model = build(ast.parse(source))
    infos = {info.node.name: info for info in model.classes.values()}
    assert [b.value.n if hasattr(b.value, "n") else b.value.value
            for b in class_attribute_bindings(model, infos["Base"], "op")] == [1]
    assert class_attribute_bindings(model, infos["Sub"], "size") == []
    assert len(class_attribute_bindings(model, infos["Sub"], "op")) == 1


def test_arithmetic_makes_no_instance_and_a_repeated_list_display_is_not_arithmetic():
    assert evaluate("n = 3\nprobe((n + 4) * 2)\n") == ["Foreign"]
    assert evaluate("probe([G()] * 2)\n") == ["unseen"]

"""LP400, all of it: its fixtures (tests/fixtures, by ``# expect: LP400``), its examples and their
fixes (the rule's page shows the same); the family's own cases are in tests/test_lp4xx.py."""
from conftest import FIXTURES, read
from contract import RuleTests, pytest_generate_tests  # noqa: F401 (gives RuleTests its cases)
from flake8_learning_phase import check_source


class TestLP400(RuleTests):
    code = "LP400"


def test_the_phase_is_not_fed_alone_when_the_keras_updates_cannot_be_grouped():
    source = read(FIXTURES / "lp4xx" / "keras_inline_batchnorm_phase_held_back.py")
    (finding,) = check_source(source, codes=["LP400"])
    assert finding.edits == () and "LP401" in finding.manual
    grouped = source.replace("hidden = BatchNormalization()(tf.layers.dense(inputs, 32, tf.nn.relu))",
                             "dense = tf.layers.dense(inputs, 32, tf.nn.relu)\nnorm = BatchNormalization()\n"
                             "hidden = norm(dense)")
    assert grouped != source
    (fixable,) = check_source(grouped, codes=["LP400"])
    assert fixable.edits

"""TF 1.x graph training: train ops run by a session or an Estimator (LP400, LP401, LP410, LP411).

:mod:`.graph` finds the trainings once per module (:mod:`.heads`: v2 Estimator
heads), :mod:`.tables` knows the tf.layers / contrib / slim layers,
:mod:`.syntax` answers the small questions of the file's text,
:mod:`.updates` those of the UPDATE_OPS collection and :mod:`.trained` which
variables a train op's ``var_list`` trains; one module per rule.
"""
from flake8_learning_phase.rules.tf1_graph import lp400, lp401, lp410, lp411

RULES = (lp400.RULE, lp401.RULE, lp410.RULE, lp411.RULE)

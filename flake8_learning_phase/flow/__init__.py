"""Value flow the rule families share: what an expression is made of (:mod:`.terms`), what a
value is computed from (:mod:`.dataflow`), which arguments calls pass (:mod:`.calls`), and what a
collection is assembled from across the project's functions (:mod:`.parts`).

Above the Keras knowledge (terms know the backend's learning-phase calls), below every family:
a family asks these questions and never imports another family.
"""

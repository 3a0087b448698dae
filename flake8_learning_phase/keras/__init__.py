"""Keras and TensorFlow knowledge, apart from the rule-neutral core and from any rule family.

- :mod:`.backend`: which expressions name the Keras backend (``K.function``,
  ``K.learning_phase()``), resolved from the imports;
- :mod:`.names`: the Keras import roots, the layer tables (which layers depend on the phase)
  and what kind of Keras callable a qualified name is;
- :mod:`.graph_layers`: the TF 1.x functional layers (tf.layers / contrib / slim batch norm and
  dropout): their training flag, its default, and where their update ops go;
- :mod:`.models`: where a model is built and what it runs (:func:`~.models.resolve_model`,
  :class:`~.models.ModelInfo`), asked the same way by every family.
"""

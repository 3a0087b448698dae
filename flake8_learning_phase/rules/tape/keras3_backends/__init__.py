"""Keras 3 on JAX and PyTorch (issue 21): the step finders and LP301.

``jax_steps`` finds functions differentiated by ``jax.grad`` /
``jax.value_and_grad`` that run ``model.stateless_call``; ``torch_steps``
finds model calls in torch-backend loops and ``train_step`` overrides
(``loss.backward()``).  LP300 judges their model calls; LP301 (``lp301``)
looks at what a JAX step does with the returned non-trainable state.
"""

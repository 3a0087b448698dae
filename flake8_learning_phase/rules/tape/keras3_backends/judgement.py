"""Whether a model's training flag matters: what LP300 and LP301 say about a resolved model."""
from typing import Optional

from flake8_learning_phase.keras.models import ModelInfo
from flake8_learning_phase.keras.backend import UNSEEN_MODEL


# Said where the message is longer (``model.stateless_call(...)``): messages stay within the
# 114 characters after the code that sarif-tools shows whole.
SHORT_UNSEEN = "matters with BatchNorm or Dropout"


def advice(info: ModelInfo, short: bool = False) -> Optional[str]:
    """Why a missing ``training=True`` matters for this model, or None when it does not.

    Models seen completely without phase-dependent layers (Dense only) train like ``fit``
    without the flag, and so do models whose own ``call`` defaults ``training`` to True.
    """
    if info.trains_by_default or info.seen and not info.phase_dependent:
        return None
    if not info.seen:
        return SHORT_UNSEEN if short else UNSEEN_MODEL
    if info.owns_updates:
        return "its BatchNorm runs in inference mode" if short else "its BatchNormalization runs in inference mode"
    return "its Dropout runs in inference mode" if short else "its Dropout or noise layers run in inference mode"

"""Whether a model's training flag matters: what LP300 and LP301 say about a resolved model."""
from typing import Optional

from flake8_learning_phase.core.models import ModelInfo
from flake8_learning_phase.rules._keras import UNSEEN_MODEL


def advice(info: ModelInfo) -> Optional[str]:
    """Why a missing ``training=True`` matters for this model, or None when it does not.

    Models seen completely without phase-dependent layers (Dense only) train like ``fit``
    without the flag, and so do models whose own ``call`` defaults ``training`` to True.
    """
    if info.seen and (not info.phase_dependent or info.trains_by_default):
        return None
    if not info.seen:
        return UNSEEN_MODEL
    if info.owns_updates:
        return "its BatchNormalization runs in inference mode"
    return "its Dropout or noise layers run in inference mode"

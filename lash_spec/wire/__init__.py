"""The wire: serde_json's bytes for every model value (see :mod:`lash_spec.wire.codec`).

``ENCODER`` says which path writes text: ``"compiled"`` (the C writer built at
install, :mod:`lash_spec.wire.plan`) or ``"pure"`` (no compiler at install,
``LASH_SPEC_NO_COMPILE=1`` at install, or ``LASH_SPEC_PURE=1`` now). Both
write the same bytes; ``ENCODER_REASON`` says why this one was chosen.
"""

from lash_spec.wire.plan import ENCODER, ENCODER_REASON

__all__ = ["ENCODER", "ENCODER_REASON"]

"""The wire: serde_json's bytes for every model value (see :mod:`lash_spec.wire.codec`).

``ENCODER`` says which path writes text: ``"compiled"`` (the C writer built at
install, :mod:`lash_spec.wire.plan`) or ``"pure"`` (no compiler at install,
``LASH_SPEC_NO_COMPILE=1`` at install, or ``LASH_SPEC_PURE=1`` now). Both
write the same bytes; ``ENCODER_REASON`` says why this one was chosen.
``DECODER``/``DECODER_REASON`` say the same of reading text (``from_json``:
the C reader, :mod:`lash_spec.wire.readplan`, or the pure path); both give
the same values and the same errors.
"""

from lash_spec.wire.plan import ENCODER, ENCODER_REASON
from lash_spec.wire.readplan import DECODER, DECODER_REASON

__all__ = ["DECODER", "DECODER_REASON", "ENCODER", "ENCODER_REASON"]

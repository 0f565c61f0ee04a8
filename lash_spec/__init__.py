"""lash_spec — the executable reference specification of lash's wire contracts.

The public surface: stable identity (:func:`stable_json`, :func:`stable_hash`),
the one codec (:func:`to_wire`, :func:`from_wire`, :func:`to_json`,
:func:`from_json`), its errors, and conformance (:func:`check_case`). Model
types live in :mod:`lash_spec.model`, one module per seed concept.
"""

from lash_spec.wire.codec import from_json, from_wire, stable_hash, stable_json, to_json, to_wire
from lash_spec.wire.errors import LashError, WireError

__all__ = [
    "LashError",
    "WireError",
    "check_case",
    "from_json",
    "from_wire",
    "stable_hash",
    "stable_json",
    "to_json",
    "to_wire",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # check_case pulls in every model module; import it on first use.
    if name == "check_case":
        from lash_spec.conformance import check_case

        return check_case
    raise AttributeError(name)

"""Ops of stable identity: ``stable_json`` and ``stable_hash`` of any JSON value.

The argument is a ``serde_json::Value`` (so objects come out key-sorted: a
``Value`` holds no HashMap, and these two ops always have one answer). They
are still marked ``order_dependent``, as every op that writes a value's text.
"""

from __future__ import annotations

from lash_spec.conformance.ops import Op
from lash_spec.wire.codec import stable_hash, stable_json
from lash_spec.wire.types import Value

OPS = [
    Op(
        name="stable_json",
        args=(Value,),
        fn=stable_json,
        result=str,
        seed="000",
        concept="stable_identity",
        doc="serde_json::to_string of a Value: compact, keys sorted, serde's escapes and floats",
        order_dependent=True,
    ),
    Op(
        name="stable_hash",
        args=(Value,),
        fn=stable_hash,
        result=str,
        seed="000",
        concept="stable_identity",
        doc="lowercase hex SHA-256 of stable_json",
        order_dependent=True,
    ),
]

"""Mutant: ``decode_text`` parsed with a reader that keeps the last repeated key.

Like JavaScript's ``JSON.parse`` or Python's ``json.loads``: the text is read
into a plain value first (duplicates, depth and surrogates already lost),
then decoded.
"""

from __future__ import annotations

from typing import Any

from _mutant import serve_mutant

from lash_spec.conformance.ops import registry
from lash_spec.wire.codec import from_wire, to_wire
from lash_spec.wire.errors import WireError
from lash_spec.wire.reader import loads


def mutate(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    op = registry().get(request.get("op", ""))
    if op is None or not op.name.startswith("decode_text:"):
        return reply
    try:
        return {"ok": to_wire(from_wire(op.result, loads(request["args"][0])), op.result)}
    except (WireError, RecursionError) as err:
        return {"err": {"code": "decode", "message": str(err)}}


serve_mutant(mutate)

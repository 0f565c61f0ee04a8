"""The reference adapter writing every HashMap in its *last* enumerated order.

Not a mutant: upstream may write a HashMap's entries in any order, so an
implementation that never writes them sorted must still pass every case
(``ok_any``). tests/test_hashmap_orders.py runs the corpus through it.
"""

from __future__ import annotations

import sys
from typing import Any

from lash_spec.harness.adapter import ReferenceAdapter, serve


class LastOrder(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = self.ops.get(request.get("op", "")) if request.get("cmd") == "call" else None
        if op is None or not op.order_dependent:
            return super().handle(request)
        try:
            return {"ok": op.results(op.decode_args(request["args"]))[-1]}
        except Exception:  # errors and refusals: as the reference answers them
            return super().handle(request)


sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer, LastOrder()))

"""Mutant: ``machine.restore`` drops the checkpoint's pending effects."""

from __future__ import annotations

from typing import Any

from _mutant import Mutant, serve_adapter


class RestoreDropsPending(Mutant):
    def _machine_restore(self, request: dict[str, Any]) -> dict[str, Any]:
        checkpoint = request.get("checkpoint")
        if isinstance(checkpoint, dict):
            request = {**request, "checkpoint": {**checkpoint, "pending_effects": []}}
        return super()._machine_restore(request)


serve_adapter(RestoreDropsPending())

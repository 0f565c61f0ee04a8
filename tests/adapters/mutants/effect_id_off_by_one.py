"""Mutant: the turn machine reports every effect id one too high."""

from __future__ import annotations

from typing import Any

from _mutant import Mutant, serve_adapter


class EffectIdOffByOne(Mutant):
    def _machine_poll(self, request: dict[str, Any]) -> dict[str, Any]:
        reply = super()._machine_poll(request)
        effect = reply.get("ok")
        if isinstance(effect, dict) and len(effect) == 1:
            ((tag, fields),) = effect.items()
            if isinstance(fields, dict) and isinstance(fields.get("id"), int):
                reply = {"ok": {tag: {**fields, "id": fields["id"] + 1}}}
        return reply


serve_adapter(EffectIdOffByOne())

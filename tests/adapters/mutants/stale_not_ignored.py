"""Mutant: a response under a stale id is taken as the answer to the outstanding effect."""

from __future__ import annotations

from typing import Any

from _mutant import Mutant, serve_adapter

from lash_spec.turn_machine.states import outstanding_effect_id


class StaleNotIgnored(Mutant):
    def _machine_respond(self, request: dict[str, Any]) -> dict[str, Any]:
        active = outstanding_effect_id(self._machine(request).state)
        response = request.get("response")
        if active is not None and isinstance(response, dict) and len(response) == 1:
            ((tag, fields),) = response.items()
            if isinstance(fields, dict):
                request = {**request, "response": {tag: {**fields, "id": active}}}
        return super()._machine_respond(request)


serve_adapter(StaleNotIgnored())

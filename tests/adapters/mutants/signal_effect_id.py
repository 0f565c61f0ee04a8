"""Mutant: the effect id of a process *signal* command lacks its ``signal.`` prefix."""

from __future__ import annotations

from typing import Any

from _mutant import serve_mutant


def mutate(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    ok = reply.get("ok")
    if request["op"] == "ProcessCommand::effect_id" and isinstance(ok, str):
        return {"ok": ok.replace(":signal.", ":", 1)}
    return reply


serve_mutant(mutate)

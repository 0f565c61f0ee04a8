"""Mutant: every refusal is reported with the code ``decode`` (the wrong stable code)."""

from __future__ import annotations

from typing import Any

from _mutant import serve_mutant


def mutate(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    if "err" in reply:
        return {"err": {"code": "decode", "message": "mutant"}}
    return reply


serve_mutant(mutate)

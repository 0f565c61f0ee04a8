"""Mutant: every non-zero ``turn_index`` in a result is one too high."""

from __future__ import annotations

from typing import Any

from _mutant import serve_mutant, walk


def bump(obj: dict[str, Any]) -> None:
    value = obj.get("turn_index")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        obj["turn_index"] = value + 1


def mutate(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    if "ok" in reply:
        walk(reply["ok"], bump)
    return reply


serve_mutant(mutate)

"""Mutant: ``RuntimeScope.turn_index`` (skipped when ``None``) is written as ``null``."""

from __future__ import annotations

from typing import Any

from _mutant import serve_mutant, walk


def add_null(obj: dict[str, Any]) -> None:
    if "session_id" in obj and "turn_index" not in obj:
        obj["turn_index"] = None


def mutate(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    if "ok" in reply:
        walk(reply["ok"], add_null)
    return reply


serve_mutant(mutate)

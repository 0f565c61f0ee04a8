"""Mutant: ``stable_hash`` hashes Python's ``json.dumps`` text, not serde_json's."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from _mutant import serve_mutant


def mutate(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    if request["op"] == "stable_hash" and "ok" in reply:
        text = json.dumps(request["args"][0], sort_keys=True, separators=(",", ":"))
        return {"ok": hashlib.sha256(text.encode()).hexdigest()}
    return reply


serve_mutant(mutate)

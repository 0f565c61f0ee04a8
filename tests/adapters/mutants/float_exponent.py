"""Mutant: ``stable_json`` writes ``1e16`` where serde_json writes ``1e+16``."""

from __future__ import annotations

import re
from typing import Any

from _mutant import serve_mutant


def mutate(request: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
    if request["op"] == "stable_json" and isinstance(reply.get("ok"), str):
        return {"ok": re.sub(r"(\d)e\+", r"\1e", reply["ok"])}
    return reply


serve_mutant(mutate)

"""A minimal, well-behaved adapter (stable_json, stable_hash) for the hostile ones to bend.

Each hostile script in this folder calls :func:`serve` with a hook that
misbehaves on the *trigger* case (``args == ["hostile!"]``) or always.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import IO, Any

from lash_spec.wire.text import canonical_value, sha256_hex, write_json

TRIGGER = "hostile!"
HELLO = {
    "name": "hostile-test-adapter",
    "version": "0",
    "language": "python",
    "protocol": "lash-spec-adapter/1",
    "ops": ["stable_json", "stable_hash"],
}

Hook = Callable[[dict[str, Any], IO[bytes]], bool]


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """The correct reply (without seq)."""
    if request["cmd"] == "start":
        return {"ok": HELLO}
    if request["cmd"] == "call" and request["op"] in HELLO["ops"]:
        text = write_json(canonical_value(request["args"][0]))
        return {"ok": text if request["op"] == "stable_json" else sha256_hex(text)}
    return {"skipped": {"reason": "not implemented"}}


def is_trigger(request: dict[str, Any]) -> bool:
    return request.get("cmd") == "call" and request.get("args") == [TRIGGER]


def reply(out: IO[bytes], doc: dict[str, Any]) -> None:
    out.write(json.dumps(doc).encode() + b"\n")
    out.flush()


def serve(hook: Hook | None = None) -> None:
    """Answer requests until EOF; ``hook`` may answer (or not) instead (returns True)."""
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        if hook is not None and hook(request, out):
            continue
        reply(out, {"seq": request["seq"], **answer(request)})

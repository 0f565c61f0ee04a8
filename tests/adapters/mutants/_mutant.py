"""The reference adapter with one deliberate bug: the base of every mutant here.

A mutant script calls :func:`serve_mutant` with a function that rewrites
the model's correct reply (without ``seq``) to a call, or serves a
:class:`Mutant` subclass that overrides one turn-machine handler;
``lash-spec fuzz`` must find the difference (tests/test_fuzz.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from lash_spec.harness.adapter import ReferenceAdapter, serve

Mutation = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


class Mutant(ReferenceAdapter):
    """The reference adapter; subclasses override one request handler."""

    def __init__(self, mutate: Mutation | None = None) -> None:
        super().__init__()
        self.mutate = mutate or (lambda request, reply: reply)

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        reply = super().handle(request)
        if request.get("cmd") == "call":
            reply = self.mutate(request, reply)
        return reply


def walk(value: Any, fn: Callable[[dict[str, Any]], None]) -> Any:
    """Apply ``fn`` to every JSON object inside ``value`` (in place); returns ``value``."""
    if isinstance(value, dict):
        fn(value)
        for item in value.values():
            walk(item, fn)
    elif isinstance(value, list):
        for item in value:
            walk(item, fn)
    return value


def serve_adapter(adapter: ReferenceAdapter) -> None:
    sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer, adapter))


def serve_mutant(mutate: Mutation) -> None:
    """Serve the reference adapter with ``mutate`` applied to every call reply."""
    serve_adapter(Mutant(mutate))

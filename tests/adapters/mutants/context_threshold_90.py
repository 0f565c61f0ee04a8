"""Mutant: an empty ``output_limit`` answer counts as a context overflow from 90% of
the window (the rule says 95%)."""

from __future__ import annotations

from typing import Any

from _mutant import Mutant, serve_adapter

from lash_spec.turn_machine import machine

_right = machine.refine_terminal_reason_for_context_window


def at_90(response: Any, max_context_tokens: int | None) -> Any:
    if max_context_tokens:
        prompt = response.usage.input_tokens + response.usage.cached_input_tokens
        if prompt >= max_context_tokens * 90 // 100:
            return _right(response, 1)  # a window of 1: any prompt fills it
    return _right(response, max_context_tokens)


machine.refine_terminal_reason_for_context_window = at_90  # type: ignore[assignment]
serve_adapter(Mutant())

"""State-machine generators for the two stateful body kinds.

A *plan* is plain data drawn by Hypothesis: a starting configuration and a
list of host moves. :attr:`StatefulGenerator.play` runs a plan through the
reference model and returns the recorded case body (docs/case-bodies.md),
expectations included. Because plans are data, Hypothesis shrinks them
(fewer moves, simpler choices) and a replayed plan always gives the same body.

One set of generators serves three users: the Hypothesis state-machine tests
(whose rules make the same moves, with invariants checked after each), the
corpus (``lash-spec fill`` draws plans derandomized), and ``lash-spec fuzz``
(plans drawn freely, bodies sent to an adapter). Hypothesis is a test-extra
dependency: these modules import it, the model never does.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Final

import attrs

__all__ = ["KINDS", "StatefulGenerator", "generator"]

_MODULES: Final = {"turn_trace": "turn_machine", "run_admission": "run_admission"}
KINDS: Final = tuple(_MODULES)
"""The stateful body kinds (``harness.protocol.STATEFUL_KINDS``), one generator each."""


@attrs.frozen
class StatefulGenerator:
    """How to draw plans of one body kind and turn a plan into a case body."""

    kind: str
    plans: Callable[[], Any]  # () -> SearchStrategy[plan]
    play: Callable[[Any], dict[str, Any]]  # plan -> recorded body


def generator(kind: str) -> StatefulGenerator:
    """The generator of ``kind`` (one of :data:`KINDS`): its module's ``plans``/``play``."""
    if kind not in _MODULES:
        raise ValueError(f"no generator for body kind {kind!r}; known: {', '.join(KINDS)}")
    module = importlib.import_module(f"lash_spec.generators.{_MODULES[kind]}")
    return StatefulGenerator(kind, module.plans, module.play)

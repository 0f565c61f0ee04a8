"""Seed 002 turn I/O ops: builders, run accessors, defaults — generated arguments.

Decoding of the seed-002 types is covered by the ``decode`` scenarios.
"""

from __future__ import annotations

from collections.abc import Iterable

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import op_cases, unique


def _hand() -> Iterable[CaseSpec]:
    op = "LiveTurnInputs::durable_effect_rejection"
    yield CaseSpec(
        "live_inputs/durable/empty-accepted",
        "no live plugin input: a durable host accepts the turn",
        call(op, [[]], expect=None),
    )
    yield CaseSpec(
        "live_inputs/durable/any-input-refused",
        "any live plugin input makes a durable host refuse the turn",
        call(op, [["plugin.a"]], expect_err="durable_effect_live_plugin_input"),
    )


def _cases() -> Iterable[CaseSpec]:
    from lash_spec.conformance.ops import registry

    yield from _hand()
    for name, op in sorted(registry().items()):
        if op.seed == "002":
            yield from op_cases(name, 12 if op.args else 1)


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="002-turn-io",
        seed="002",
        concept="turn_io",
        description=(
            "TurnInput builders, AgentFrameRun accessors, TerminationPolicy::default and friends"
        ),
        cases=unique(list(_cases())),
    )

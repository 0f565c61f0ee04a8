"""Seed 002 turn I/O ops: builders, run accessors, defaults — generated arguments.

Decoding of the seed-002 types is covered by the ``decode`` scenarios.
"""

from __future__ import annotations

from collections.abc import Iterable

from lash_spec.conformance.corpus import CaseSpec, FileSpec
from lash_spec.conformance.scenarios._gen import op_cases, unique


def _cases() -> Iterable[CaseSpec]:
    from lash_spec.conformance.ops import registry

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

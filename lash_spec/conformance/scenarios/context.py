"""Seed 001 execution-context rules — generated arguments for every op.

The hand-derived bodies of these rules live in tests/test_context.py; here
the model fills in results for generated inputs.
"""

from __future__ import annotations

from collections.abc import Iterable

from lash_spec.conformance.corpus import CaseSpec, FileSpec
from lash_spec.conformance.scenarios._gen import op_cases, unique


def _cases() -> Iterable[CaseSpec]:
    from lash_spec.conformance.ops import registry

    for name, op in sorted(registry().items()):
        if op.seed == "001":
            yield from op_cases(name, 15 if op.args else 1)


def files() -> Iterable[FileSpec]:
    yield FileSpec(
        name="001-execution-context",
        seed="001",
        concept="execution_context",
        description=(
            "session scopes, execution scope ids, trigger defaults, env-ref capture,"
            " signal replay keys, sleep/await/signal outcome checks"
        ),
        cases=unique(list(_cases())),
    )

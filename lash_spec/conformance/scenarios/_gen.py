"""Deterministic example drawing for generated cases.

Hypothesis is used with ``derandomize=True`` and no database, so the same
code and the same (pinned) Hypothesis version give the same examples. It is
a test-time dependency; ``lash-spec fill`` tells the user to install it.

One more input must be held still: Hypothesis (6.170) mixes into generation
the literal constants it finds in every *local* module loaded — which
includes this editable package, and the test modules when pytest runs. Left
alone, adding a string literal anywhere in lash_spec, or importing one more
module first, would change unrelated generated cases. :func:`draw` turns
that source off (a private hook; the Hypothesis version is pinned).
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, body_hash

__all__ = ["draw", "gen_case", "hashes_in_every_order"]


def draw(strategy: Any, n: int) -> list[Any]:
    """Up to ``n`` distinct examples of ``strategy``, in a fixed order."""
    from hypothesis import HealthCheck, Phase, given, settings

    out: list[Any] = []

    @settings(
        derandomize=True,
        max_examples=n,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)

    from unittest import mock

    from hypothesis.internal.cache import LRUCache
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    def no_local_constants() -> Constants:
        return Constants()

    # A fresh constants cache too: pools cached by an earlier, unpatched draw
    # in this process (another test's @given) would otherwise leak in.
    fresh_cache: Any = LRUCache(1024)
    with (
        mock.patch.object(providers, "_get_local_constants", no_local_constants),
        mock.patch.object(providers, "CONSTANTS_CACHE", fresh_cache),
    ):
        collect()
    return out


def gen_case(prefix: str, description: str, body: dict[str, Any]) -> CaseSpec:
    """A generated case; its id is derived from its content (never reused)."""
    return CaseSpec(f"{prefix}/gen-{body_hash(body)[:12]}", description, body)


def unique(cases: list[CaseSpec]) -> tuple[CaseSpec, ...]:
    """Drop repeated ids (equal bodies drawn twice), keeping the first."""
    seen: set[str] = set()
    out = []
    for case in cases:
        if case.id not in seen:
            seen.add(case.id)
            out.append(case)
    return tuple(out)


def serde_reads_exactly(value: Any) -> bool:
    """Whether serde_json (no ``float_roundtrip``) parses every float in
    ``value`` back to the same f64.

    Its best-effort decimal conversion is off by one ulp for some literals
    (about one random double in ten); a case holding such a float would test
    the *reader* of the implementation under test, not the rule, so
    generated cases avoid them.
    """
    from lash_spec.wire.reader import serde_number

    if isinstance(value, float):
        try:
            return serde_number(repr(value)) == value
        except OverflowError:
            return False
    if isinstance(value, dict):
        return all(serde_reads_exactly(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(serde_reads_exactly(v) for v in value)
    return True


def op_cases(op_name: str, n: int, description: str = "generated arguments") -> list[CaseSpec]:
    """Generated call cases for one op: arguments drawn from their types' strategies."""
    from hypothesis import strategies as st

    from lash_spec.conformance.corpus import call
    from lash_spec.conformance.ops import registry
    from lash_spec.eras import era_of_seed
    from lash_spec.strategies import strategy_for
    from lash_spec.wire.codec import to_wire, wire_era

    op = registry()[op_name]
    cases = []
    with wire_era(era_of_seed(op.seed)):  # era-split arguments in the seed's forms
        drawn = draw(st.tuples(*(strategy_for(t) for t in op.args)), n)
    for values in drawn:
        args = [to_wire(v, t) for v, t in zip(values, op.args, strict=True)]
        if serde_reads_exactly(args):
            cases.append(gen_case(op_name.replace("::", "/"), description, call(op_name, args)))
    return cases


def hashes_in_every_order(template: str, *maps: list[str]) -> list[str]:
    """Hand-derived ``ok_any`` hashes: SHA-256 of ``template`` with each ``<MAP>``
    filled by one HashMap's entry texts (given sorted, written by hand), joined in
    every order; combinations run over the maps in the order they are written,
    the sorted one first (the corpus's ``ok_any`` order)."""
    out = []
    for combo in itertools.product(*(itertools.permutations(entries) for entries in maps)):
        text = template
        for order in combo:
            text = text.replace("<MAP>", ",".join(order), 1)
        out.append(hashlib.sha256(text.encode()).hexdigest())
    return out

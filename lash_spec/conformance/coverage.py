"""What a set of cases covers: seed concepts, ops and error codes.

Built from the op registry (every op, the codes each can produce), the run
registry's own codes (seed 004: the ladder's rungs, an unknown run) and the
cases actually run, so ``lash-spec verify`` can say which ops and codes have
no case at all — the gaps a corpus author should fill. A code counts when a
call case expects it, or a run-admission scenario's build or step does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import attrs

from lash_spec.conformance.ops import registry

__all__ = ["KIND_CONCEPTS", "Coverage", "concept_of"]

KIND_CONCEPTS: dict[str, tuple[str, str]] = {
    "turn_trace": ("003", "turn_machine"),
    "run_admission": ("004", "run_admission"),
}
"""The stateful body kinds (``harness.protocol.STATEFUL_KINDS``): their seed and concept."""


def concept_of(body: Any) -> tuple[str, str] | None:
    """``(seed, concept)`` of a case body, from its op or its body kind."""
    if not isinstance(body, Mapping):
        return None
    name = body.get("call")
    if isinstance(name, str):
        op = registry().get(name)
        return None if op is None else (op.seed, op.concept)
    if "steps" in body and "config" in body:
        return KIND_CONCEPTS["turn_trace"]
    if body.get("scenario") == "run_admission":
        return KIND_CONCEPTS["run_admission"]
    return None


@attrs.define
class Coverage:
    """Counts per concept, per op (and per op, of cases it answers ``ok``) and per
    expected error code."""

    concepts: dict[str, Counter[str]] = attrs.field(factory=dict)
    ops: Counter[str] = attrs.field(factory=Counter)
    accepted: Counter[str] = attrs.field(factory=Counter)
    codes: Counter[str] = attrs.field(factory=Counter)

    def add(self, body: Any, status: str) -> None:
        where = concept_of(body)
        key = "unknown" if where is None else f"{where[0]} {where[1]}"
        self.concepts.setdefault(key, Counter())[status] += 1
        if not isinstance(body, Mapping):
            return
        if isinstance(body.get("call"), str):
            self.ops[body["call"]] += 1
            if "ok" in body or "ok_any" in body:
                self.accepted[body["call"]] += 1
            self._count(body)
        elif where == KIND_CONCEPTS["run_admission"]:
            self._count(body.get("build"))
            steps = body.get("steps")
            for step in steps if isinstance(steps, list) else ():
                self._count(step)

    def _count(self, answer: Any) -> None:
        """Count the code of an ``{"err": {"code": CODE}}`` answer."""
        err = answer.get("err") if isinstance(answer, Mapping) else None
        if isinstance(err, Mapping) and isinstance(err.get("code"), str):
            self.codes[err["code"]] += 1

    def missing_ops(self) -> list[str]:
        """Registered ops that no case calls."""
        return sorted(name for name in registry() if name not in self.ops)

    def unaccepted_ops(self) -> list[str]:
        """Registered ops that some case calls but none expects to succeed: only their
        refusals are checked."""
        return sorted(name for name in registry() if self.ops[name] and not self.accepted[name])

    def missing_codes(self) -> list[str]:
        """Error codes some op (or the run registry) can produce that no case expects."""
        from lash_spec.model.runs import registry_codes

        declared = {code for op in registry().values() for code in op.errors}
        declared |= registry_codes()
        return sorted(code for code in declared if code not in self.codes)

    def wire_types(self) -> dict[str, list[str]]:
        """For ``decode`` and ``decode_text``: the wire types no case decodes that way."""
        from lash_spec.conformance.ops import wire_types

        return {
            family: sorted(t for t in wire_types() if f"{family}:{t}" not in self.ops)
            for family in ("decode", "decode_text")
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "by_concept": {k: dict(v) for k, v in sorted(self.concepts.items())},
            "wire_types_without_case": self.wire_types(),
            "by_error_code": dict(sorted(self.codes.items())),
            "ops_without_case": self.missing_ops(),
            "ops_without_ok_case": self.unaccepted_ops(),
            "codes_without_case": self.missing_codes(),
        }

    def lines(self) -> list[str]:
        """A short human-readable summary."""
        out = ["coverage by seed concept:"]
        for key, counts in sorted(self.concepts.items()):
            total = sum(counts.values())
            out.append(f"  {key:<28} {total:>6} cases ({counts['passed']} passed)")
        from lash_spec.conformance.ops import wire_types

        total = len(wire_types())
        for family, missing in self.wire_types().items():
            out.append(f"  wire types with a {family} case: {total - len(missing)} of {total}")
            out.extend(f"    no {family} case: {name}" for name in missing)
        out.append(f"error codes expected by cases: {len(self.codes)}")
        for code, n in sorted(self.codes.items()):
            out.append(f"  {code:<52} {n:>5}")
        missing_ops, missing_codes = self.missing_ops(), self.missing_codes()
        out.append(f"ops without a case: {len(missing_ops)}")
        out.extend(f"  {name}" for name in missing_ops)
        unaccepted = self.unaccepted_ops()
        out.append(f"ops whose cases all expect an error: {len(unaccepted)}")
        out.extend(f"  {name}" for name in unaccepted)
        out.append(f"error codes without a case: {len(missing_codes)}")
        out.extend(f"  {code}" for code in missing_codes)
        return out

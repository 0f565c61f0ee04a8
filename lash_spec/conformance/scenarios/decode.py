"""``decode:TYPE`` cases: what serde accepts for each wire type, and how it re-serializes.

For every wire type: a few generated values in canonical form, then
mutations of one of them that probe the decoder's rules — an unknown key,
each top-level key removed, each top-level value given a wrong JSON type, an
unknown tag, the array form of a struct, and wrong root types. The model
decides each outcome; the recorded upstream examples (tests/fixtures) are the
independent check that those decisions are serde's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lash_spec.conformance.corpus import CaseSpec, FileSpec, call
from lash_spec.conformance.scenarios._gen import draw, gen_case, serde_reads_exactly, unique
from lash_spec.wire.codec import EnumShape, StructShape, shape_of, to_wire, wire_era

_WRONG: dict[type, Any] = {
    str: 7,
    int: "7",
    float: "1.5",
    bool: 0,
    dict: [],
    list: {},
    type(None): "x",
}
_ROOTS: list[Any] = [None, "x", 7, True, []]


def _mutations(wire: Any) -> Iterator[tuple[str, Any]]:
    for root in _ROOTS:
        if type(root) is not type(wire):
            yield f"root-{type(root).__name__}", root
    if not isinstance(wire, dict):
        return
    yield "unknown-key", {**wire, "x_unknown_extra": {"a": 1}}
    for key in list(wire)[:6]:
        yield f"missing-{key}", {k: v for k, v in wire.items() if k != key}
        wrong = _WRONG.get(type(wire[key]))
        yield f"wrong-type-{key}", {**wire, key: wrong}
    first = next(iter(wire))
    if isinstance(wire[first], str):
        yield f"unknown-tag-{first}", {**wire, first: "no_such_variant"}
    yield "array-form", list(wire.values())


def _type_cases(
    rust_name: str, tp: Any, n: int, era: str | None = None, prefix: str = "decode"
) -> Iterable[CaseSpec]:
    from lash_spec.strategies import strategy_for

    op = f"decode:{rust_name}"
    with wire_era(era):
        values = [to_wire(v, tp) for v in draw(strategy_for(tp), n)]
    values = [v for v in values if serde_reads_exactly(v)]
    for wire in values:
        yield gen_case(
            f"{prefix}/{rust_name}/valid", f"a canonical {rust_name}", call(op, [wire], era=era)
        )
    if not values:
        return
    sample = max(values, key=lambda v: len(v) if isinstance(v, dict | list) else 0)
    for name, mutated in _mutations(sample):
        yield gen_case(
            f"{prefix}/{rust_name}/{name}",
            f"{rust_name}: {name.replace('-', ' ')}",
            call(op, [mutated], era=era),
        )


def era_split_cases(era: str) -> Iterable[CaseSpec]:
    """Generated ``decode:`` cases for every type whose form at ``era``
    differs from the default era's (or exists only there), read at ``era``."""
    from lash_spec.conformance.ops import wire_types

    default = wire_types()
    for rust_name, tp in sorted(wire_types(era).items()):
        if default.get(rust_name) is not tp:
            n = 4 if _structured(tp) else 2
            yield from _type_cases(rust_name, tp, n, era, prefix=f"decode@{era}")


def _structured(tp: Any) -> bool:
    shape = shape_of(tp)
    return isinstance(shape, StructShape | EnumShape)


def files() -> Iterable[FileSpec]:
    from lash_spec.conformance.ops import wire_type_at, wire_types
    from lash_spec.eras import DEFAULT_ERA, era_of_seed

    by_seed: dict[str, list[CaseSpec]] = {}
    for rust_name, tp in sorted(wire_types().items()):
        module = getattr(tp, "__module__", "") or ""
        seed = "002" if module.endswith(("turn_io", "snapshot")) else "000"
        if module.endswith(("sansio", "session", "plugin")):
            seed = "003"
        era = era_of_seed(seed)  # each seed's types are read at its era
        at_era = wire_type_at(rust_name, era)
        cases = by_seed.setdefault(seed, [])
        if at_era is not None:
            cases.extend(_type_cases(rust_name, at_era, 4 if _structured(at_era) else 2, era))
        if at_era is not tp:  # the default era's form too (e.g. a 74941d21 ToolManifest)
            n = 4 if _structured(tp) else 2
            cases.extend(_type_cases(rust_name, tp, n, DEFAULT_ERA, f"decode@{DEFAULT_ERA}"))
    for seed, cases in sorted(by_seed.items()):
        yield FileSpec(
            name=f"{seed}-decode",
            seed=seed,
            concept="codec",
            description=(
                "decode:TYPE — serde's acceptance and canonical re-serialization"
                f" for the wire types of seed {seed}"
            ),
            cases=unique(cases),
        )

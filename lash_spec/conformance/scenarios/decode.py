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
from lash_spec.conformance.scenarios.decode_text import text_cases
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


_INTEGERS: list[tuple[str, Any]] = [
    ("negative", -1),
    ("float", 7.5),
    ("integral-float", 7.0),
    ("u32-max-plus-1", 2**32),
    ("i64-min", -(2**63)),
    ("u64-max", 2**64 - 1),
    ("2^64", float(2**64)),
    ("bool", True),
]


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _mutations(wire: Any) -> Iterator[tuple[str, Any]]:
    for root in _ROOTS:
        if type(root) is not type(wire):
            yield f"root-{type(root).__name__}", root
    if isinstance(wire, str):
        # a unit variant's name: unknown and respelled names, the map forms
        yield "unknown-variant", wire + "_unknown"
        yield "pascal-case-variant", _pascal(wire)
        yield "upper-case-variant", wire.upper()
        yield "empty-variant", ""
        yield "map-form", {wire: None}
        yield "map-form-payload", {wire: 1}
        yield "map-form-two-keys", {wire: None, "x": None}
        yield "root-empty-map", {}
        yield "root-array-of-name", [wire]
        yield "root-float", 1.5
    if not isinstance(wire, dict):
        return
    for key, value in wire.items():
        if type(value) is int:
            for name, number in _INTEGERS:
                yield f"integer-{name}-{key}", {**wire, key: number}
    yield "unknown-key", {**wire, "x_unknown_extra": {"a": 1}}
    for key in list(wire)[:6]:
        yield f"missing-{key}", {k: v for k, v in wire.items() if k != key}
        wrong = _WRONG.get(type(wire[key]))
        yield f"wrong-type-{key}", {**wire, key: wrong}
    first = next(iter(wire))
    if isinstance(wire[first], str):
        yield f"unknown-tag-{first}", {**wire, first: "no_such_variant"}
    yield "array-form", list(wire.values())


def _values(tp: Any, n: int, era: str | None) -> list[Any]:
    from lash_spec.strategies import strategy_for

    with wire_era(era):
        values = [to_wire(v, tp) for v in draw(strategy_for(tp), n)]
    return [v for v in values if serde_reads_exactly(v)]


def _sample(values: list[Any]) -> Any:
    return max(values, key=lambda v: len(v) if isinstance(v, dict | list) else 0)


def _type_cases(
    rust_name: str, tp: Any, values: list[Any], era: str | None = None, prefix: str = "decode"
) -> Iterable[CaseSpec]:
    op = f"decode:{rust_name}"
    for wire in values:
        yield gen_case(
            f"{prefix}/{rust_name}/valid", f"a canonical {rust_name}", call(op, [wire], era=era)
        )
    if not values:
        return
    for name, mutated in _mutations(_sample(values)):
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
            values = _values(tp, 4 if _structured(tp) else 2, era)
            yield from _type_cases(rust_name, tp, values, era, prefix=f"decode@{era}")
            if values:
                yield from text_cases(
                    rust_name, tp, _sample(values), era, prefix=f"decode_text@{era}"
                )


def _structured(tp: Any) -> bool:
    shape = shape_of(tp)
    return isinstance(shape, StructShape | EnumShape)


def files() -> Iterable[FileSpec]:
    from lash_spec.conformance.ops import wire_type_at, wire_types
    from lash_spec.eras import DEFAULT_ERA, era_of_seed

    by_seed: dict[str, list[CaseSpec]] = {}
    text_by_seed: dict[str, list[CaseSpec]] = {}
    for rust_name, tp in sorted(wire_types().items()):
        module = getattr(tp, "__module__", "") or ""
        seed = "002" if module.endswith(("turn_io", "snapshot")) else "000"
        if module.endswith(("sansio", "session", "plugin")):
            seed = "003"
        era = era_of_seed(seed)  # each seed's types are read at its era
        at_era = wire_type_at(rust_name, era)
        cases = by_seed.setdefault(seed, [])
        if at_era is not None:
            values = _values(at_era, 4 if _structured(at_era) else 2, era)
            cases.extend(_type_cases(rust_name, at_era, values, era))
            if values:
                text_by_seed.setdefault(seed, []).extend(
                    text_cases(rust_name, at_era, _sample(values), era)
                )
        if at_era is not tp:  # the default era's form too (e.g. a 74941d21 ToolManifest)
            values = _values(tp, 4 if _structured(tp) else 2, DEFAULT_ERA)
            cases.extend(_type_cases(rust_name, tp, values, DEFAULT_ERA, f"decode@{DEFAULT_ERA}"))
            if values:
                text_by_seed.setdefault(seed, []).extend(
                    text_cases(
                        rust_name, tp, _sample(values), DEFAULT_ERA, f"decode_text@{DEFAULT_ERA}"
                    )
                )
    kinds = (
        ("decode", by_seed, "decode:TYPE — serde's acceptance and canonical re-serialization"),
        (
            "decode-text",
            text_by_seed,
            "decode_text:TYPE — serde_json::from_str on raw text (duplicate keys, depth,"
            " numbers, whitespace, surrogates)",
        ),
    )
    for stem, grouped, what in kinds:
        for seed, cases in sorted(grouped.items()):
            yield FileSpec(
                name=f"{seed}-{stem}",
                seed=seed,
                concept="codec",
                description=f"{what} for the wire types of seed {seed}",
                cases=unique(cases),
            )

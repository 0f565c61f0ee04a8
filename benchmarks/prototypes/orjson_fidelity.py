"""Does orjson write serde_json's bytes? ``python benchmarks/prototypes/orjson_fidelity.py``.

Checks ``orjson.dumps`` against the pure path (``lash_spec.wire.codec.pure_json``)
on: every argument and result of every call case in ``conformance/`` (their
wire values, and again with each float given as ``orjson.Fragment(float_text(x))``),
every control character, ``"``, ``\\``, ``/``, DEL, U+2028/2029, astral
characters, lone surrogates, generated strings (Hypothesis), integers at and
past the u64/i64 edges, and random doubles. Prints what differs.
The findings are in docs/dev/performance.md.
"""

from __future__ import annotations

import json
import math
import random
import struct
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def fragments(value: Any) -> Any:
    import orjson

    from lash_spec.wire.text import float_text

    t = type(value)
    if t is float:
        return orjson.Fragment(float_text(value))
    if t is dict:
        return {k: fragments(v) for k, v in value.items()}
    if t is list:
        return [fragments(v) for v in value]
    return value


def main() -> int:
    import orjson
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from lash_spec.conformance.ops import registry
    from lash_spec.wire.codec import pure_json, to_wire
    from lash_spec.wire.text import float_text

    report: dict[str, Any] = {"orjson": orjson.__version__}

    def orj(value: Any) -> bytes | str:
        try:
            return bytes(orjson.dumps(value))
        except TypeError as err:
            return f"refused: {err}"

    # 1. The corpus.
    ops, values = registry(), []
    for path in sorted((ROOT / "conformance").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data.get("cases", []) if isinstance(data, dict) else []:
            body = case.get("body", case)
            if "call" in body and "ok" in body:
                values += ops[body["call"]].typed_values(body["args"])
    plain_diff = frag_diff = 0
    for value, tp in values:
        want = pure_json(value, tp).encode()
        wire = to_wire(value, tp)
        plain_diff += orj(wire) != want
        frag_diff += orj(fragments(wire)) != want
    report["corpus_values"] = len(values)
    report["corpus_differ_plain"] = plain_diff
    report["corpus_differ_with_float_fragments"] = frag_diff

    # 2. Strings, one character at a time and generated.
    def pure_str(s: str) -> bytes | str:
        try:
            return pure_json(s).encode()
        except UnicodeEncodeError as err:
            return f"refused: {err.reason}"

    chars = [chr(c) for c in range(0x80)] + ["\u2028", "\u2029", "\ufeff", "\U0001f980", "é"]
    report["chars_differ"] = [hex(ord(c)) for c in chars if orj(c) != pure_str(c)]
    report["lone_surrogate"] = {"orjson": orj("\ud800"), "pure stable_hash": pure_str("\ud800")}
    bad: list[str] = []

    @settings(max_examples=3000, derandomize=True, database=None)
    @given(st.text(st.characters(codec="utf-8")))
    def strings(s: str) -> None:
        if orj(s) != pure_str(s):
            bad.append(s)

    strings()
    report["generated_strings_differ"] = len(bad)

    # 3. Integers and floats.
    ints = [2**64 - 1, -(2**63), 2**64, -(2**63) - 1]
    report["ints"] = {str(n): str(orj(n)) for n in ints}
    rng = random.Random(1)
    doubles = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
               for _ in range(200_000)]
    doubles = [d for d in doubles if math.isfinite(d)] + [1e15, 1e16, 1e-5, 1e-6, 5e-324, -0.0]
    report["doubles"] = len(doubles)
    report["doubles_differ_plain"] = sum(orj(d) != float_text(d).encode() for d in doubles)
    report["doubles_differ_as_fragment"] = sum(
        orj(orjson.Fragment(float_text(d))) != float_text(d).encode() for d in doubles
    )
    report["nan"] = str(orj(math.nan))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

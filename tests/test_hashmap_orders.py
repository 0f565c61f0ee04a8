"""HashMap orders: every text Rust may write, and ``ok_any`` cases built from them.

``PromptLayer.slots`` and ``TurnInput.image_blobs`` are Rust ``HashMap``s, so
upstream writes their entries in a per-process random order. The expected
texts here are built *independently* of the codec: the serde text of each
value is written by hand (or taken from the plain ``json`` module, for values
without floats), and its map entries are permuted with ``itertools`` — never
with :func:`lash_spec.wire.codec.all_orders`, which is what is under test.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lash_spec.conformance.check import check_case
from lash_spec.conformance.ops import registry
from lash_spec.conformance.scenarios.envelope import session_turn_start
from lash_spec.harness.drivers import judge_call
from lash_spec.harness.protocol import Reply
from lash_spec.model.context import ProcessExecutionEnvSpec
from lash_spec.model.envelope import RuntimeEffectEnvelope
from lash_spec.model.snapshot import PromptSlot
from lash_spec.model.turn_io import TurnInput
from lash_spec.wire.codec import MAX_ORDERS, all_orders, all_texts, from_wire, to_json
from lash_spec.wire.errors import OrderLimitError

SLOTS = [slot.value for slot in PromptSlot]  # the six slot names
CORPUS = Path(__file__).resolve().parent.parent / "conformance"

# The all-default spec with prompt slots, as serde writes it (by hand).
SPEC_TEXT = (
    '{"plugin_options":{},"policy":{"model":{"id":"","limits":{"context_window_tokens":1}},'
    '"provider_id":"","session_id":null,"autonomous":false,"max_turns":null,'
    '"prompt":{"slots":<MAP>}}}'
)


def _write(value: Any) -> str:
    """A tiny independent writer: compact JSON, keys in the order given.

    Exact for serde_json on values without floats (all values here).
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _orders(entries: dict[str, Any]) -> list[str]:
    """The map's text in every order of its entries (sorted entries first)."""
    items = sorted(entries.items())
    return [_write(dict(order)) for order in itertools.permutations(items)]


def _spec(slots: Sequence[str]) -> dict[str, Any]:
    return {"policy": {"prompt": {"slots": {slot: {"reset": True} for slot in slots}}}}


def _spec_texts(slots: Sequence[str]) -> list[str]:
    layers = {slot: {"reset": True} for slot in slots}
    return [SPEC_TEXT.replace("<MAP>", text) for text in _orders(layers)]


def _ref(text: str) -> str:
    return "process-env:sha256:" + hashlib.sha256(text.encode()).hexdigest()


# -- enumeration -------------------------------------------------------------


@given(st.lists(st.sampled_from(SLOTS), unique=True, min_size=1, max_size=6))
def test_every_order_of_the_slots_is_enumerated(slots: list[str]) -> None:
    spec = from_wire(ProcessExecutionEnvSpec, _spec(slots))
    texts = all_texts(spec)
    expected = _spec_texts(slots)
    assert len(texts) == math.factorial(len(slots)) == len(set(texts))
    assert set(texts) == set(expected)
    assert texts[0] == expected[0] == to_json(spec)  # the sorted order first


@given(st.dictionaries(st.text("ab", min_size=1, max_size=3), st.binary(max_size=2), max_size=4))
def test_every_order_of_the_image_blobs_is_enumerated(blobs: dict[str, bytes]) -> None:
    turn_input = TurnInput(items=(), image_blobs=blobs)
    as_ints = {k: list(v) for k, v in blobs.items()}
    expected = [f'{{"items":[],"image_blobs":{text}}}' for text in _orders(as_ints)]
    texts = all_texts(turn_input)
    assert len(texts) == math.factorial(len(blobs))
    assert set(texts) == set(expected)


@pytest.mark.parametrize(("n_blobs", "n_slots"), [(2, 2), (3, 2), (2, 3), (1, 4), (0, 3)])
def test_orders_multiply_across_maps(n_blobs: int, n_slots: int) -> None:
    blobs = {f"b{i}": [i] for i in range(n_blobs)}
    envelope = from_wire(RuntimeEffectEnvelope, session_turn_start(blobs, SLOTS[:n_slots]))
    texts = all_texts(envelope)
    assert len(texts) == len(set(texts)) == math.factorial(n_blobs) * math.factorial(n_slots)
    # Independently: permute the two maps inside the canonical text.
    canonical = json.loads(texts[0])
    registration = canonical["command"]["command"]["registration"]["input"]
    slot_orders = _orders(registration["create_request"]["policy"]["prompt"]["slots"])
    blob_orders = _orders(registration["turn_input"]["image_blobs"])
    expected = set()
    for slot_text, blob_text in itertools.product(slot_orders, blob_orders):
        text = (
            texts[0]
            .replace('"slots":' + slot_orders[0], '"slots":' + slot_text, 1)
            .replace('"image_blobs":' + blob_orders[0], '"image_blobs":' + blob_text, 1)
        )
        expected.add(text)
    assert set(texts) == expected


def test_a_map_written_twice_keeps_one_order() -> None:
    """One Rust HashMap iterates the same way each time it is written."""
    spec = from_wire(ProcessExecutionEnvSpec, _spec(SLOTS[:3]))
    twice = all_orders(lambda: (to_json(spec), to_json(spec)))
    assert len(twice) == 6
    assert all(a == b for a, b in twice)


def test_sorted_writing_stays_the_default() -> None:
    spec = from_wire(ProcessExecutionEnvSpec, _spec(["intro", "guidance"]))
    sorted_text = _spec_texts(["intro", "guidance"])[0]
    assert to_json(spec) == sorted_text
    all_texts(spec)
    assert to_json(spec) == sorted_text  # the enumeration leaves no order behind


def test_the_bound() -> None:
    six = from_wire(ProcessExecutionEnvSpec, _spec(SLOTS))
    assert len(all_texts(six)) == MAX_ORDERS == 720
    with pytest.raises(OrderLimitError) as info:
        all_texts(six, limit=719)
    assert (info.value.orders, info.value.limit) == (720, 719)
    both = from_wire(RuntimeEffectEnvelope, session_turn_start({"a": [1], "b": [2]}, SLOTS))
    with pytest.raises(OrderLimitError, match="1440 orders"):
        all_texts(both)


# -- ok_any in check_case and in the harness ---------------------------------

STABLE_REF = "ProcessExecutionEnvSpec::stable_ref"


def _body(slots: Sequence[str], **outcome: Any) -> dict[str, Any]:
    return {"call": STABLE_REF, "args": [_spec(slots)], **outcome}


@pytest.mark.parametrize("n", [2, 3, 4])
def test_every_permutation_is_accepted_and_nothing_else(n: int) -> None:
    slots = SLOTS[:n]
    refs = [_ref(text) for text in _spec_texts(slots)]
    body = _body(slots, ok_any=refs)
    assert check_case(body).passed, check_case(body).detail
    assert check_case(_body(slots, ok_any=list(reversed(refs)))).passed  # order is free
    for ref in refs:  # an adapter answering any one order passes
        assert judge_call(body, STABLE_REF, Reply("ok", ref)).status == "passed"
    # Anything else is refused: a sub-map, a repeated entry, the Value's form.
    layers = {slot: {"reset": True} for slot in slots}
    first = sorted(slots)[0]
    wrong = [
        _ref(SPEC_TEXT.replace("<MAP>", _write({k: layers[k] for k in sorted(slots)[1:]}))),
        _ref(
            SPEC_TEXT.replace("<MAP>", _orders(layers)[0][:-1] + f',"{first}":{{"reset":true}}}}')
        ),
        _ref(SPEC_TEXT.replace("<MAP>", _write(layers)).replace('"reset":true', '"reset":false')),
        refs[0].upper(),
    ]
    for bad in wrong:
        verdict = judge_call(body, STABLE_REF, Reply("ok", bad))
        assert verdict.status == "failed"
        assert f"none of the {math.factorial(n)} values in ok_any" in verdict.detail


def test_an_ok_any_list_must_be_exactly_every_result() -> None:
    slots = SLOTS[:3]
    refs = [_ref(text) for text in _spec_texts(slots)]
    missing = check_case(_body(slots, ok_any=refs[:-1]))
    assert missing.status == "failed" and "lacks 1 of the 6 results" in missing.detail
    extra = check_case(_body(slots, ok_any=[*refs, "process-env:sha256:0"]))
    assert extra.status == "failed" and "ok_any[6] is no result" in extra.detail
    single = check_case(_body(slots, ok=refs[0]))
    assert single.status == "failed" and "depends on HashMap order" in single.detail
    assert check_case(_body(slots, ok_any=[])).status == "failed"
    both = check_case(_body(slots, ok=refs[0], ok_any=refs))
    assert both.status == "failed" and "malformed" in both.detail


def test_one_entry_or_an_inherited_ref_is_plain_ok() -> None:
    (ref,) = [_ref(text) for text in _spec_texts(["intro"])]
    assert check_case(_body(["intro"], ok=ref)).passed
    assert check_case(_body(["intro"], ok_any=[ref])).passed
    captured = "RuntimeExecutionContext::captured_process_execution_env_ref"
    assert check_case({"call": captured, "args": [_spec(SLOTS[:3]), "env-1"], "ok": "env-1"}).passed


def test_the_order_dependent_ops_are_all_there_are() -> None:
    """Every corpus call case of an op *not* marked order_dependent has one
    result whichever order its HashMaps are written in."""
    from lash_spec.conformance.ops import op_at
    from lash_spec.wire.codec import wire_era
    from lash_spec.wire.text import canonical_value, write_json

    ops = registry()
    seen_multi = set()
    for path in sorted(CORPUS.glob("*.json")):
        if path.name == "index.json":
            continue
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            body = case["body"]
            if ops.get(body.get("call", "")) is None or "err" in body:
                continue
            era = case["eras"][0]  # run where the case holds, in that era's forms
            op = op_at(body["call"], era)
            assert op is not None, case["id"]
            decoded = op.decode_args(body["args"], era)
            # Beyond MAX_ORDERS (a generated value with many map entries): every
            # order is still enumerated here, where only the test pays for it.
            with wire_era(era):
                results = all_orders(
                    lambda op=op, d=decoded: op.encode_result(op.fn(*d)), limit=10_000
                )
            distinct = {write_json(canonical_value(r)) for r in results}
            if len(distinct) > 1:
                assert op.order_dependent, case["id"]
                assert "ok_any" in body and len(body["ok_any"]) == len(distinct), case["id"]
                seen_multi.add(op.name)
            else:
                assert "ok" in body, case["id"]
    assert seen_multi == {
        STABLE_REF,
        "RuntimeExecutionContext::captured_process_execution_env_ref",
        "RuntimeExecutionContext::attach_captured_process_execution_env",
        "RuntimeEffectEnvelope::stable_hash",
    }


def test_ok_any_in_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    from lash_spec.conformance.schema import all_schemas

    docs = all_schemas()
    resources = [(d["$id"], referencing.Resource.from_contents(d)) for d in docs.values()]
    validator = jsonschema.Draft202012Validator(
        docs["call-case.schema.json"], registry=referencing.Registry().with_resources(resources)
    )
    refs = [_ref(text) for text in _spec_texts(SLOTS[:2])]
    assert validator.is_valid(_body(SLOTS[:2], ok_any=refs))
    assert not validator.is_valid(_body(SLOTS[:2], ok_any=[1]))  # items are the result type
    assert not validator.is_valid(_body(SLOTS[:2], ok_any=[]))
    # Only ops whose result may depend on HashMap order may use it.
    assert not validator.is_valid({"call": "RuntimeScope::new", "args": ["s"], "ok_any": [{}]})


def test_an_implementation_writing_another_order_passes_the_corpus() -> None:
    """Through the harness: an adapter answering with the last order, never the
    sorted one, passes every case of the files holding ``ok_any`` cases."""
    import sys

    from lash_spec.harness.cases import collect
    from lash_spec.harness.runner import RunOptions, run_adapter

    files = [CORPUS / "000-envelope.json", CORPUS / "001-execution-context.json"]
    cases = collect(files)
    adapter = [sys.executable, str(Path(__file__).parent / "adapters" / "hashmap_last_order.py")]
    result = run_adapter(adapter, cases, RunOptions(start_timeout=60))
    assert {o.status for o in result.outcomes} == {"passed"}
    with_any = [c for c in cases if "ok_any" in c.body]
    assert len(with_any) >= 10


def test_explain_and_the_reference_say_it() -> None:
    from lash_spec.docsgen import explain

    text = explain("stable_ref", CORPUS)
    assert text is not None and text.startswith("op ProcessExecutionEnvSpec::stable_ref")
    assert "HashMap order" in text and "ok_any" in text
    assert "stable_ref/prompt-2-slots" in text
    plain = explain("RuntimeScope::new", CORPUS)
    assert plain is not None and "HashMap order" not in plain
    reference = (CORPUS.parent / "docs" / "reference" / "wire-types.md").read_text()
    rows = [ln for ln in reference.splitlines() if ln.startswith("|")]
    unordered = [ln for ln in rows if "**unordered**" in ln]
    assert [ln.split("|")[1].strip() for ln in unordered] == ["`slots`", "`image_blobs`"]


def test_fuzzing_an_implementation_writing_another_order_finds_nothing() -> None:
    """``lash-spec fuzz`` fills in ``ok_any`` as ``fill`` does: generated specs
    with several prompt slots are answered in a non-sorted order and pass."""
    import sys

    from lash_spec.harness.fuzz import FuzzOptions, fuzz
    from lash_spec.harness.runner import RunOptions

    adapter = [sys.executable, str(Path(__file__).parent / "adapters" / "hashmap_last_order.py")]
    options = FuzzOptions(max_examples=40, derandomize=True, run=RunOptions(start_timeout=60))
    ops = [STABLE_REF, "RuntimeExecutionContext::attach_captured_process_execution_env"]
    result = fuzz(adapter, ops, options)
    assert result.exit_status == 0, [(o.op, o.status, o.reason) for o in result.ops]
    assert result.examples >= 60

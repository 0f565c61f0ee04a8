"""Benchmarks: ``python benchmarks/run.py`` (needs ``pip install -e '.[bench]'``).

stable_hash throughput on envelopes (3 realistic synthetic ones and the 30
recorded from the Rust crate in tests/fixtures/recorded), on both encode paths
(the compiled writer and the pure-Python reference, docs/dev/performance.md),
each reported as a time ratio against ``orjson.dumps`` + ``hashlib.sha256``
over the same data (the envelopes' wire dicts) in the same run. orjson is
only a yardstick: lash_spec does not depend on it. Target: compiled <= 2.0x.
Timings are CPU time of this process, best of many batches, so a machine
shared with other jobs distorts them less.

The turn-machine and harness benches run once per codec path, compiled (writer and
reader) or pure (``--paths``).

``from_json`` (``--no-from-json`` skips it): serde-faithful text reading of
the same envelopes' serde text on both decode paths (the compiled reader,
and ``lash_spec.wire.reader.read_text`` + the shapes), each reported as a
ratio against ``orjson.loads`` of the same text, next to ``json.loads``.
Target: compiled <= 3.0x.

``--harness [PATH]``: cases per second through the reference stdio adapter
(``lash-spec adapter``) on the full corpus (``conformance/``, generated into a
temporary folder when absent), with and without the adapter's start-up,
next to the in-process ``verify`` rate. Target: >= 3,000 cases/s.
``--no-stable-hash`` skips the first benchmark (and the need for orjson).

``--fuzz``: ``lash-spec fuzz`` throughput against the reference adapter over
the default op mix (every op, ``--fuzz-examples`` cases each, fixed seed), in
one run with ``--fuzz-jobs`` workers (default: every core) and batches in
flight, next to one case at a time in one process on the same ops; and the
ceiling set by generation alone (sampling the inputs, or Hypothesis drawing a
stateful kind's plans, and the model filling in the expectations, no adapter,
per op as the fuzzer makes them), as CPU time per case. Each fuzz run also reports the CPU
time it took in every process (parent, workers, adapters) as cases per CPU
second, which a shared machine distorts far less than cases/s.
``--fuzz-modes`` picks among ``serial``, ``batched`` and ``generation``.
Target (issue 17): >= 1,500 cases/s on 2 cores.

Turn machine (run by default, ~25 s; ``--no-turn-machine`` skips it):
``trace_replay`` records tool-round traces from the model (LLM → tool call →
tool result → … → final answer) and times their replay through
``turn_machine.trace.check_body`` in steps/s, with and without a
checkpoint + JSON restore after every step. ``growing`` traces append both
messages of every round to the history (each LLM request, progress effect
and checkpoint carries the whole history, so a step costs O(history) and a
trace O(rounds²)); ``flat`` traces keep the history at one message, which
isolates the machine's own per-step cost. ``checkpoint_scaling`` times
``checkpoint()``, its serde JSON text and the restore from that text
(``parse_checkpoint`` + ``restore_from_checkpoint``) for histories of 10 to
10^4 messages, with the log-log slope over the sizes >= 100 (1 = linear).
Objects alive before a timing (the trace body, the machine) are frozen out of
the cyclic GC while it runs (``gc.freeze``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT.parent / "shared" / "reference" / "examples"


def realistic_envelopes() -> list[Any]:
    """Envelopes as a runtime builds them: LLM calls with history, tool calls, processes."""
    from lash_spec import from_wire
    from lash_spec.model.envelope import RuntimeEffectEnvelope

    def message(i: int) -> dict[str, Any]:
        role = ["User", "Assistant"][i % 2]
        return {
            "role": role,
            "blocks": [
                {"Text": {"text": f"turn {i}: " + "lorem ipsum dolor sit amet " * 6,
                          "response_meta": None, "cache_breakpoint": i % 5 == 0}},
            ],
        }

    scope = {"session_id": "sess-1", "turn_id": "turn-7", "turn_index": 7, "protocol_iteration": 2}
    llm = {
        "invocation": {
            "scope": scope,
            "subject": {"type": "effect", "effect_id": "eff-1", "kind": "llm_call"},
            "caused_by": {"type": "turn", "session_id": "sess-1", "turn_id": "turn-7"},
            "replay": {"key": "sess-1:turn-7:llm:2"},
        },
        "command": {
            "type": "llm_call",
            "request": {
                "model": "gpt-4.1", "messages": [message(i) for i in range(12)],
                "attachments": [], "tools": [{
                    "name": "read_file", "description": "Read a file from the workspace",
                    "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}},
                    "output_schema": {"type": "string"}, "input_schema_projections": [],
                    "output_schema_projections": [],
                }] * 3,
                "tool_choice": "Auto", "model_variant": None, "generation": {},
                "session_id": "sess-1", "output_spec": None,
            },
        },
    }
    tool = {
        "invocation": {
            "scope": scope,
            "subject": {"type": "effect", "effect_id": "eff-2", "kind": "tool_call"},
            "replay": {"key": "sess-1:turn-7:tool:c1"},
        },
        "command": {"type": "tool_call", "call": {
            "call_id": "c1", "tool_name": "read_file",
            "args": {"path": "src/main.rs", "limit": 200, "offset": 0.5}}},
    }
    process = {
        "invocation": {
            "scope": scope,
            "subject": {"type": "effect", "effect_id": "eff-3", "kind": "process"},
            "replay": {"key": "sess-1:turn-7:process"},
        },
        "command": {"type": "process", "command": {
            "op": "transfer", "from_scope": {"session_id": "a"},
            "to_scope": {"session_id": "b", "agent_frame_id": "f"},
            "process_ids": [f"p{i}" for i in range(20)]}},
    }
    return [from_wire(RuntimeEffectEnvelope, e) for e in (llm, tool, process)]


def race(fns: dict[str, Callable[[], object]], seconds: float) -> dict[str, float]:
    """Best time per call of each function, measured in turns in the same run.

    CPU time of this process (``time.process_time``), best of many batches,
    the functions taking turns: on a machine shared with other jobs, waiting
    for a core is not counted and a busy spell hits every function alike.
    """
    best = dict.fromkeys(fns, float("inf"))
    deadline = time.perf_counter() + seconds * len(fns)
    n = 20
    while time.perf_counter() < deadline:
        for name, fn in fns.items():
            t0 = time.process_time()
            for _ in range(n):
                fn()
            best[name] = min(best[name], (time.process_time() - t0) / n)
    return best


def _each(fn: Callable[[str], object], texts: list[str]) -> list[object]:
    return [fn(t) for t in texts]


def envelope_sets(write: Callable[[Any], Any]) -> dict[str, list[Any]]:
    """The benchmark envelopes, written by ``write`` (``to_wire``, ``to_json``):
    the realistic ones and the ones recorded from the Rust crate."""
    from lash_spec import from_wire
    from lash_spec.model.envelope import RuntimeEffectEnvelope

    recorded: list[Any] = [from_wire(RuntimeEffectEnvelope, w) for w in recorded_envelopes()]
    return {
        "realistic": [write(e) for e in realistic_envelopes()],
        "recorded": [write(e) for e in recorded],
    }


def _path_report(
    loaded: tuple[Any, str], what: str, active: str, target: float
) -> tuple[Any, dict[str, Any]]:
    """The compiled module (or None) and the head of a two-path bench's report."""
    module, why = loaded
    return module, {
        what: active,
        f"compiled_{what}": "available" if module is not None else why,
        "target_ratio": target,
    }


def on_path(module: Any, attr: str, value: Any, fn: Callable[[], None]) -> Callable[[], None]:
    """``fn`` run with ``module.attr`` set to ``value``: a codec path (the
    compiled writer or reader module, or ``None`` for pure) switched in."""

    def run() -> None:
        saved = getattr(module, attr)
        setattr(module, attr, value)
        try:
            fn()
        finally:
            setattr(module, attr, saved)

    return run


def recorded_envelopes() -> list[Any]:
    """The wire values of the envelopes recorded from the Rust crate (stable_hash cases)."""
    path = ROOT / "tests" / "fixtures" / "recorded" / "call-cases-core.json"
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [
        c["body"]["args"][0]
        for c in cases
        if c["body"]["call"] == "RuntimeEffectEnvelope::stable_hash"
    ]


def bench_stable_hash(seconds: float, copies: int = 20) -> dict[str, Any]:
    """stable_hash(typed envelope) on each encode path vs sha256(orjson.dumps(wire dict)).

    Every pass hashes ``copies`` freshly decoded copies of each envelope (so
    nothing cached on an object could help); the yardstick hashes the wire
    dicts. Both paths run in this process: the pure one with the compiled
    writer switched off (as ``LASH_SPEC_PURE=1`` does).
    """
    import orjson

    import lash_spec.wire
    from lash_spec import from_wire, stable_hash, to_wire
    from lash_spec.model.envelope import RuntimeEffectEnvelope
    from lash_spec.wire import plan

    sets = envelope_sets(to_wire)
    writer, out = _path_report(plan.load_writer(), "encoder", lash_spec.wire.ENCODER, 2.0)
    for name, wires in sets.items():
        objects: list[list[Any]] = [
            [from_wire(RuntimeEffectEnvelope, w) for w in wires] for _ in range(copies)
        ]
        count = len(wires) * copies

        def yardstick(wires: list[Any] = wires) -> None:
            for _ in range(copies):
                for w in wires:
                    hashlib.sha256(orjson.dumps(w)).hexdigest()

        def ours(objects: list[list[Any]] = objects) -> None:
            for envelopes in objects:
                for e in envelopes:
                    stable_hash(e)

        fns: dict[str, Callable[[], object]] = {
            "orjson": yardstick,
            "pure": on_path(plan, "_WRITER", None, ours),
        }
        if writer is not None:
            fns["compiled"] = on_path(plan, "_WRITER", writer, ours)
        best = race(fns, seconds)
        base = best["orjson"]
        result: dict[str, Any] = {
            "envelopes": len(wires),
            "bytes_per_envelope": round(sum(len(orjson.dumps(w)) for w in wires) / len(wires)),
            "orjson_sha256_us": round(base / count * 1e6, 2),
        }
        for path in ("compiled", "pure"):
            if path in best:
                result[f"{path}_us"] = round(best[path] / count * 1e6, 2)
                result[f"{path}_ratio"] = round(best[path] / base, 2)
        out[name] = result
    return out


def bench_from_json(seconds: float) -> dict[str, Any]:
    """``from_json(RuntimeEffectEnvelope, text)`` on each decode path vs ``orjson.loads(text)``.

    The envelopes' serde text (realistic and recorded sets, as stable_hash);
    the compiled reader and the pure path (the reader switched off, as
    ``LASH_SPEC_PURE=1`` does) run in this process, next to ``orjson.loads``
    and ``json.loads`` of the same text. Target: compiled <= 3.0x orjson.
    """
    import lash_spec.wire
    from lash_spec import to_json
    from lash_spec.model.envelope import RuntimeEffectEnvelope
    from lash_spec.wire import readplan
    from lash_spec.wire.codec import from_json

    sets = envelope_sets(to_json)
    reader, out = _path_report(readplan.load_reader(), "decoder", lash_spec.wire.DECODER, 3.0)
    for name, texts in sets.items():

        def ours(texts: list[str] = texts) -> None:
            for text in texts:
                from_json(RuntimeEffectEnvelope, text)

        fns: dict[str, Callable[[], object]] = {
            "json.loads": functools.partial(_each, json.loads, texts),
            "pure": on_path(readplan, "_READER", None, ours),
        }
        if reader is not None:
            fns["compiled"] = on_path(readplan, "_READER", reader, ours)
        try:
            import orjson

            fns["orjson.loads"] = functools.partial(_each, orjson.loads, texts)
        except ImportError:  # the bench extra brings it; json.loads stands alone
            pass
        best = race(fns, seconds)
        n = len(texts)
        result: dict[str, Any] = {
            "envelopes": n,
            "bytes_per_envelope": round(sum(len(t.encode()) for t in texts) / n),
            "json_loads_us": round(best["json.loads"] / n * 1e6, 2),
        }
        base = best.get("orjson.loads")
        if base is not None:
            result["orjson_loads_us"] = round(base / n * 1e6, 2)
        for path in ("compiled", "pure"):
            if path in best:
                result[f"{path}_us"] = round(best[path] / n * 1e6, 2)
                if base is not None:
                    result[f"{path}_ratio_orjson_loads"] = round(best[path] / base, 2)
        if base is not None and "compiled" in best:
            result["ratio_orjson_loads"] = result["compiled_ratio_orjson_loads"]
        out[name] = result
    return out


def _corpus(path: Path | None) -> tuple[Path, Any]:
    """The corpus folder to run, and a TemporaryDirectory to keep alive (or None)."""
    import tempfile

    if path is not None:
        return path, None
    if (ROOT / "conformance" / "index.json").exists():
        return ROOT / "conformance", None
    from lash_spec.conformance.corpus import write_corpus

    tmp = tempfile.TemporaryDirectory(prefix="lash-spec-corpus-")
    write_corpus(Path(tmp.name))
    return Path(tmp.name), tmp


def bench_harness(path: Path | None, rounds: int) -> dict[str, Any]:
    """Cases/s through ``lash-spec adapter`` (a child process, stdio, pipelined)."""
    from lash_spec.conformance.runner import run_paths
    from lash_spec.harness.cases import collect
    from lash_spec.harness.runner import RunOptions, run_adapter

    folder, keep = _corpus(path)
    cases = collect([folder])
    adapter = [sys.executable, "-m", "lash_spec.harness.adapter"]
    best: dict[str, Any] = {}
    for _ in range(rounds):
        result = run_adapter(adapter, cases, RunOptions(start_timeout=120.0))
        bad = [o.id for o in result.outcomes if o.status != "passed"]
        busy = result.seconds - result.startup_seconds
        round_ = {
            "cases": len(cases),
            "not_passed": len(bad),
            "seconds": round(result.seconds, 3),
            "startup_seconds": round(result.startup_seconds, 3),
            "cases_per_s": round(len(cases) / busy),
            "cases_per_s_with_startup": round(len(cases) / result.seconds),
        }
        if not best or round_["cases_per_s"] > best["cases_per_s"]:
            best = round_
    t0 = time.perf_counter()
    in_process = run_paths([folder])
    verify_s = time.perf_counter() - t0
    best["verify_in_process_cases_per_s"] = round(sum(in_process.counts.values()) / verify_s)
    best["target_cases_per_s"] = 3000
    best["rounds"] = rounds
    if keep is not None:
        keep.cleanup()
    return best


class _Enough(BaseException):
    """Ends a drawing test once it has made its cases (as ``lash-spec fuzz`` stops)."""


def _drawing_test(name: str, era: str | None, strategy: Any, cases: int, count: list[int]) -> Any:
    """A Hypothesis test that draws a stateful kind's plans as ``lash-spec fuzz`` does
    (one per example, played by the model) until it has ``cases`` cases."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seed_decorator

    from lash_spec.harness.fuzz import bodies_for

    @seed_decorator(1)
    @settings(max_examples=cases, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def draw(plan: Any) -> None:
        if count[0] >= cases:
            raise _Enough
        count[0] += max(1, len(bodies_for(name, plan, era)))

    return draw


def _sampled(name: str, era: str | None, sampler: Any, cases: int) -> int:
    """Make ``cases`` cases of a call op as ``lash-spec fuzz`` explores: sampled
    inputs, bodies filled in by the model."""
    import random

    from lash_spec.harness.fuzz import bodies_for
    from lash_spec.sampling import RandomChoices

    rng, made, tries = random.Random(f"bench {name}"), 0, 0
    while made < cases and tries < 10 * cases:
        made += len(bodies_for(name, sampler(RandomChoices(rng)), era))
        tries += 1
    return made


def _generation_cost(ops: list[str], cases: int) -> dict[str, Any]:
    """CPU cost of making inputs and filling in expectations (no adapter), per op as
    ``lash-spec fuzz`` does it: at the op's era, ``cases`` cases each."""
    import warnings

    from lash_spec.harness.fuzz import (
        STATEFUL_OPS,
        _no_local_constants,
        drawing_at,
        fuzz_era,
        op_sampler,
        op_strategy,
    )

    per_op: list[tuple[float, int, str]] = []
    for name in ops:
        era = fuzz_era(name, None)
        with drawing_at(era):
            if name in STATEFUL_OPS:
                strategy, sampler = op_strategy(name, era), None
            else:
                strategy, sampler = None, op_sampler(name, era)
        if strategy is None and sampler is None:
            continue
        began = time.process_time()
        if sampler is not None:
            with drawing_at(era):
                made = _sampled(name, era, sampler, cases)
        else:
            count = [0]
            draw = _drawing_test(name, era, strategy, cases, count)
            with warnings.catch_warnings(), _no_local_constants(), drawing_at(era):
                warnings.simplefilter("ignore")
                with contextlib.suppress(_Enough):
                    draw()
            made = count[0]
        per_op.append((time.process_time() - began, made, name))
    total_s = sum(s for s, _, _ in per_op)
    total_cases = sum(n for _, n, _ in per_op)
    costs = sorted(s / max(1, n) * 1e3 for s, n, _ in per_op)
    slowest = sorted(per_op, key=lambda r: -r[0] / max(1, r[1]))[:10]
    return {
        "cases_per_op": cases,
        "ops": len(per_op),
        "cases": total_cases,
        "cpu_s": round(total_s, 1),
        "ceiling_cases_per_s_per_core": round(total_cases / total_s),
        "median_op_cpu_ms_per_case": round(costs[len(costs) // 2], 2),
        "slowest_ops_ms_per_case": [(op, round(s / max(1, n) * 1e3, 1)) for s, n, op in slowest],
    }


def bench_fuzz(
    examples: int,
    jobs: int,
    sample: int | None,
    modes: tuple[str, ...] = ("serial", "batched", "generation"),
) -> dict[str, Any]:
    """Cases/s of ``lash-spec fuzz`` through the reference adapter (see the module doc)."""
    import os
    import random

    from lash_spec.harness.fuzz import FuzzOptions, fuzz, select_ops
    from lash_spec.harness.runner import RunOptions

    ops = select_ops([], [])
    if sample is not None:
        ops = sorted(random.Random(1).sample(ops, min(sample, len(ops))))
    adapter = [sys.executable, "-m", "lash_spec.harness.adapter"]
    out: dict[str, Any] = {
        "ops": len(ops),
        "cores": len(os.sched_getaffinity(0)),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    runs = {
        "one_case_at_a_time_one_process": FuzzOptions(
            max_examples=examples, seed=1, batch=1, jobs=1, run=RunOptions(pipeline=1)
        ),
        f"batched_{jobs}_workers": FuzzOptions(max_examples=examples, seed=1, jobs=jobs),
    }
    if "serial" not in modes:
        del runs["one_case_at_a_time_one_process"]
    if "batched" not in modes:
        del runs[f"batched_{jobs}_workers"]
    for label, options in runs.items():
        t0, c0, before = time.perf_counter(), time.process_time(), os.times()
        result = fuzz(adapter, ops, options)
        wall = time.perf_counter() - t0
        after = os.times()
        # Workers and adapters are waited for, so their CPU time shows here: the
        # CPU a case costs, whatever else the machine is doing.
        cpu = time.process_time() - c0 + sum(
            getattr(after, f) - getattr(before, f) for f in ("children_user", "children_system")
        )
        out[label] = {
            "cases": result.examples,
            "seconds": round(wall, 1),
            "cases_per_s": round(result.examples / wall),
            "divergences": len(result.divergences),
            "cpu_s": round(cpu, 1),
            "cases_per_cpu_s": round(result.examples / cpu),
        }
        print(label, out[label], file=sys.stderr, flush=True)
    if "generation" in modes:
        out["generation"] = _generation_cost(ops, examples)
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    out["target_cases_per_s"] = 1500
    return out


# ---------------------------------------------------------------------------
# Turn machine: trace replay speed and checkpoint scaling (issue 4, item 6)
# ---------------------------------------------------------------------------

_FILLER = "lorem ipsum dolor sit amet " * 6
_PROJECTED: dict[str, Any] = {"StartLlmProjected": {"use_tools": True, "driver_state": None}}
_FIXED_REQUEST: dict[str, Any] = {
    "model": "test-model",
    "messages": [{"role": "User", "blocks": [{"Text": {
        "text": "Go.", "response_meta": None, "cache_breakpoint": False}}]}],
    "attachments": [], "tools": [], "tool_choice": "None", "model_variant": None,
    "generation": {}, "session_id": None, "output_spec": None,
}


def _conversation(mid: str, role: str, kind: str, content: str, **extra: Any) -> dict[str, Any]:
    """A one-part message in serde form (``Conversation`` payload / ``Message``)."""
    part = {"id": f"{mid}.p0", "kind": kind, "content": content, **extra, "prune_state": "Intact"}
    return {"id": mid, "role": role, "parts": [part]}


def _tool_round_driver(rounds: int, growing: bool) -> dict[str, Any]:
    """Driver queues for ``rounds`` tool rounds, then a final answer.

    ``growing``: every round appends the assistant tool-call message and the
    tool-result message to the history and projects the next LLM request from
    it (a real chat protocol). Otherwise the history never grows and every
    request is the same small explicit one: the machine's own per-step cost.
    """
    start: dict[str, Any] = _PROJECTED if growing else {
        "StartLlm": {"request": _FIXED_REQUEST, "driver_state": None}}
    llm: list[list[Any]] = []
    tools: list[list[Any]] = []
    for i in range(rounds):
        cid, path = f"call_{i}", f"src/{i}.rs"
        call = {"call_id": cid, "tool_name": "read", "args": {"path": path}, "replay": None}
        asked = _conversation(f"a{i}", "Assistant", "ToolCall", json.dumps({"path": path}),
                              tool_call_id=cid, tool_name="read")
        got = _conversation(f"r{i}", "User", "ToolResult", f"contents of {path}: {_FILLER}",
                            tool_call_id=cid, tool_name="read")
        append = [{"AppendEvents": [{"Conversation": asked}]}] if growing else []
        llm.append([*append, {"StartTools": {"calls": [call]}}])
        append = [{"AppendEvents": [{"Conversation": got}]}] if growing else []
        tools.append([*append, "AdvanceProtocolIteration", start])
    final = _conversation("final", "Assistant", "Text", "All done.")
    llm.append([
        *([{"AppendEvents": [{"Conversation": final}]}] if growing else []),
        {"Finish": {"finished": {"assistant_message": {"text": "All done."}}}},
    ])
    return {"prepare_protocol_iteration": [[start]], "handle_llm_success": llm,
            "handle_tool_results": tools}


def tool_round_trace(rounds: int, *, growing: bool = True, restore: bool = False) -> dict[str, Any]:
    """A turn-trace body (case-bodies.md §2) recorded from the model: a host that
    drains the effects and answers each request (``rounds`` tool rounds, then a
    final answer). ``restore``: every poll/respond/done step is followed by a
    ``checkpoint`` step and a ``restore`` step, and a drain stops at the
    re-issued outstanding effect (as a host answering it would)."""
    from lash_spec.model.sansio import MachineStateWaitingLlm, MachineStateWaitingTools
    from lash_spec.turn_machine import samples
    from lash_spec.turn_machine.driver import ScriptedDriver
    from lash_spec.turn_machine.responses import Response
    from lash_spec.turn_machine.states import effect_id
    from lash_spec.turn_machine.trace import TraceRecorder
    from lash_spec.wire.codec import from_wire, to_wire

    config = samples.trace_config(tool_specs=[to_wire(samples.tool_spec("read"))])
    driver = ScriptedDriver.from_wire(_tool_round_driver(rounds, growing))
    rec = TraceRecorder(config, samples.trace_start(), driver)

    def settle() -> None:
        if restore:
            rec.checkpoint()
            rec.restore()

    seen: set[int] = set()
    answered = 0
    while True:
        while True:
            effect = rec.poll()
            settle()
            if effect is None:
                break
            eid = effect_id(effect)
            if eid is not None:
                if eid in seen:
                    break
                seen.add(eid)
        done = rec.done()
        settle()
        if done:
            return rec.body()
        state = rec.machine.state
        if isinstance(state, MachineStateWaitingLlm):
            if answered < rounds:
                part = {"ToolCall": {"call_id": f"call_{answered}", "tool_name": "read",
                                     "input_json": json.dumps({"path": f"src/{answered}.rs"}),
                                     "replay": None}}
                llm = samples.llm_response("", reason="tool_use", parts=[part])
            else:
                llm = samples.llm_response("All done.")
            answered += 1
            rec.respond(from_wire(Response, {"LlmComplete": {
                "id": state.effect_id, "result": {"Ok": to_wire(llm)}, "text_streamed": False}}))
        elif isinstance(state, MachineStateWaitingTools):
            results = [to_wire(samples.completed_tool(c, f"contents: {_FILLER}"))
                       for c in state.calls]
            rec.respond(from_wire(Response, {"ToolResults": {
                "id": state.effect_id, "results": results}}))
        else:
            raise RuntimeError(f"unexpected state {type(state).__name__}")
        settle()


def _best_of(fn: Callable[[], object], seconds: float, min_runs: int = 1) -> float:
    """Best single-call CPU time: at least ``min_runs`` calls, more while under ``seconds``.

    CPU time of this process (``time.process_time``): on a machine shared with
    other jobs, time spent waiting for a core is not the code's.
    """
    best = float("inf")
    start = time.perf_counter()
    runs = 0
    while runs < min_runs or time.perf_counter() - start < seconds:
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
        runs += 1
    return best


@contextlib.contextmanager
def _gc_frozen() -> Iterator[None]:
    """Move every object alive now (the loaded trace body, the machine) out of the
    cyclic GC's reach while timing: otherwise each full collection rescans a body
    of up to ~100 MB, a cost of the benchmark's own data, not of the replay."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log(y) on log(x): 1 = linear, 2 = quadratic
    (``None`` with fewer than two distinct x)."""
    import math

    if len(set(xs)) < 2 or min(ys) <= 0:
        return None
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    num = sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True))
    return round(num / sum((a - mx) ** 2 for a in lx), 2)


def bench_trace_replay(seconds: float, max_rounds: int) -> dict[str, Any]:
    """Steps/s of ``check_body`` on long tool-round traces, with and without restore."""
    from lash_spec.turn_machine.trace import check_body

    plans = {
        "growing": (True, False, [max_rounds // 4, max_rounds // 2, max_rounds]),
        "growing_restore": (True, True, [max_rounds // 4, max_rounds // 2, max_rounds]),
        "flat": (False, False, [max_rounds * 5, max_rounds * 10, max_rounds * 20]),
        "flat_restore": (False, True, [max_rounds * 5, max_rounds * 10, max_rounds * 20]),
    }
    out: dict[str, Any] = {}
    for name, (growing, restore, sizes) in plans.items():
        rows = []
        for rounds in sizes:
            body = tool_round_trace(rounds, growing=growing, restore=restore)
            result = check_body(body)
            if result.status != "passed":
                raise RuntimeError(f"{name} x{rounds}: {result.detail}")
            steps = len(body["steps"])
            with _gc_frozen():
                t = _best_of(functools.partial(check_body, body), seconds / 4)
            rows.append({
                "rounds": rounds,
                "steps": steps,
                "final_history": 2 * rounds + 2 if growing else 1,
                "body_mb": round(len(json.dumps(body)) / 1e6, 2),
                "replay_s": round(t, 3),
                "steps_per_s": round(steps / t),
                "us_per_step": round(t / steps * 1e6, 1),
            })
        out[name] = {
            "rows": rows,
            "time_vs_steps_slope": _slope(
                [r["steps"] for r in rows], [r["replay_s"] for r in rows]
            ),
        }
    return out


def _history(n: int) -> tuple[Any, ...]:
    """``n`` history messages: user text, assistant tool call, tool result, in turn."""
    from lash_spec.model.session import Message
    from lash_spec.wire.codec import from_wire

    out: list[Message] = []
    for i in range(n):
        mid, cid = f"h{i}", f"call_h{i // 3}"
        if i % 3 == 0:
            value = _conversation(mid, "User", "Text", f"request {i}: {_FILLER}")
        elif i % 3 == 1:
            value = _conversation(mid, "Assistant", "ToolCall", '{"path":"src/lib.rs"}',
                                  tool_call_id=cid, tool_name="read")
        else:
            value = _conversation(mid, "User", "ToolResult", f"contents {i}: {_FILLER}",
                                  tool_call_id=cid, tool_name="read")
        out.append(from_wire(Message, value))
    return tuple(out)


def _checkpoint_json(machine: Any) -> str:
    from lash_spec.wire.codec import to_json

    return to_json(machine.checkpoint())


def bench_checkpoint_scaling(seconds: float, sizes: list[int]) -> dict[str, Any]:
    """checkpoint() time, JSON size and restore time for histories of ``sizes`` messages.

    The machine is mid-turn, waiting on a tool call, with the history given at
    start (a ``WaitingLlm`` checkpoint would also hold the projected request,
    about the history once more).
    """
    from lash_spec.model.sansio import MachineStateWaitingTools
    from lash_spec.turn_machine import samples
    from lash_spec.turn_machine.checkpoint import checkpoint_text, parse_checkpoint
    from lash_spec.turn_machine.driver import ScriptedDriver
    from lash_spec.turn_machine.machine import TurnMachine
    from lash_spec.turn_machine.trace import TraceStart

    config = samples.trace_config(tool_specs=[{
        "name": "read", "description": "Tool read", "input_schema": {"type": "object"},
        "output_schema": {"type": "string"}, "input_schema_projections": [],
        "output_schema_projections": []}])
    call = {"call_id": "c1", "tool_name": "read", "args": {"path": "a.txt"}, "replay": None}
    rows = []
    for n in sizes:
        driver = ScriptedDriver.from_wire(
            {"prepare_protocol_iteration": [[{"StartTools": {"calls": [call]}}]]})
        start = TraceStart(messages=_history(n), events=(), protocol_run_offset=0)
        machine = TurnMachine(config.machine_config(driver), start.messages, start.events, 0)
        while machine.poll_effect() is not None:
            pass
        assert isinstance(machine.state, MachineStateWaitingTools)
        text = checkpoint_text(machine.checkpoint())
        budget = seconds / len(sizes) / 3

        def restore(t: str = text, c: Any = machine.config) -> TurnMachine:
            return TurnMachine.restore_from_checkpoint(c, parse_checkpoint(t))

        with _gc_frozen():
            t_checkpoint = _best_of(machine.checkpoint, budget, 3)
            t_json = _best_of(functools.partial(_checkpoint_json, machine), budget, 3)
            t_restore = _best_of(restore, budget, 3)
        if restore().checkpoint() != machine.checkpoint():
            raise RuntimeError(f"history {n}: the restored machine differs")
        size = len(text.encode())
        rows.append({
            "messages": n,
            "bytes": size,
            "bytes_per_message": round(size / n),
            "checkpoint_us": round(t_checkpoint * 1e6, 1),
            "checkpoint_to_json_ms": round(t_json * 1e3, 3),
            "restore_from_json_ms": round(t_restore * 1e3, 3),
            "to_json_us_per_message": round(t_json / n * 1e6, 2),
            "restore_us_per_message": round(t_restore / n * 1e6, 2),
        })
    big = [r for r in rows if r["messages"] >= 100] or rows
    ns = [float(r["messages"]) for r in big]
    return {
        "rows": rows,
        "log_log_slope_from_100": {
            "bytes": _slope(ns, [r["bytes"] for r in big]),
            "checkpoint": _slope(ns, [r["checkpoint_us"] for r in big]),
            "checkpoint_to_json": _slope(ns, [r["checkpoint_to_json_ms"] for r in big]),
            "restore_from_json": _slope(ns, [r["restore_from_json_ms"] for r in big]),
        },
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument(
        "--harness",
        nargs="?",
        const="",
        metavar="PATH",
        help="also measure cases/s through the reference adapter (corpus folder optional)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="harness runs; the best is kept")
    parser.add_argument(
        "--fuzz", action="store_true", help="also measure lash-spec fuzz cases/s (minutes)"
    )
    parser.add_argument("--fuzz-examples", type=int, default=100, metavar="N",
                        help="fuzz: cases per op (100, as lash-spec fuzz)")
    parser.add_argument("--fuzz-jobs", type=int, default=0, metavar="N",
                        help="fuzz: worker processes (0 = one per core)")
    parser.add_argument("--fuzz-sample", type=int, metavar="K",
                        help="fuzz: a fixed sample of K ops instead of all of them")
    parser.add_argument("--fuzz-modes", nargs="+", default=["serial", "batched", "generation"],
                        choices=["serial", "batched", "generation"],
                        help="fuzz: which measurements (default: all three; serial takes long)")
    parser.add_argument("--no-stable-hash", action="store_true", help="skip the stable_hash bench")
    parser.add_argument("--no-from-json", action="store_true", help="skip the from_json bench")
    parser.add_argument(
        "--no-turn-machine", action="store_true", help="skip the turn-machine bench (default: run)"
    )
    parser.add_argument(
        "--tm-rounds",
        type=int,
        default=40,
        metavar="R",
        help="turn machine: tool rounds of the longest growing trace (R/4, R/2, R; the flat "
        "traces run 5R, 10R, 20R); the restore variant grows ~quadratically, so R=100 takes "
        "about a minute and a half",
    )
    parser.add_argument(
        "--tm-history",
        type=int,
        nargs="+",
        default=[10, 100, 1000, 10000],
        metavar="N",
        help="turn machine: history sizes (messages) of the checkpoint-scaling bench",
    )
    parser.add_argument(
        "--paths",
        nargs="+",
        choices=["compiled", "pure"],
        default=["compiled", "pure"],
        help="codec paths for the turn-machine and harness benches (default: both; "
        "stable_hash and from_json always measure both)",
    )
    args = parser.parse_args(argv)
    from lash_spec.wire import plan

    paths = [p for p in args.paths if p == "pure" or plan.load_writer()[0] is not None]
    result: dict[str, Any] = {}
    if not args.no_stable_hash:
        result["stable_hash"] = bench_stable_hash(args.seconds)
    if not args.no_from_json:
        result["from_json"] = bench_from_json(args.seconds)
    if not args.no_turn_machine:
        result["turn_machine"] = {}
        for path in paths:
            with encode_path(path):
                result["turn_machine"][path] = {
                    "trace_replay": bench_trace_replay(args.seconds, args.tm_rounds),
                    "checkpoint_scaling": bench_checkpoint_scaling(args.seconds, args.tm_history),
                }
    if args.harness is not None:
        result["harness"] = {}
        for path in paths:
            with encode_path(path):
                result["harness"][path] = bench_harness(
                    Path(args.harness) if args.harness else None, args.rounds
                )
    if args.fuzz:
        from lash_spec.harness.runner import resolve_jobs

        jobs = args.fuzz_jobs or resolve_jobs("auto")
        result["fuzz"] = bench_fuzz(
            args.fuzz_examples, jobs, args.fuzz_sample, tuple(args.fuzz_modes)
        )
    print(json.dumps(result, indent=2))
    return 0


@contextlib.contextmanager
def encode_path(path: str) -> Iterator[None]:
    """Run on one codec path (writer and reader): in this process, and in the adapters it starts."""
    import os

    from lash_spec.wire import plan, readplan

    saved_writer, saved_env = plan._WRITER, os.environ.get("LASH_SPEC_PURE")
    saved_reader = readplan._READER
    if path == "pure":
        plan._WRITER = readplan._READER = None
        os.environ["LASH_SPEC_PURE"] = "1"
    else:
        plan._WRITER = plan.load_writer()[0]
        readplan._READER = readplan.load_reader()[0]
        os.environ.pop("LASH_SPEC_PURE", None)
    try:
        yield
    finally:
        plan._WRITER, readplan._READER = saved_writer, saved_reader
        if saved_env is None:
            os.environ.pop("LASH_SPEC_PURE", None)
        else:
            os.environ["LASH_SPEC_PURE"] = saved_env


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""One turn trace through the adapter protocol, message by message.

:func:`converse` plays a case body exactly as ``lash-spec run`` does — the
runner's own driver (:mod:`lash_spec.harness.drivers`) builds every request,
numbers it, encodes it as the one ASCII line the runner writes, and judges
every reply — against the reference adapter called in process, whose replies
go through the same encoding and :func:`~lash_spec.harness.protocol.parse_reply`.
So the transcript is a real run, not a hand-written illustration; ``lash-spec
docs`` renders it (:func:`transcript_page`) and ``--check`` keeps it current.

:func:`transcript_body` is the trace shown: the corpus scenario
``tools-then-final`` whose first checkpoint is followed by a restore (and the
poll that receives the redelivered effect), so one short run shows tools, a
final answer and a checkpoint crossing the JSON boundary.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from lash_spec.harness.adapter import ReferenceAdapter
from lash_spec.harness.drivers import Driver, Verdict, drive_trace
from lash_spec.harness.protocol import PROTOCOL, Hello, encode_request, parse_hello, parse_reply

__all__ = ["Exchange", "converse", "transcript_body", "transcript_page"]

HANDLE = "h1"
"""The machine handle the transcript uses (the runner's first handle)."""


@attrs.frozen(kw_only=True)
class Exchange:
    """One request line, the reply line, and what the scripted driver did meanwhile."""

    request: str
    reply: str
    driver_calls: tuple[tuple[str, int | None], ...] = ()
    """``(method, queue entry index or None when the queue was exhausted)``."""

    @property
    def request_value(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.request)
        return value

    @property
    def reply_value(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.reply)
        return value


_encode_reply = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode


def converse(
    body: Mapping[str, Any],
    drive: Callable[[Mapping[str, Any], Hello, str], Driver] = drive_trace,
) -> tuple[Verdict, list[Exchange]]:
    """Run ``body`` through ``drive`` against the reference adapter; every line exchanged."""
    adapter = ReferenceAdapter()
    exchanges: list[Exchange] = []
    seq = 0

    def send(request: Mapping[str, Any]) -> tuple[Any, Exchange]:
        nonlocal seq
        line = encode_request({"seq": seq, **request})
        before = _driver_positions(adapter)
        reply = {"seq": seq, **adapter.handle(json.loads(line))}
        reply_line = _encode_reply(reply)
        parsed = parse_reply(reply_line.encode("ascii"), seq)
        seq += 1
        calls = _driver_calls(adapter, before)
        return parsed, Exchange(
            request=line.decode("ascii").rstrip("\n"), reply=reply_line, driver_calls=calls
        )

    hello_reply, exchange = send({"cmd": "start", "protocol": PROTOCOL})
    exchanges.append(exchange)
    hello = parse_hello(hello_reply.value)
    driver = drive(body, hello, HANDLE)
    try:
        request = next(driver)
        while True:
            reply, exchange = send(request)
            exchanges.append(exchange)
            request = driver.send(reply)
    except StopIteration as stop:
        verdict: Verdict = stop.value
    return verdict, exchanges


def _driver_positions(adapter: ReferenceAdapter) -> tuple[int, dict[str, int]]:
    entry = adapter.machines.get(HANDLE)
    if entry is None:
        return 0, {}
    driver = entry[1]
    return len(driver.calls), dict(driver.cursor)


def _driver_calls(
    adapter: ReferenceAdapter, before: tuple[int, dict[str, int]]
) -> tuple[tuple[str, int | None], ...]:
    entry = adapter.machines.get(HANDLE)
    if entry is None:
        return ()
    driver = entry[1]
    n_before, cursor = before
    out: list[tuple[str, int | None]] = []
    for method in driver.calls[n_before:]:
        index = cursor.get(method, 0)
        if index < len(driver.queues[method]):
            out.append((method, index))
            cursor[method] = index + 1
        else:
            out.append((method, None))
    return tuple(out)


def transcript_body() -> dict[str, Any]:
    """``tools-then-final`` with a restore (and a redelivery) after its first checkpoint."""
    from lash_spec.conformance.scenarios.turn_traces import SCENARIOS
    from lash_spec.generators.turn_machine import Host
    from lash_spec.turn_machine.samples import trace_config

    (scenario,) = [s for s in SCENARIOS if s.name == "tools-then-final"]

    class RestoreOnce(Host):
        restored = False

        def checkpoint(self) -> None:
            super().checkpoint()
            if not self.restored:
                self.restored = True
                self.restore()
                self.drain()  # stops at the redelivered effect

    host = RestoreOnce(trace_config(**scenario.config), scenario.start, scenario.driver)
    scenario.program(host)
    return host.body()


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

_CONTRACT = "../case-bodies.md"


def _rule(anchor: str, text: str) -> str:
    return f"[{text}]({_CONTRACT}#{anchor})"


def _article(word: str) -> str:
    return "An" if word[:1] in "AEIOU" or word.startswith("Llm") else "A"


def _effect_note(effect: Any, redelivered: bool) -> str:
    if effect is None:
        return (
            "Nothing is queued: `poll_effect()` returns `None`, written `null` "
            f"({_rule('step-poll', 'poll')})."
        )
    ((variant, value),) = effect.items()
    if redelivered:
        return (
            f"The `{variant}` effect again, with the same id: the restored machine re-issues "
            f"the request it was waiting on once ({_rule('redelivery', 'redelivery')}); the "
            "host runs the tools now."
        )
    if variant == "Emit":
        return (
            f"An `Emit` effect carrying a `{value.get('type')}` session event "
            f"({_rule('step-poll', 'poll')}; compared strictly, "
            f"{_rule('comparison', 'comparison')})."
        )
    notes = {
        "LlmCall": "The LLM request the driver's `StartLlmProjected` projected when it was called "
        f"({_rule('start-llm-projected', 'StartLlmProjected')}).",
        "ToolCalls": "The tool calls the driver's `StartTools` asked for.",
        "Progress": "The messages so far and the events appended since the last progress.",
        "Done": "The turn's end: the machine hands its messages over (they leave the checkpoint).",
    }
    return (
        f"{_article(variant)} `{variant}` effect. "
        + notes.get(variant, "")
        + f" ({_rule('step-poll', 'poll')})"
    )


def _note(exchange: Exchange, step: tuple[int, str] | None, seen: set[int]) -> str:
    request = exchange.request_value
    reply = exchange.reply_value
    cmd = request["cmd"]
    where = f"Step {step[0]} of the body (`{step[1]}`). " if step is not None else ""
    if cmd == "start":
        return (
            "The handshake. The adapter names the ops and the stateful `kinds` it serves; "
            "a trace is driven only if `kinds` holds `turn_trace` "
            f"({_rule('trace-body', 'turn trace')})."
        )
    if cmd == "machine.new":
        return (
            "The body's CONFIG, START and DRIVER, sent as they are; the adapter builds the "
            f"machine under the runner's handle `{HANDLE}` ({_rule('machine-handles', 'handles')}; "
            f"{_rule('trace-config', 'CONFIG')}, {_rule('trace-start', 'START')}, "
            f"{_rule('trace-driver', 'DRIVER')}). The body's steps are never sent."
        )
    if cmd == "machine.poll":
        effect = reply.get("ok")
        effect_id = _effect_id(effect)
        redelivered = effect_id is not None and effect_id in seen
        if effect_id is not None:
            seen.add(effect_id)
        return where + _effect_note(effect, redelivered)
    if cmd == "machine.respond":
        ((variant, _),) = request["response"].items()
        return (
            where + f"{_article(variant)} `{variant}` response, as the body writes it "
            f"({_rule('step-respond', 'respond')}, {_rule('responses', 'Response shapes')})."
        )
    if cmd == "machine.checkpoint" and step is not None and step[1] == "restore":
        return (
            where + "A restore step is two requests: first the checkpoint, which the runner "
            f"does not compare here ({_rule('step-restore', 'restore')})…"
        )
    if cmd == "machine.checkpoint":
        return where + (
            "The checkpoint, compared with the body's value "
            f"({_rule('step-checkpoint', 'checkpoint')})."
        )
    if cmd == "machine.restore":
        return (
            "…then the same checkpoint back, parsed from the reply's JSON: the adapter "
            "replaces the machine by `restore_from_checkpoint` under the trace's own CONFIG, "
            f"with the same scripted driver ({_rule('step-restore', 'restore')}). The "
            f"outstanding effect will be delivered again ({_rule('redelivery', 'redelivery')})."
        )
    if cmd == "machine.done":
        return where + f"`is_done()` ({_rule('step-done', 'done')})."
    if cmd == "machine.drop":
        return (
            "After the last step the runner drops the machine; the reply does not change "
            f"the verdict ({_rule('machine-handles', 'handles')})."
        )
    return where


def _effect_id(effect: Any) -> int | None:
    if not isinstance(effect, dict):
        return None
    ((_, value),) = effect.items()
    found = value.get("id") if isinstance(value, dict) else None
    return found if isinstance(found, int) else None


def _steps_of(
    exchanges: list[Exchange], body: Mapping[str, Any]
) -> Iterator[tuple[int, str] | None]:
    """The body step each exchange belongs to (``None`` for start/new/drop)."""
    kinds = [next(iter(step)) for step in body["steps"]]
    index = 0
    pending_restore = False
    for exchange in exchanges:
        cmd = exchange.request_value["cmd"]
        if cmd in ("start", "machine.new", "machine.drop"):
            yield None
        elif pending_restore:  # the restore request of a restore step
            pending_restore = False
            yield (index - 1, "restore")
        else:
            kind = kinds[index]
            pending_restore = kind == "restore"
            yield (index, kind)
            index += 1


def _driver_note(calls: tuple[tuple[str, int | None], ...]) -> str:
    if not calls:
        return ""
    parts = []
    for method, index in calls:
        answer = "its queue is used up, so `[]`" if index is None else f"`driver.{method}[{index}]`"
        parts.append(f"`{method}` ({answer})")
    return (
        " Meanwhile the machine called the scripted driver: "
        + ", ".join(parts)
        + f" ({_rule('trace-driver', 'driver queues')})."
    )


def transcript_page() -> str:
    """The Markdown of ``docs/reference/adapter-transcript.md``."""
    body = transcript_body()
    verdict, exchanges = converse(body)
    if verdict.status != "passed":
        raise RuntimeError(f"the transcript's trace does not pass: {verdict}")
    out = [
        "# A turn trace, message by message",
        "",
        "What `lash-spec run` sends an adapter for one turn trace, and what the reference "
        "adapter (`lash-spec adapter`) answers — every line exactly as it crosses the pipe, "
        "from a real run (regenerated by `lash-spec docs`, checked by `lash-spec docs --check`). "
        "The trace is the corpus scenario `turn_trace/scenario/tools-then-final` with a "
        "checkpoint → restore after its first checkpoint: the LLM asks for two tools, the host "
        "checkpoints and restores while the tools run, receives the tool calls again, answers "
        "them, and the second LLM call ends the turn.",
        "",
        f"The rules are in [the case-body contract]({_CONTRACT}) and "
        "[the adapter protocol](../adapter-protocol.md). `→` is a request (the runner's line on "
        "the adapter's stdin), `←` the adapter's reply on its stdout.",
        "",
        f"The trace has {len(body['steps'])} steps; the run takes {len(exchanges)} messages "
        f"each way and the runner's verdict is **{verdict.status}**.",
        "",
    ]
    seen: set[int] = set()
    for number, (exchange, step) in enumerate(
        zip(exchanges, _steps_of(exchanges, body), strict=True)
    ):
        cmd = exchange.request_value["cmd"]
        out += [
            f"## {number}. `{cmd}`",
            "",
            _note(exchange, step, seen) + _driver_note(exchange.driver_calls),
            "",
            "→",
            "",
            "<!-- check: request -->",
            "```json",
            exchange.request,
            "```",
            "",
            "←",
            "",
            "<!-- check: reply hello -->" if cmd == "start" else "<!-- check: reply -->",
            "```json",
            exchange.reply,
            "```",
            "",
        ]
    return "\n".join(out)

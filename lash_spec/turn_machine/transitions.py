"""The turn machine's behaviour as data: (state x input) → documented outcomes.

In the spirit of h11/h2, the structure of ``TurnMachine``
(``lash-sansio/src/sansio/mod.rs`` @003) is an enumerable table,
:data:`TRANSITIONS`, keyed by every pair of a :class:`StateKind` and an
:class:`InputKind` (a ``poll_effect`` on an empty queue, or one of the five
``Response`` kinds). Each pair lists its :class:`Outcome` cases — the guard
that selects it, the state afterwards, the effects queued (in order) and the
driver method called. Tests run every case against the machine; the Markdown
table and the Mermaid diagram are rendered from the same data.

Outcomes are stated for an *idle* driver (one that returns no actions): a
driver's actions then apply on top (they may start the next effect, append
events, finish…). Conditional effects carry a bracketed condition:
``[emit_llm_trace]`` (config flag), ``[unstreamed_text]`` (``text_streamed``
false and non-empty ``full_text``); ``Emit:tool_call*`` is one per result.

Always true, before the table applies: ``poll_effect`` first returns queued
effects, then a restored machine's redelivery; every ``handle_response``
cancels a redelivery not yet made.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping

import attrs

from lash_spec.model.sansio import Effect
from lash_spec.turn_machine.states import StateKind
from lash_spec.wire.codec import to_wire

__all__ = [
    "ACTIONS",
    "TRANSITIONS",
    "ActionOutcome",
    "InputKind",
    "Outcome",
    "effect_label",
    "expected_effects",
    "markdown_table",
    "mermaid_diagram",
    "outcomes",
]


class InputKind(enum.Enum):
    """What can happen to a machine: a poll on an empty queue, or a response kind."""

    POLL = "poll"
    EXECUTION_SURFACE_SYNCED = "ExecutionSurfaceSynced"
    LLM_COMPLETE = "LlmComplete"
    TOOL_RESULTS = "ToolResults"
    EXEC_RESULT = "ExecResult"
    CHECKPOINT = "Checkpoint"


@attrs.frozen(kw_only=True)
class Outcome:
    """One documented case of a (state, input) pair.

    ``case`` is a stable key (tests build the input from it); ``when`` the
    guard in words; ``next_state`` and ``effects`` hold for an idle driver;
    ``driver`` the method called, if any.
    """

    case: str
    when: str
    next_state: StateKind
    effects: tuple[str, ...] = ()
    driver: str | None = None
    note: str = ""

    @property
    def ignored(self) -> bool:
        """The input changes nothing (besides cancelling a pending redelivery)."""
        return self.case in ("ignored", "stale_id") or (
            self.case == "idle" and not self.effects and self.driver is None
        )


S = StateKind
I = InputKind  # noqa: E741
_FINISH = ("Emit:turn_outcome", "Emit:done", "Done")


def _ignored(state: StateKind) -> tuple[Outcome, ...]:
    return (
        Outcome(
            case="ignored",
            when="the response kind does not match the state",
            next_state=state,
            note="dropped silently",
        ),
    )


def _stale(state: StateKind) -> Outcome:
    return Outcome(
        case="stale_id",
        when="id differs from the awaited effect id",
        next_state=state,
        note="dropped silently; the state (and its effect id) is kept",
    )


_MATCHING: dict[tuple[StateKind, InputKind], tuple[Outcome, ...]] = {
    # -- poll on an empty queue (after queued effects and any redelivery) --
    (S.PREPARING_PROTOCOL, I.POLL): (
        Outcome(
            case="sync",
            when="config.sync_execution_surface",
            next_state=S.WAITING_EXECUTION_SURFACE,
            effects=("SyncExecutionSurface",),
            note="update_machine_config = false; the driver is not called",
        ),
        Outcome(
            case="no_sync",
            when="not config.sync_execution_surface",
            next_state=S.PREPARING_PROTOCOL,
            driver="prepare_protocol_iteration",
            note="the driver's actions decide; with none, the state stays and poll gives None",
        ),
    ),
    (S.PREPARE_ITERATION, I.POLL): (
        Outcome(
            case="needs_sync",
            when="sync_execution_surface and synced_protocol_iteration != protocol_iteration",
            next_state=S.WAITING_EXECUTION_SURFACE,
            effects=("SyncExecutionSurface",),
            note="update_machine_config = true",
        ),
        Outcome(
            case="synced",
            when="no sync needed for this iteration",
            next_state=S.PREPARE_ITERATION,
            driver="prepare_protocol_iteration",
            note="the driver's actions decide; with none, the state stays and poll gives None",
        ),
    ),
    # -- responses matching their waiting state --
    (S.WAITING_EXECUTION_SURFACE, I.EXECUTION_SURFACE_SYNCED): (
        _stale(S.WAITING_EXECUTION_SURFACE),
        Outcome(
            case="ok_unchanged",
            when="Ok(None)",
            next_state=S.PREPARE_ITERATION,
            note="synced_protocol_iteration := protocol_iteration",
        ),
        Outcome(
            case="ok_update",
            when="Ok(Some(sync))",
            next_state=S.PREPARE_ITERATION,
            note="the live config takes sync's system_prompt and tool_specs (whatever "
            "update_machine_config says); not part of a checkpoint",
        ),
        Outcome(
            case="err",
            when="Err(message)",
            next_state=S.FINISHED,
            effects=("Emit:error", *_FINISH),
            note="fail_turn: execution_surface/reconfigure_failed; Stopped(runtime_error)",
        ),
    ),
    (S.WAITING_LLM, I.LLM_COMPLETE): (
        _stale(S.WAITING_LLM),
        Outcome(
            case="err",
            when="Err(LlmCallError), retryable or not",
            next_state=S.FINISHED,
            effects=("Log:LlmError [emit_llm_trace]", "Emit:error", *_FINISH),
            note="no retry: Stopped(provider_error); envelope llm_provider with the "
            "error's code and terminal reason, raw trimmed and truncated",
        ),
        Outcome(
            case="ok_terminal",
            when="Ok, terminal reason output_limit/context_overflow/content_filter/"
            "provider_error/cancelled",
            next_state=S.FINISHED,
            effects=(
                "Emit:token_usage",
                "Log:LlmDebug [emit_llm_trace]",
                "Emit:text_delta [unstreamed_text]",
                "Emit:llm_response",
                "Emit:error",
                *_FINISH,
            ),
            note="Stopped(incomplete) for output_limit, Stopped(cancelled) for cancelled, "
            "else Stopped(provider_error); the driver is not called",
        ),
        Outcome(
            case="ok_context_window",
            when="Ok, output_limit with 0 output tokens and input+cached >= "
            "max_context_tokens*95/100",
            next_state=S.FINISHED,
            effects=(
                "Emit:token_usage",
                "Log:LlmDebug [emit_llm_trace]",
                "Emit:text_delta [unstreamed_text]",
                "Emit:llm_response",
                "Emit:error",
                *_FINISH,
            ),
            note="refined to context_overflow with a fixed diagnostic: Stopped(provider_error)",
        ),
        Outcome(
            case="ok_continue",
            when="Ok, terminal reason stop/tool_use/unknown",
            next_state=S.FINISHED,
            effects=("Emit:token_usage", "Log:LlmDebug [emit_llm_trace]"),
            driver="handle_llm_success",
            note="state is Finished while the driver runs; an idle driver leaves it "
            "Finished without Done",
        ),
    ),
    (S.WAITING_TOOLS, I.TOOL_RESULTS): (
        _stale(S.WAITING_TOOLS),
        Outcome(
            case="match",
            when="id matches (results are not checked against the calls)",
            next_state=S.FINISHED,
            effects=("Emit:tool_call*",),
            driver="handle_tool_results",
            note="one tool_call event per result; an idle driver leaves it Finished without Done",
        ),
    ),
    (S.WAITING_EXEC, I.EXEC_RESULT): (
        _stale(S.WAITING_EXEC),
        Outcome(
            case="ok",
            when="Ok(ExecResponse)",
            next_state=S.FINISHED,
            driver="handle_exec_result",
            note="the parked driver_state goes to the driver; an idle driver leaves it "
            "Finished without Done",
        ),
        Outcome(
            case="err",
            when="Err(message)",
            next_state=S.FINISHED,
            driver="handle_exec_result",
            note="errors are the driver's business, as for Ok",
        ),
    ),
    (S.WAITING_CHECKPOINT, I.CHECKPOINT): (
        _stale(S.WAITING_CHECKPOINT),
        Outcome(
            case="empty_prepare",
            when="empty delivery, on_empty PrepareIteration",
            next_state=S.PREPARE_ITERATION,
            note="no Progress",
        ),
        Outcome(
            case="empty_finish",
            when="empty delivery, on_empty Finish(outcome)",
            next_state=S.FINISHED,
            effects=_FINISH,
        ),
        Outcome(
            case="delivery_after_work",
            when="non-empty delivery, after_work",
            next_state=S.PREPARE_ITERATION,
            effects=("Progress",),
            note="User/System messages appended with synthetic ids (others dropped), "
            "new turn causes appended as Event messages; on_empty ignored",
        ),
        Outcome(
            case="delivery_before_completion",
            when="non-empty delivery, before_completion, below the turn limit",
            next_state=S.PREPARE_ITERATION,
            effects=("Progress",),
            note="as after_work, and protocol_iteration += 1",
        ),
        Outcome(
            case="delivery_before_completion_limit",
            when="non-empty delivery, before_completion, the new iteration reaches "
            "offset + max_turns",
            next_state=S.PREPARE_ITERATION,
            effects=("Progress",),
            note="also appends the configured turn-limit message (synthetic id) and "
            "marks it scheduled",
        ),
        Outcome(
            case="delivery_before_completion_grace",
            when="non-empty delivery, before_completion, turn-limit message already scheduled",
            next_state=S.FINISHED,
            effects=("Progress", *_FINISH),
            note="the grace turn is over: Stopped(max_turns)",
        ),
    ),
}

_WAITING_FOR: dict[StateKind, InputKind] = {
    S.WAITING_EXECUTION_SURFACE: I.EXECUTION_SURFACE_SYNCED,
    S.WAITING_LLM: I.LLM_COMPLETE,
    S.WAITING_TOOLS: I.TOOL_RESULTS,
    S.WAITING_EXEC: I.EXEC_RESULT,
    S.WAITING_CHECKPOINT: I.CHECKPOINT,
}


def _build() -> dict[tuple[StateKind, InputKind], tuple[Outcome, ...]]:
    table: dict[tuple[StateKind, InputKind], tuple[Outcome, ...]] = {}
    for state in StateKind:
        for inp in InputKind:
            key = (state, inp)
            if key in _MATCHING:
                table[key] = _MATCHING[key]
            elif inp is I.POLL:
                waits = (
                    "the host must answer the outstanding effect first"
                    if state.waiting
                    else "the turn is over"
                )
                table[key] = (
                    Outcome(case="idle", when="nothing queued", next_state=state, note=waits),
                )
            else:
                table[key] = _ignored(state)
    return table


TRANSITIONS: Mapping[tuple[StateKind, InputKind], tuple[Outcome, ...]] = _build()
"""Every (state, input) pair → its outcome cases (8 states x 6 inputs)."""


@attrs.frozen(kw_only=True)
class ActionOutcome:
    """What one ``DriverAction`` does inside ``apply_actions``.

    ``next_state`` ``None`` = unchanged; ``progress`` = marks the list dirty,
    so one ``Progress`` is queued after the list (or before ``Finish``).
    """

    next_state: StateKind | None
    effects: tuple[str, ...] = ()
    progress: str = ""
    note: str = ""


ACTIONS: Mapping[str, ActionOutcome] = {
    "Emit": ActionOutcome(next_state=None, effects=("Emit:*",)),
    "AppendEvents": ActionOutcome(
        next_state=None,
        progress="when the list is non-empty",
        note="conversation records are appended to the messages too",
    ),
    "StartLlm": ActionOutcome(
        next_state=S.WAITING_LLM,
        effects=("Emit:llm_request", "LlmCall"),
        note="llm_request counts the messages and lists the live config's tool names",
    ),
    "StartTools": ActionOutcome(next_state=S.WAITING_TOOLS, effects=("ToolCalls",)),
    "StartExec": ActionOutcome(next_state=S.WAITING_EXEC, effects=("ExecCode",)),
    "StartCheckpoint": ActionOutcome(next_state=S.WAITING_CHECKPOINT, effects=("Checkpoint",)),
    "AdvanceProtocolIteration": ActionOutcome(
        next_state=None, progress="always", note="also forgets the surface-sync marker"
    ),
    "ScheduleTurnLimitFinal": ActionOutcome(
        next_state=None,
        progress="when scheduled",
        note="appends the message only if the limit is reached and not yet scheduled",
    ),
    "Finish": ActionOutcome(
        next_state=S.FINISHED,
        effects=_FINISH,
        note="a pending Progress comes first; the rest of the list is not applied",
    ),
    "StartLlmProjected": ActionOutcome(
        next_state=S.WAITING_LLM,
        effects=("Emit:llm_request", "LlmCall"),
        note="trace-only StartLlm; the ScriptedDriver projects when called",
    ),
}
"""``apply_actions``: every ``DriverAction`` kind → what it does (a later
``Start*`` in the same list replaces the waiting state; the earlier effect
stays queued)."""


def outcomes() -> Iterator[tuple[StateKind, InputKind, Outcome]]:
    """Every documented case, in table order."""
    for (state, inp), cases in TRANSITIONS.items():
        for outcome in cases:
            yield state, inp, outcome


def expected_effects(
    outcome: Outcome,
    *,
    emit_llm_trace: bool = False,
    unstreamed_text: bool = False,
    results: int = 1,
) -> tuple[str, ...]:
    """The effect labels of ``outcome`` under the given conditions."""
    flags = {"emit_llm_trace": emit_llm_trace, "unstreamed_text": unstreamed_text}
    out: list[str] = []
    for label in outcome.effects:
        name, _, cond = label.partition(" [")
        if cond and not flags[cond.rstrip("]")]:
            continue
        if name.endswith("*"):
            out.extend([name[:-1]] * results)
        else:
            out.append(name)
    return tuple(out)


def effect_label(effect: Effect) -> str:
    """``LlmCall``, ``Emit:token_usage``, ``Log:LlmDebug``…: an effect's label in the table."""
    wire = to_wire(effect)
    name = next(iter(wire))
    if name == "Emit":
        return f"Emit:{wire['Emit']['type']}"
    if name == "Log":
        return f"Log:{next(iter(wire['Log']['event']))}"
    return str(name)


def markdown_table() -> str:
    """The table as Markdown (one row per case; ignored pairs grouped per state)."""
    lines = [
        "| state | input | when | next state (idle driver) | effects | driver |",
        "|---|---|---|---|---|---|",
    ]
    for state, inp, o in outcomes():
        effects = ", ".join(f"`{e}`" for e in o.effects) or "—"
        when = o.when + (f" ({o.note})" if o.note else "")
        lines.append(
            f"| {state.value} | {inp.value} | {when} | {o.next_state.value} | {effects} "
            f"| {o.driver or '—'} |"
        )
    return "\n".join(lines) + "\n"


def mermaid_diagram() -> str:
    """A Mermaid ``stateDiagram-v2`` of every case that changes something.

    Cases that call the driver lead to a ``driver`` choice node, whose edges
    are the state-changing actions of :data:`ACTIONS`.
    """
    lines = [
        "stateDiagram-v2",
        "    state driver <<choice>>",
        "    [*] --> PreparingProtocol",
    ]
    for state, inp, o in outcomes():
        if o.ignored:
            continue
        label = f"{inp.value}: {o.case}"
        if o.driver:
            lines.append(f"    {state.value} --> driver: {label} / {o.driver}")
        else:
            lines.append(f"    {state.value} --> {o.next_state.value}: {label}")
    for name, action in ACTIONS.items():
        if action.next_state is not None:
            lines.append(f"    driver --> {action.next_state.value}: {name}")
    lines.append("    Finished --> [*]")
    return "\n".join(lines) + "\n"

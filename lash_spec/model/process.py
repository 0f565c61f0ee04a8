"""Process-plane wire types — ``lash-core runtime/process/{model,events}.rs`` (@000).

Era: @000 (seed 000). The runtime-effect ``ProcessCommand`` /
``ProcessEffectOutcome`` (in :mod:`lash_spec.model.envelope`) carry these:
registrations and records of background processes, their typed events with
declarative terminal/wake semantics, and their await output. Transparent
string newtypes (``ProcessId``, ``AgentFrameId``, ``SessionScopeId``,
``ProcessExecutionEnvRef``, lashlang's ``ModuleRef`` / ``HostRequirementsRef``
/ ``ContentHash``) are plain ``str``. ``LashSchema`` (lash-sansio
``tool_contract/schema_validation.rs``) is modelled here because only the
process plane reaches it.

Sibling model modules are imported *as modules* (``_envelope`` …): the
envelope module imports this one, and annotations are resolved only when the
codec first builds a shape, after every module has finished loading.
"""

from __future__ import annotations

import enum

import attrs

from lash_spec.model import envelope as _envelope
from lash_spec.model import snapshot as _snapshot
from lash_spec.model import std as _std
from lash_spec.model import tools as _tools
from lash_spec.model import turn_io as _turn_io
from lash_spec.model.causal import CausalRef
from lash_spec.wire.codec import (
    dflt,
    era_form,
    renamed,
    skip_none,
    stable_hash,
    tagged,
    to_json,
    variant,
)
from lash_spec.wire.types import U32, U64, Usize, Value

__all__ = [
    "LashSchema",
    "ProcessAwaitOutput",
    "ProcessAwaitOutputCancelled",
    "ProcessAwaitOutputFailure",
    "ProcessAwaitOutputSuccess",
    "ProcessEvent",
    "ProcessEventAppendRequest",
    "ProcessEventSemantics",
    "ProcessEventSemanticsSpec",
    "ProcessEventType",
    "ProcessExecutionContext",
    "ProcessExecutionEnvSpec",
    "ProcessExternalRef",
    "ProcessHandleDescriptor",
    "ProcessHandleGrant",
    "ProcessHandleGrantEntry",
    "ProcessInput",
    "ProcessInputExternal",
    "ProcessInputLashlangProcess",
    "ProcessInputSessionTurn",
    "ProcessInputToolCall",
    "ProcessListMode",
    "ProcessOriginator",
    "ProcessOriginatorHost",
    "ProcessOriginatorSession",
    "ProcessProvenance",
    "ProcessRecord",
    "ProcessRef",
    "ProcessRegistration",
    "ProcessSessionDeleteReport",
    "ProcessStartGrant",
    "ProcessStatus",
    "ProcessStatusCancelled",
    "ProcessStatusCompleted",
    "ProcessStatusFailed",
    "ProcessStatusRunning",
    "ProcessTerminalSemantics",
    "ProcessTerminalSpec",
    "ProcessTerminalState",
    "ProcessValueSelector",
    "ProcessValueSelectorConst",
    "ProcessValueSelectorPayload",
    "ProcessValueSelectorPointer",
    "ProcessValueSelectorPresent",
    "ProcessValueSelectorTemplate",
    "ProcessWake",
    "ProcessWakeDedupeKey",
    "ProcessWakeDedupeKeyConst",
    "ProcessWakeDedupeKeyEventIdentity",
    "ProcessWakeDedupeKeySelector",
    "ProcessWakeSpec",
    "SessionScope",
    "WaitKind",
    "WaitKindSignal",
    "WaitState",
    "default_process_event_types",
]


# ---------------------------------------------------------------------------
# Scopes, provenance, grants (model.rs)
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SessionScope:
    """model.rs ``SessionScope``: a session, optionally narrowed to one agent frame."""

    session_id: str
    agent_frame_id: str | None = skip_none()

    def id(self) -> str:
        """Upstream ``SessionScope::id`` (a ``SessionScopeId``).

        ``session:{session_id}``, plus ``/frame:{agent_frame_id}`` only when
        the frame id is present *and* non-empty; nothing is escaped.
        """
        if self.agent_frame_id:
            return f"session:{self.session_id}/frame:{self.agent_frame_id}"
        return f"session:{self.session_id}"

    def is_empty(self) -> bool:
        """Upstream ``is_empty``: the session id is empty."""
        return not self.session_id


class ProcessListMode(enum.Enum):
    """model.rs ``ProcessListMode``: which processes a list returns (Default ``live``)."""

    LIVE = "live"
    ALL = "all"

    def as_str(self) -> str:
        """Upstream ``as_str`` (the wire name)."""
        return self.value


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class ProcessOriginator:
    """model.rs ``ProcessOriginator`` (internal tag ``type``): who started a process."""

    def scope_id(self) -> str:
        """Upstream ``scope_id``: ``"host"`` or the session scope's id."""
        raise NotImplementedError


@variant("host")
@attrs.frozen(kw_only=True)
class ProcessOriginatorHost(ProcessOriginator):
    def scope_id(self) -> str:
        return "host"


@variant("session")
@attrs.frozen(kw_only=True)
class ProcessOriginatorSession(ProcessOriginator):
    scope: SessionScope

    def scope_id(self) -> str:
        return self.scope.id()


@era_form("74941d21")
@attrs.frozen(kw_only=True)
class ProcessProvenance:
    """model.rs ``ProcessProvenance``: originator, host profile and cause (the
    ``74941d21`` form; ``ceb460d4.ProcessProvenance`` drops the host profile)."""

    originator: ProcessOriginator
    host_profile_id: str
    caused_by: CausalRef | None = skip_none()


@attrs.frozen(kw_only=True)
class ProcessHandleDescriptor:
    """model.rs ``ProcessHandleDescriptor`` (Default: both None → ``{}``)."""

    kind: str | None = skip_none()
    label: str | None = skip_none()


@attrs.frozen(kw_only=True)
class ProcessStartGrant:
    """model.rs ``ProcessStartGrant``: the handle a start grants to a session scope."""

    session_scope: SessionScope
    descriptor: ProcessHandleDescriptor


@attrs.frozen(kw_only=True)
class ProcessHandleGrant:
    """model.rs ``ProcessHandleGrant``: a session's handle on a process."""

    session_id: str
    process_id: str
    descriptor: ProcessHandleDescriptor


@attrs.frozen(kw_only=True)
class ProcessExecutionContext:
    """model.rs ``ProcessExecutionContext``: execution-local context of a start.

    Default ``{}``; ``ProcessCommand::Start`` skips it when :meth:`is_empty`.
    """

    causal_invocation: _envelope.RuntimeInvocation | None = skip_none()

    def is_empty(self) -> bool:
        """Upstream ``is_empty``: no causal invocation."""
        return self.causal_invocation is None


@era_form("74941d21")
@attrs.frozen(kw_only=True)
class ProcessExecutionEnvSpec:
    """model.rs ``ProcessExecutionEnvSpec``: the plugin options and session
    policy a process runs under. The ``74941d21`` form ignores unknown keys
    (``ceb460d4.ProcessExecutionEnvSpec`` denies them)."""

    plugin_options: _snapshot.PluginOptions = dflt(factory=_snapshot.PluginOptions)
    policy: _snapshot.SessionPolicy = dflt(factory=_snapshot.SessionPolicy)

    def stable_ref(self) -> str:
        """Upstream ``stable_ref``: ``process-env:sha256:{hex}`` of the spec."""
        return f"process-env:sha256:{stable_hash(self)}"

    def to_store_bytes(self) -> bytes:
        """Upstream ``to_store_bytes``: the compact serde JSON, UTF-8."""
        return to_json(self).encode()


@attrs.frozen(kw_only=True)
class ProcessExternalRef:
    """model.rs ``ProcessExternalRef``: backend reference for work accepted elsewhere."""

    backend: str
    id: str
    metadata: Value | None = skip_none()


@attrs.frozen(kw_only=True)
class ProcessSessionDeleteReport:
    """model.rs ``ProcessSessionDeleteReport``: what deleting a session did.

    Every field is required on read (the Rust ``Default`` is not a serde default).
    """

    session_id: str
    revoked_handle_count: Usize
    deleted_wake_count: Usize
    orphaned_process_ids: tuple[str, ...]
    preserved_process_ids: tuple[str, ...]


# ---------------------------------------------------------------------------
# Process input (model.rs) and lashlang's ProcessRef (lashlang artifact.rs)
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProcessRef:
    """lashlang ``artifact.rs`` ``ProcessRef``: a process declaration's position
    in a content-addressed component (``component`` is a ``ContentHash``)."""

    component: str
    pos: U32


@era_form("74941d21")
@tagged(tag="type")
@attrs.frozen(kw_only=True)
class ProcessInput:
    """model.rs ``ProcessInput`` (internal tag ``type``): the durable executable
    input of a process; the ``74941d21`` form (``ceb460d4.ProcessInput`` has
    ``engine`` in place of ``lashlang_process``)."""


@variant("tool_call")
@attrs.frozen(kw_only=True)
class ProcessInputToolCall(ProcessInput):
    call: _tools.PreparedToolCall


@variant("lashlang_process")
@attrs.frozen(kw_only=True)
class ProcessInputLashlangProcess(ProcessInput):
    module_ref: str
    process_ref: ProcessRef
    host_requirements_ref: str
    process_name: str
    args: dict[str, Value] = dflt(factory=dict)  # serde_json::Map: written sorted


@variant("session_turn")
@attrs.frozen(kw_only=True)
class ProcessInputSessionTurn(ProcessInput):
    create_request: _snapshot.SessionCreateRequest
    turn_input: _turn_io.TurnInput
    output_contract: _tools.ToolOutputContract


@variant("external")
@attrs.frozen(kw_only=True)
class ProcessInputExternal(ProcessInput):
    metadata: Value = dflt(None)


# ---------------------------------------------------------------------------
# Event types and their declarative semantics (events.rs)
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LashSchema:
    """lash-sansio ``schema_validation.rs`` ``LashSchema``: a JSON-schema wrapper."""

    schema: Value

    @classmethod
    def any(cls) -> LashSchema:
        """Upstream ``LashSchema::any``: the empty schema ``{}``."""
        return cls(schema={})


class ProcessTerminalState(enum.Enum):
    """events.rs ``ProcessTerminalState``."""

    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


@tagged()
@attrs.frozen(kw_only=True)
class ProcessValueSelector:
    """events.rs ``ProcessValueSelector`` (external tagging): picks a value out
    of an event payload. ``template`` nests selectors (recursive)."""


@variant("payload")
@attrs.frozen(kw_only=True)
class ProcessValueSelectorPayload(ProcessValueSelector): ...


@variant("pointer", newtype=True)
@attrs.frozen(kw_only=True)
class ProcessValueSelectorPointer(ProcessValueSelector):
    pointer: str


@variant("const", newtype=True)
@attrs.frozen(kw_only=True)
class ProcessValueSelectorConst(ProcessValueSelector):
    value: Value


@variant("template")
@attrs.frozen(kw_only=True)
class ProcessValueSelectorTemplate(ProcessValueSelector):
    template: str
    fields: dict[str, ProcessValueSelector] = dflt(factory=dict)  # BTreeMap: sorted


@variant("present", newtype=True)
@attrs.frozen(kw_only=True)
class ProcessValueSelectorPresent(ProcessValueSelector):
    pointer: str


@tagged()
@attrs.frozen(kw_only=True)
class ProcessWakeDedupeKey:
    """events.rs ``ProcessWakeDedupeKey`` (external tagging; Default ``event_identity``)."""


@variant("event_identity")
@attrs.frozen(kw_only=True)
class ProcessWakeDedupeKeyEventIdentity(ProcessWakeDedupeKey): ...


@variant("selector", newtype=True)
@attrs.frozen(kw_only=True)
class ProcessWakeDedupeKeySelector(ProcessWakeDedupeKey):
    selector: ProcessValueSelector


@variant("const", newtype=True)
@attrs.frozen(kw_only=True)
class ProcessWakeDedupeKeyConst(ProcessWakeDedupeKey):
    value: str


@attrs.frozen(kw_only=True)
class ProcessTerminalSpec:
    """events.rs ``ProcessTerminalSpec``: the event ends the process in ``state``."""

    state: ProcessTerminalState
    await_output: ProcessValueSelector | None = skip_none()


@attrs.frozen(kw_only=True)
class ProcessWakeSpec:
    """events.rs ``ProcessWakeSpec``: the event wakes the wake-target session."""

    when: ProcessValueSelector | None = skip_none()
    input: ProcessValueSelector
    dedupe_key: ProcessWakeDedupeKey = dflt(factory=ProcessWakeDedupeKeyEventIdentity)


@attrs.frozen(kw_only=True)
class ProcessEventSemanticsSpec:
    """events.rs ``ProcessEventSemanticsSpec`` (Default ``{}``)."""

    terminal: ProcessTerminalSpec | None = skip_none()
    wake: ProcessWakeSpec | None = skip_none()


@attrs.frozen(kw_only=True)
class ProcessEventType:
    """events.rs ``ProcessEventType``: a declared event of a process.

    ``semantics`` is required on read even though its type has a Default.
    """

    name: str
    payload_schema: LashSchema
    semantics: ProcessEventSemanticsSpec


def default_process_event_types() -> tuple[ProcessEventType, ...]:
    """events.rs ``default_process_event_types``: what ``ProcessRegistration::new``
    declares (cancel_requested, waiting, resumed and the three terminals, whose
    await output is read from ``/await_output``)."""

    def plain(name: str) -> ProcessEventType:
        return ProcessEventType(
            name=name, payload_schema=LashSchema.any(), semantics=ProcessEventSemanticsSpec()
        )

    def terminal(name: str, state: ProcessTerminalState) -> ProcessEventType:
        spec = ProcessTerminalSpec(
            state=state, await_output=ProcessValueSelectorPointer(pointer="/await_output")
        )
        return ProcessEventType(
            name=name,
            payload_schema=LashSchema.any(),
            semantics=ProcessEventSemanticsSpec(terminal=spec),
        )

    return (
        plain("process.cancel_requested"),
        plain("process.waiting"),
        plain("process.resumed"),
        terminal("process.completed", ProcessTerminalState.COMPLETED),
        terminal("process.failed", ProcessTerminalState.FAILED),
        terminal("process.cancelled", ProcessTerminalState.CANCELLED),
    )


# ---------------------------------------------------------------------------
# Await output, status, resolved event semantics (events.rs / model.rs)
# ---------------------------------------------------------------------------


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class ProcessAwaitOutput:
    """events.rs ``ProcessAwaitOutput`` (internal tag ``type``): what awaiting a
    finished process yields. ``failure.class`` is ``class_`` in Python."""

    def terminal_state(self) -> ProcessTerminalState:
        """Upstream ``terminal_state``: success→completed, failure→failed, …"""
        raise NotImplementedError


@variant("success")
@attrs.frozen(kw_only=True)
class ProcessAwaitOutputSuccess(ProcessAwaitOutput):
    value: Value
    control: _tools.ToolControl | None = skip_none()

    def terminal_state(self) -> ProcessTerminalState:
        return ProcessTerminalState.COMPLETED


@variant("failure")
@attrs.frozen(kw_only=True)
class ProcessAwaitOutputFailure(ProcessAwaitOutput):
    class_: _tools.ToolFailureClass = renamed("class")
    code: str
    message: str
    raw: Value | None = skip_none()
    control: _tools.ToolControl | None = skip_none()

    def terminal_state(self) -> ProcessTerminalState:
        return ProcessTerminalState.FAILED


@variant("cancelled")
@attrs.frozen(kw_only=True)
class ProcessAwaitOutputCancelled(ProcessAwaitOutput):
    message: str
    raw: Value | None = skip_none()
    control: _tools.ToolControl | None = skip_none()

    def terminal_state(self) -> ProcessTerminalState:
        return ProcessTerminalState.CANCELLED


@tagged(tag="state")
@attrs.frozen(kw_only=True)
class ProcessStatus:
    """model.rs ``ProcessStatus`` (internal tag ``state``; Default ``running``)."""

    def label(self) -> str:
        """Upstream ``label`` (equals the wire tag)."""
        raise NotImplementedError

    def is_terminal(self) -> bool:
        """Upstream ``is_terminal``: anything but ``running``."""
        return self.terminal_state() is not None

    def terminal_state(self) -> ProcessTerminalState | None:
        """Upstream ``terminal_state``."""
        return None

    def output(self) -> ProcessAwaitOutput | None:
        """Upstream ``await_output()`` (``None`` while running); renamed because
        the terminal variants hold a field of that name."""
        return None

    def terminal_semantics(self) -> ProcessTerminalSemantics | None:
        """Upstream ``terminal_semantics``."""
        state, output = self.terminal_state(), self.output()
        if state is None or output is None:
            return None
        return ProcessTerminalSemantics(state=state, await_output=output)

    @staticmethod
    def from_terminal(terminal: ProcessTerminalSemantics) -> ProcessStatus:
        """Upstream ``from_terminal``: the status a terminal event leaves behind."""
        output = terminal.await_output
        if terminal.state is ProcessTerminalState.COMPLETED:
            return ProcessStatusCompleted(await_output=output)
        if terminal.state is ProcessTerminalState.FAILED:
            return ProcessStatusFailed(await_output=output)
        return ProcessStatusCancelled(await_output=output)


@variant("running")
@attrs.frozen(kw_only=True)
class ProcessStatusRunning(ProcessStatus):
    def label(self) -> str:
        return "running"


@variant("completed")
@attrs.frozen(kw_only=True)
class ProcessStatusCompleted(ProcessStatus):
    await_output: ProcessAwaitOutput

    def label(self) -> str:
        return "completed"

    def terminal_state(self) -> ProcessTerminalState | None:
        return ProcessTerminalState.COMPLETED

    def output(self) -> ProcessAwaitOutput | None:
        return self.await_output


@variant("failed")
@attrs.frozen(kw_only=True)
class ProcessStatusFailed(ProcessStatus):
    await_output: ProcessAwaitOutput

    def label(self) -> str:
        return "failed"

    def terminal_state(self) -> ProcessTerminalState | None:
        return ProcessTerminalState.FAILED

    def output(self) -> ProcessAwaitOutput | None:
        return self.await_output


@variant("cancelled")
@attrs.frozen(kw_only=True)
class ProcessStatusCancelled(ProcessStatus):
    await_output: ProcessAwaitOutput

    def label(self) -> str:
        return "cancelled"

    def terminal_state(self) -> ProcessTerminalState | None:
        return ProcessTerminalState.CANCELLED

    def output(self) -> ProcessAwaitOutput | None:
        return self.await_output


@attrs.frozen(kw_only=True)
class ProcessTerminalSemantics:
    """events.rs ``ProcessTerminalSemantics``: the resolved terminal effect of an event."""

    state: ProcessTerminalState
    await_output: ProcessAwaitOutput


@attrs.frozen(kw_only=True)
class ProcessWake:
    """events.rs ``ProcessWake``: the resolved wake (input text and dedupe key)."""

    input: str
    dedupe_key: str


@attrs.frozen(kw_only=True)
class ProcessEventSemantics:
    """events.rs ``ProcessEventSemantics`` (Default ``{}``): what an appended event did."""

    terminal: ProcessTerminalSemantics | None = skip_none()
    wake: ProcessWake | None = skip_none()


# ---------------------------------------------------------------------------
# Waits, registrations, records, events
# ---------------------------------------------------------------------------


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class WaitKind:
    """model.rs ``WaitKind`` (internal tag ``kind``): what a process waits on."""


@variant("signal")
@attrs.frozen(kw_only=True)
class WaitKindSignal(WaitKind):
    name: str
    event_type: str
    key: str
    ordinal: U64


@attrs.frozen(kw_only=True)
class WaitState:
    """model.rs ``WaitState``: a running process's current wait, since when."""

    kind: WaitKind
    since_ms: U64


@era_form("74941d21")
@attrs.frozen(kw_only=True)
class ProcessRegistration:
    """model.rs ``ProcessRegistration`` (``74941d21`` form, no ``identity``):
    the serializable spec that starts or recovers a process. ``event_types``
    reads as ``[]`` when missing (serde's field default, not
    :func:`default_process_event_types`)."""

    id: str
    input: ProcessInput
    event_types: tuple[ProcessEventType, ...] = dflt(factory=tuple)
    provenance: ProcessProvenance
    env_ref: str | None = skip_none()
    wake_target: SessionScope | None = skip_none()


@era_form("74941d21")
@attrs.frozen(kw_only=True)
class ProcessRecord:
    """model.rs ``ProcessRecord``: the durable process row (``74941d21`` form)."""

    id: str
    registration_hash: str
    input: ProcessInput
    event_types: tuple[ProcessEventType, ...] = dflt(factory=tuple)
    provenance: ProcessProvenance
    env_ref: str | None = skip_none()
    wake_target: SessionScope | None = skip_none()
    created_at_ms: U64 = dflt(0)
    updated_at_ms: U64 = dflt(0)
    external_ref: ProcessExternalRef | None = skip_none()
    wait: WaitState | None = skip_none()
    status: ProcessStatus = dflt(factory=ProcessStatusRunning)

    def is_terminal(self) -> bool:
        """Upstream ``is_terminal``."""
        return self.status.is_terminal()


ProcessHandleGrantEntry = tuple[ProcessHandleGrant, ProcessRecord]
"""model.rs ``ProcessHandleGrantEntry``: written as a 2-element array."""


@attrs.frozen(kw_only=True)
class ProcessEventAppendRequest:
    """events.rs ``ProcessEventAppendRequest``: an event to append (e.g. a signal)."""

    event_type: str
    payload: Value
    replay: _envelope.RuntimeReplay | None = skip_none()
    wake_target_scope: SessionScope | None = skip_none()


@attrs.frozen(kw_only=True)
class ProcessEvent:
    """events.rs ``ProcessEvent`` (not lashlang's type of the same name): an
    appended event with the invocation that caused it and its resolved
    semantics; ``occurred_at`` is a ``SystemTime`` object."""

    process_id: str
    sequence: U64
    event_type: str
    payload: Value
    invocation: _envelope.RuntimeInvocation
    semantics: ProcessEventSemantics
    occurred_at: _std.SystemTime

"""The era-split types in their ``ceb460d4`` forms (2026-06-22; seeds 001, 002).

Between ``74941d21`` (seed 000) and ``ceb460d4`` a few wire types changed
shape (wire-format §12). Their older forms live with their concepts
(:mod:`~lash_spec.model.envelope`, :mod:`~lash_spec.model.process`,
:mod:`~lash_spec.model.tools` …) marked ``@era_form("74941d21")``; the
forms of this commit live here, under their Rust names, so a reader sees the
era in the qualified name (``ceb460d4.ProcessRegistration``). Types that hold
an era-split type without changing themselves (``RuntimeInvocation``,
``RuntimeEffectEnvelope``, ``ProcessCommand`` …) stay one class; their field
is the union of the forms and reads the one of the era being decoded.

Read at ``ceb460d4`` from upstream ``lash-core/src/runtime/process/model.rs``,
``runtime/effect/envelope.rs``, ``tool_provider.rs`` and lash-sansio's
``tool_contract.rs``:

* ``ProcessRegistration`` / ``ProcessRecord`` carry a required
  :class:`ProcessIdentity` after ``input``;
* ``ProcessInput`` has ``engine`` where ``74941d21`` had ``lashlang_process``;
* ``ProcessProvenance`` drops ``host_profile_id`` (older text still reads: the
  key is ignored as unknown);
* ``ProcessExecutionEnvSpec`` denies unknown fields;
* ``PreparedToolCall`` carries a required ``tool_id`` (a :data:`ToolId`, which
  now refuses a blank string on read);
* ``RuntimeEffectKind`` / ``RuntimeEffectCommand`` / ``RuntimeEffectOutcome``
  replace ``tool_call`` by ``tool_attempt`` and ``tool_batch``, add
  ``durable_step``, and ``exec_code`` carries its ``language``.
"""

from __future__ import annotations

import enum

import attrs

from lash_spec.model import envelope as _envelope
from lash_spec.model import process as _process
from lash_spec.model import snapshot as _snapshot
from lash_spec.model import tools as _tools
from lash_spec.model import turn_io as _turn_io
from lash_spec.model.causal import CausalRef
from lash_spec.model.effect_id import ProcessCommand
from lash_spec.model.execution import ExecResponse
from lash_spec.model.executor import (
    AwaitEventKey,
    Resolution,
    RuntimeEffectControllerError,
)
from lash_spec.model.llm import LlmResponse, ProviderReplayMeta
from lash_spec.model.outcome import ProcessEffectOutcome, ToolCallLaunch, wrong_outcome
from lash_spec.model.plugin import CheckpointKind
from lash_spec.model.sansio import CheckpointDelivery, ExecutionEnvironmentSync, LlmCallError
from lash_spec.model.snapshot import ToolId
from lash_spec.rust import rust_trim
from lash_spec.wire.codec import (
    dflt,
    era_form,
    skip_empty,
    skip_if,
    skip_none,
    stable_hash,
    tagged,
    to_json,
    variant,
    wire_struct,
)
from lash_spec.wire.errors import LashError
from lash_spec.wire.types import U32, U64, Result, Value

__all__ = [
    "PreparedToolBatch",
    "PreparedToolBatchCall",
    "PreparedToolCall",
    "ProcessExecutionEnvSpec",
    "ProcessIdentity",
    "ProcessInput",
    "ProcessInputEngine",
    "ProcessInputExternal",
    "ProcessInputSessionTurn",
    "ProcessInputToolCall",
    "ProcessProvenance",
    "ProcessRecord",
    "ProcessRegistration",
    "RuntimeEffectCommand",
    "RuntimeEffectCommandAwaitEvent",
    "RuntimeEffectCommandCheckpoint",
    "RuntimeEffectCommandDirect",
    "RuntimeEffectCommandDurableStep",
    "RuntimeEffectCommandExecCode",
    "RuntimeEffectCommandLlmCall",
    "RuntimeEffectCommandProcess",
    "RuntimeEffectCommandSleep",
    "RuntimeEffectCommandSyncExecutionEnvironment",
    "RuntimeEffectCommandToolAttempt",
    "RuntimeEffectCommandToolBatch",
    "RuntimeEffectKind",
    "RuntimeEffectOutcome",
    "RuntimeEffectOutcomeAwaitEvent",
    "RuntimeEffectOutcomeCheckpoint",
    "RuntimeEffectOutcomeDirect",
    "RuntimeEffectOutcomeDurableStep",
    "RuntimeEffectOutcomeExecCode",
    "RuntimeEffectOutcomeLlmCall",
    "RuntimeEffectOutcomeProcess",
    "RuntimeEffectOutcomeSleep",
    "RuntimeEffectOutcomeSyncExecutionEnvironment",
    "RuntimeEffectOutcomeToolAttempt",
    "RuntimeEffectOutcomeToolBatch",
    "ToolAttemptLaunch",
    "ToolAttemptLaunchDone",
    "ToolAttemptLaunchPending",
    "ToolManifest",
]

__era__ = "ceb460d4"
"""The form set this module holds (see :mod:`lash_spec.eras`)."""

ERA = "ceb460d4"

WIRE_ALIASES = {"ToolId": ToolId}
"""``ToolId`` at this era refuses a blank string on read."""


# ---------------------------------------------------------------------------
# tool_provider.rs
# ---------------------------------------------------------------------------


@era_form(ERA)
@attrs.frozen(kw_only=True)
class PreparedToolCall:
    """``PreparedToolCall``: a tool call frozen before it crosses an effect or
    process boundary; ``tool_id`` (required) names the resolved tool."""

    call_id: str
    tool_id: ToolId
    tool_name: str
    args: Value
    replay: ProviderReplayMeta | None = skip_none()
    prepared_payload: Value = skip_if(lambda v: v is None, default=None)


@attrs.frozen(kw_only=True)
class PreparedToolBatchCall:
    """``PreparedToolBatchCall``: one call of a batch with its replay suffix
    (``child:{index}:{call_id}`` when built by ``PreparedToolBatch::new``)."""

    call: PreparedToolCall
    replay_suffix: str


@attrs.frozen(kw_only=True)
class PreparedToolBatch:
    """``PreparedToolBatch``: calls in source order under one batch id."""

    batch_id: str
    calls: tuple[PreparedToolBatchCall, ...]


# ---------------------------------------------------------------------------
# lash-sansio tool_contract.rs
# ---------------------------------------------------------------------------


def _default_availability_config() -> _snapshot.ToolAvailabilityConfig:
    return _snapshot.ToolAvailabilityConfig.default()


@era_form(ERA)
@attrs.frozen(kw_only=True)
class ToolManifest:
    """``ToolManifest``: tool metadata, fields equal to their default not
    written. ``bindings`` (an open map) replaced ``lashlang_binding``, and
    ``id`` refuses a blank string on read."""

    id: ToolId
    name: str
    description: str = skip_if(lambda s: s == "", default="")
    compact_contract: _snapshot.CompactToolContract | None = skip_none()
    availability: _snapshot.ToolAvailabilityConfig = skip_if(
        lambda c: c == _snapshot.ToolAvailabilityConfig.default(),
        factory=_default_availability_config,
    )
    activation: _snapshot.ToolActivation = skip_if(
        lambda a: a is _snapshot.ToolActivation.ALWAYS, default=_snapshot.ToolActivation.ALWAYS
    )
    availability_override: _snapshot.ToolAvailability | None = skip_none()
    bindings: dict[str, Value] = skip_empty(dict)
    argument_projection: _snapshot.ToolArgumentProjectionPolicy = skip_if(
        lambda p: isinstance(p, _snapshot.ToolArgumentProjectionPolicyMaterializeProjectedValues),
        factory=_snapshot.ToolArgumentProjectionPolicyMaterializeProjectedValues,
    )
    scheduling: _snapshot.ToolScheduling = skip_if(
        lambda s: s is _snapshot.ToolScheduling.PARALLEL, default=_snapshot.ToolScheduling.PARALLEL
    )
    retry_policy: _snapshot.ToolRetryPolicy = skip_if(
        lambda p: isinstance(p, _snapshot.ToolRetryPolicyNever),
        factory=_snapshot.ToolRetryPolicyNever,
    )


# ---------------------------------------------------------------------------
# runtime/process/model.rs
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProcessIdentity:
    """``ProcessIdentity``: the visible kind, label and definition identity
    every durable process row carries (engines publish it at registration)."""

    kind: str
    label: str | None = skip_none()
    definition: Value | None = skip_none()


@era_form(ERA)
@wire_struct(deny_unknown_fields=True)
@attrs.frozen(kw_only=True)
class ProcessExecutionEnvSpec:
    """``ProcessExecutionEnvSpec``: the plugin options and session policy a
    process runs under. ``deny_unknown_fields`` at this era."""

    plugin_options: _snapshot.PluginOptions = dflt(factory=_snapshot.PluginOptions)
    policy: _snapshot.SessionPolicy = dflt(factory=_snapshot.SessionPolicy)

    def stable_ref(self) -> str:
        """Upstream ``stable_ref``: ``process-env:sha256:{hex}`` of the spec's
        compact serde JSON; the ref is content-addressed, storing is I/O."""
        return f"process-env:sha256:{stable_hash(self)}"

    def to_store_bytes(self) -> bytes:
        """Upstream ``to_store_bytes``: the compact serde JSON, UTF-8."""
        return to_json(self).encode()


@era_form(ERA)
@attrs.frozen(kw_only=True)
class ProcessProvenance:
    """``ProcessProvenance``: originator and cause (no host profile)."""

    originator: _process.ProcessOriginator
    caused_by: CausalRef | None = skip_none()


@era_form(ERA)
@tagged(tag="type", rust_name="ProcessInput")
@attrs.frozen(kw_only=True)
class ProcessInput:
    """``ProcessInput`` (internal tag ``type``): ``engine`` is the extension
    point for deployment-specific process runtimes."""


@variant("tool_call")
@attrs.frozen(kw_only=True)
class ProcessInputToolCall(ProcessInput):
    call: PreparedToolCall


@variant("engine")
@attrs.frozen(kw_only=True)
class ProcessInputEngine(ProcessInput):
    kind: str
    payload: Value = dflt(None)


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


@era_form(ERA)
@attrs.frozen(kw_only=True)
class ProcessRegistration:
    """``ProcessRegistration``: the spec that starts or recovers a process;
    ``identity`` is required."""

    id: str
    input: ProcessInput
    identity: ProcessIdentity
    event_types: tuple[_process.ProcessEventType, ...] = dflt(factory=tuple)
    provenance: ProcessProvenance
    env_ref: str | None = skip_none()
    wake_target: _process.SessionScope | None = skip_none()


@era_form(ERA)
@attrs.frozen(kw_only=True)
class ProcessRecord:
    """``ProcessRecord``: the durable process row; ``identity`` is required."""

    id: str
    registration_hash: str
    input: ProcessInput
    identity: ProcessIdentity
    event_types: tuple[_process.ProcessEventType, ...] = dflt(factory=tuple)
    provenance: ProcessProvenance
    env_ref: str | None = skip_none()
    wake_target: _process.SessionScope | None = skip_none()
    created_at_ms: U64 = dflt(0)
    updated_at_ms: U64 = dflt(0)
    external_ref: _process.ProcessExternalRef | None = skip_none()
    wait: _process.WaitState | None = skip_none()
    status: _process.ProcessStatus = dflt(factory=_process.ProcessStatusRunning)

    def is_terminal(self) -> bool:
        """Upstream ``is_terminal``."""
        return self.status.is_terminal()


# ---------------------------------------------------------------------------
# runtime/effect/envelope.rs
# ---------------------------------------------------------------------------


@era_form(ERA)
class RuntimeEffectKind(enum.Enum):
    """What kind of effect an envelope carries (snake_case unit enum)."""

    LLM_CALL = "llm_call"
    DIRECT = "direct"
    TOOL_ATTEMPT = "tool_attempt"
    TOOL_BATCH = "tool_batch"
    PROCESS = "process"
    EXEC_CODE = "exec_code"
    CHECKPOINT = "checkpoint"
    SYNC_EXECUTION_ENVIRONMENT = "sync_execution_environment"
    SLEEP = "sleep"
    AWAIT_EVENT = "await_event"
    DURABLE_STEP = "durable_step"

    def as_str(self) -> str:
        """``RuntimeEffectKind::as_str``: the same text as the serde name."""
        return self.value


@era_form(ERA)
@tagged(tag="type", rust_name="RuntimeEffectCommand")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommand:
    """What a runtime effect does (internally tagged by ``type``)."""

    def kind(self) -> RuntimeEffectKind:
        """The kind matching this command (one kind per variant)."""
        return RuntimeEffectKind(_COMMAND_TAGS[type(self)])

    @staticmethod
    def process(command: ProcessCommand) -> RuntimeEffectCommand:
        """``RuntimeEffectCommand::process``: box a process command."""
        return RuntimeEffectCommandProcess(command=command)

    def validate(self) -> None:
        """Upstream ``validate_effect_command`` (run by ``try_new`` after the
        invocation rule): a blank durable-step id, a tool attempt with a blank
        call id or outside ``1 <= attempt <= max_attempts``, and a blank or
        empty tool batch are refused."""
        if isinstance(self, RuntimeEffectCommandDurableStep) and not rust_trim(self.step_id):
            raise LashError(
                "runtime_effect_durable_step_id", "runtime effect durable step id must be non-empty"
            )
        if isinstance(self, RuntimeEffectCommandToolAttempt):
            if not rust_trim(self.call.call_id):
                raise LashError(
                    "runtime_effect_tool_attempt_call_id",
                    "runtime effect tool attempt requires a non-empty call id",
                )
            if self.attempt == 0 or self.max_attempts == 0 or self.attempt > self.max_attempts:
                raise LashError(
                    "runtime_effect_tool_attempt_index",
                    "runtime effect tool attempt must satisfy 1 <= attempt <= max_attempts, "
                    f"got {self.attempt}/{self.max_attempts}",
                )
        if isinstance(self, RuntimeEffectCommandToolBatch):
            if not rust_trim(self.batch.batch_id):
                raise LashError(
                    "runtime_effect_tool_batch_id", "runtime effect tool batch id must be non-empty"
                )
            if not self.batch.calls:
                raise LashError(
                    "runtime_effect_tool_batch_empty",
                    "runtime effect tool batch must contain calls",
                )


@variant("llm_call")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandLlmCall(RuntimeEffectCommand):
    request: _envelope.LlmRequestSpec


@variant("direct")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandDirect(RuntimeEffectCommand):
    request: _envelope.LlmRequestSpec
    usage_source: str


@variant("tool_attempt")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandToolAttempt(RuntimeEffectCommand):
    call: PreparedToolCall
    attempt: U32
    max_attempts: U32


@variant("tool_batch")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandToolBatch(RuntimeEffectCommand):
    batch: PreparedToolBatch


@variant("process")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandProcess(RuntimeEffectCommand):
    command: ProcessCommand


@variant("exec_code")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandExecCode(RuntimeEffectCommand):
    language: str
    code: str


@variant("checkpoint")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandCheckpoint(RuntimeEffectCommand):
    checkpoint: CheckpointKind


@variant("sync_execution_environment")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandSyncExecutionEnvironment(RuntimeEffectCommand):
    update_machine_config: bool


@variant("sleep")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandSleep(RuntimeEffectCommand):
    duration_ms: U64


@variant("await_event")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandAwaitEvent(RuntimeEffectCommand):
    key: AwaitEventKey


@variant("durable_step")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandDurableStep(RuntimeEffectCommand):
    step_id: str
    input: Value


@tagged(tag="status")
@attrs.frozen(kw_only=True)
class ToolAttemptLaunch:
    """``ToolAttemptLaunch`` (internal tag ``status``): one attempt's launch,
    done with its record or pending on an await-event key."""


@variant("done")
@attrs.frozen(kw_only=True)
class ToolAttemptLaunchDone(ToolAttemptLaunch):
    record: _tools.ToolCallRecord


@variant("pending")
@attrs.frozen(kw_only=True)
class ToolAttemptLaunchPending(ToolAttemptLaunch):
    key: AwaitEventKey
    pending: _tools.PendingCompletion
    duration_ms: U64


@era_form(ERA)
@tagged(tag="type", rust_name="RuntimeEffectOutcome")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcome:
    """What an executor answers (internally tagged by ``type``)."""

    def kind(self) -> RuntimeEffectKind:
        """The kind of effect this outcome answers."""
        return RuntimeEffectKind(_OUTCOME_TAGS[type(self)])

    def into_process(self) -> ProcessEffectOutcome:
        if isinstance(self, RuntimeEffectOutcomeProcess):
            return self.result
        raise wrong_outcome(RuntimeEffectKind.PROCESS, self.kind())

    def into_await_event(self) -> Resolution:
        if isinstance(self, RuntimeEffectOutcomeAwaitEvent):
            return self.resolution
        raise wrong_outcome(RuntimeEffectKind.AWAIT_EVENT, self.kind())


@variant("llm_call")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeLlmCall(RuntimeEffectOutcome):
    result: Result[LlmResponse, LlmCallError]
    text_streamed: bool


@variant("direct")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeDirect(RuntimeEffectOutcome):
    result: Result[LlmResponse, LlmCallError]


@variant("tool_attempt")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeToolAttempt(RuntimeEffectOutcome):
    launch: ToolAttemptLaunch
    triggers: tuple[_tools.ToolTriggerEffectOutcome, ...] = skip_empty()


@variant("tool_batch")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeToolBatch(RuntimeEffectOutcome):
    launches: tuple[ToolCallLaunch, ...]
    triggers: tuple[_tools.ToolTriggerEffectOutcome, ...] = skip_empty()


@variant("process")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeProcess(RuntimeEffectOutcome):
    result: ProcessEffectOutcome


@variant("exec_code")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeExecCode(RuntimeEffectOutcome):
    result: Result[ExecResponse, str]


@variant("checkpoint")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeCheckpoint(RuntimeEffectOutcome):
    result: Result[CheckpointDelivery, RuntimeEffectControllerError]


@variant("sync_execution_environment")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeSyncExecutionEnvironment(RuntimeEffectOutcome):
    result: Result[ExecutionEnvironmentSync | None, str]


@variant("sleep")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeSleep(RuntimeEffectOutcome):
    """Unit variant: ``{"type":"sleep"}``."""


@variant("await_event")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeAwaitEvent(RuntimeEffectOutcome):
    resolution: Resolution


@variant("durable_step")
@attrs.frozen(kw_only=True)
class RuntimeEffectOutcomeDurableStep(RuntimeEffectOutcome):
    value: Value


def _variant_tags(base: type) -> dict[type, str]:
    return {rule.cls: rule.wire_name for rule in base.__serde_variants__}  # type: ignore[attr-defined]


_COMMAND_TAGS = _variant_tags(RuntimeEffectCommand)
_OUTCOME_TAGS = _variant_tags(RuntimeEffectOutcome)

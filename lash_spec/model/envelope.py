"""Runtime-effect envelopes (seed 000: ``lash-core/src/runtime/effect/envelope.rs`` @74941d21).

A runtime effect travels as a :class:`RuntimeEffectEnvelope`: *who* asks
(:class:`RuntimeInvocation` — scope, subject, cause, replay key) and *what*
(:class:`RuntimeEffectCommand`). The envelope is only valid when its subject
is an effect with a non-blank id whose kind matches the command and a
non-empty replay key (:func:`validate_effect_invocation`); its identity is the
SHA-256 of its compact serde JSON (:meth:`RuntimeEffectEnvelope.stable_hash`).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Protocol

import attrs

from lash_spec.model.causal import (
    CausalRef,
    CausalRefEffect,
    CausalRefProcess,
    CausalRefProcessEvent,
    CausalRefSessionNode,
    CausalRefTriggerOccurrence,
)
from lash_spec.rust import rust_trim
from lash_spec.wire.codec import dflt, era_form, skip_none, stable_hash, tagged, variant
from lash_spec.wire.errors import LashError
from lash_spec.wire.types import U64, Usize

if TYPE_CHECKING:
    from lash_spec.model import ceb460d4
    from lash_spec.model.attachments import AttachmentCreateMeta, AttachmentRef
    from lash_spec.model.effect_id import ProcessCommand
    from lash_spec.model.executor import AwaitEventKey
    from lash_spec.model.llm import (
        GenerationOptions,
        LlmAttachment,
        LlmMessage,
        LlmOutputSpec,
        LlmRequest,
        LlmToolChoice,
        LlmToolSpec,
    )
    from lash_spec.model.plugin import CheckpointKind
    from lash_spec.model.tools import PreparedToolCall

__all__ = [
    "AttachmentStore",
    "LlmAttachmentSpec",
    "LlmRequestSpec",
    "RuntimeEffectCommand",
    "RuntimeEffectCommandAwaitEvent",
    "RuntimeEffectCommandCheckpoint",
    "RuntimeEffectCommandDirect",
    "RuntimeEffectCommandExecCode",
    "RuntimeEffectCommandLlmCall",
    "RuntimeEffectCommandProcess",
    "RuntimeEffectCommandSleep",
    "RuntimeEffectCommandSyncExecutionEnvironment",
    "RuntimeEffectCommandToolCall",
    "RuntimeEffectEnvelope",
    "RuntimeEffectKind",
    "RuntimeInvocation",
    "RuntimeReplay",
    "RuntimeScope",
    "RuntimeSubject",
    "RuntimeSubjectEffect",
    "RuntimeSubjectProcess",
    "RuntimeSubjectProcessEvent",
    "RuntimeSubjectSessionNode",
    "RuntimeSubjectTriggerOccurrence",
    "validate_effect_invocation",
]


@era_form("74941d21")
class RuntimeEffectKind(enum.Enum):
    """What kind of effect an envelope carries (snake_case unit enum); the
    ``74941d21`` form (``ceb460d4.RuntimeEffectKind`` has no ``tool_call``)."""

    LLM_CALL = "llm_call"
    DIRECT = "direct"
    TOOL_CALL = "tool_call"
    PROCESS = "process"
    EXEC_CODE = "exec_code"
    CHECKPOINT = "checkpoint"
    SYNC_EXECUTION_ENVIRONMENT = "sync_execution_environment"
    SLEEP = "sleep"
    AWAIT_EVENT = "await_event"

    def as_str(self) -> str:
        """``RuntimeEffectKind::as_str``: the same text as the serde name."""
        return self.value


# -- invocation -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class RuntimeScope:
    """Where an effect runs: a session, optionally a turn and protocol iteration."""

    session_id: str
    turn_id: str | None = skip_none()
    turn_index: Usize | None = skip_none()
    protocol_iteration: Usize | None = skip_none()

    @classmethod
    def new(cls, session_id: str) -> RuntimeScope:
        """``RuntimeScope::new``: session only."""
        return cls(session_id=session_id)

    @classmethod
    def for_turn(
        cls, session_id: str, turn_id: str, turn_index: int, protocol_iteration: int
    ) -> RuntimeScope:
        """``RuntimeScope::for_turn``: every field set."""
        return cls(
            session_id=session_id,
            turn_id=turn_id,
            turn_index=turn_index,
            protocol_iteration=protocol_iteration,
        )


@attrs.frozen(kw_only=True)
class RuntimeReplay:
    """The key under which a runtime replays an effect's recorded outcome."""

    key: str


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class RuntimeSubject:
    """What an invocation is about (internally tagged by ``type``)."""


@variant("effect")
@attrs.frozen(kw_only=True)
class RuntimeSubjectEffect(RuntimeSubject):
    effect_id: str
    kind: RuntimeEffectKind | ceb460d4.RuntimeEffectKind


@variant("process")
@attrs.frozen(kw_only=True)
class RuntimeSubjectProcess(RuntimeSubject):
    process_id: str


@variant("process_event")
@attrs.frozen(kw_only=True)
class RuntimeSubjectProcessEvent(RuntimeSubject):
    process_id: str
    sequence: U64
    event_type: str


@variant("trigger_occurrence")
@attrs.frozen(kw_only=True)
class RuntimeSubjectTriggerOccurrence(RuntimeSubject):
    occurrence_id: str


@variant("session_node")
@attrs.frozen(kw_only=True)
class RuntimeSubjectSessionNode(RuntimeSubject):
    node_id: str


@attrs.frozen(kw_only=True)
class RuntimeInvocation:
    """Who asks for an effect, and why."""

    scope: RuntimeScope
    subject: RuntimeSubject
    caused_by: CausalRef | None = skip_none()
    replay: RuntimeReplay | None = skip_none()

    @classmethod
    def effect(
        cls,
        scope: RuntimeScope,
        effect_id: str,
        kind: RuntimeEffectKind | ceb460d4.RuntimeEffectKind,
        replay_key: str,
    ) -> RuntimeInvocation:
        """``RuntimeInvocation::effect``: an effect subject with a replay key, no cause."""
        return cls(
            scope=scope,
            subject=RuntimeSubjectEffect(effect_id=effect_id, kind=kind),
            caused_by=None,
            replay=RuntimeReplay(key=replay_key),
        )

    def with_caused_by(self, caused_by: CausalRef | None) -> RuntimeInvocation:
        """Replace (or clear, with ``None``) the cause."""
        return attrs.evolve(self, caused_by=caused_by)

    def effect_id(self) -> str | None:
        """The effect id when the subject is an effect."""
        s = self.subject
        return s.effect_id if isinstance(s, RuntimeSubjectEffect) else None

    def effect_kind(self) -> RuntimeEffectKind | ceb460d4.RuntimeEffectKind | None:
        """The effect kind when the subject is an effect."""
        s = self.subject
        return s.kind if isinstance(s, RuntimeSubjectEffect) else None

    def replay_key(self) -> str | None:
        """The replay key, if any (an empty key is still returned)."""
        return None if self.replay is None else self.replay.key

    def causal_ref(self) -> CausalRef | None:
        """A reference that effects caused by this invocation can carry.

        Every subject maps to a cause (the Rust return type is ``Option`` but
        no arm returns ``None``). Effect and session-node subjects take the
        session (and, for effects, the possibly absent turn id) from the
        scope; process-event causes drop the event type.
        """
        s = self.subject
        if isinstance(s, RuntimeSubjectEffect):
            return CausalRefEffect(
                session_id=self.scope.session_id, turn_id=self.scope.turn_id, effect_id=s.effect_id
            )
        if isinstance(s, RuntimeSubjectProcess):
            return CausalRefProcess(process_id=s.process_id)
        if isinstance(s, RuntimeSubjectProcessEvent):
            return CausalRefProcessEvent(process_id=s.process_id, sequence=s.sequence)
        if isinstance(s, RuntimeSubjectTriggerOccurrence):
            return CausalRefTriggerOccurrence(occurrence_id=s.occurrence_id)
        assert isinstance(s, RuntimeSubjectSessionNode)
        return CausalRefSessionNode(session_id=self.scope.session_id, node_id=s.node_id)


# -- command ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LlmAttachmentSpec:
    """A durable attachment reference inside an LLM request spec."""

    reference: AttachmentRef

    def into_attachment(self) -> LlmAttachment:
        """``LlmAttachment::reference``: no inline bytes, only the reference."""
        from lash_spec.model.llm import LlmAttachment

        return LlmAttachment.of_reference(self.reference)


def _default_generation() -> GenerationOptions:
    from lash_spec.model.llm import GenerationOptions

    return GenerationOptions()


@attrs.frozen(kw_only=True)
class LlmRequestSpec:
    """``LlmRequest`` made durable: attachments as references, no senders."""

    model: str
    messages: tuple[LlmMessage, ...]
    attachments: tuple[LlmAttachmentSpec, ...]
    tools: tuple[LlmToolSpec, ...]
    tool_choice: LlmToolChoice
    model_variant: str | None
    generation: GenerationOptions = dflt(factory=_default_generation)
    session_id: str | None
    output_spec: LlmOutputSpec | None

    @classmethod
    def from_request(cls, request: LlmRequest, store: AttachmentStore) -> LlmRequestSpec:
        """``LlmRequestSpec::from_request``: every attachment made durable, in order.

        Raises the first attachment's error (see :func:`attachment_spec_from_attachment`).
        """
        return cls(
            model=request.model,
            messages=request.messages,
            attachments=tuple(
                attachment_spec_from_attachment(a, store) for a in request.attachments
            ),
            tools=request.tools,
            tool_choice=request.tool_choice,
            model_variant=request.model_variant,
            generation=request.generation,
            session_id=request.session_id,
            output_spec=request.output_spec,
        )

    def into_request(self) -> LlmRequest:
        """``LlmRequestSpec::into_request`` (without event/trace senders)."""
        from lash_spec.model.llm import LlmRequest

        return LlmRequest(
            model=self.model,
            messages=self.messages,
            attachments=tuple(a.into_attachment() for a in self.attachments),
            tools=self.tools,
            tool_choice=self.tool_choice,
            model_variant=self.model_variant,
            generation=self.generation,
            session_id=self.session_id,
            output_spec=self.output_spec,
        )


class AttachmentStore(Protocol):
    """What the attachment rule needs of a store: ``put`` bytes, get a reference.

    ``put`` raises any exception to signal a store failure.
    """

    def put(self, data: bytes, meta: AttachmentCreateMeta) -> AttachmentRef: ...


def attachment_spec_from_attachment(
    attachment: LlmAttachment, store: AttachmentStore
) -> LlmAttachmentSpec:
    """Make one attachment durable (``attachment_spec_from_attachment``).

    A reference wins over inline bytes; bytes alone are stored, which needs a
    MIME type :func:`~lash_spec.model.attachments.media_type_from_mime` knows.
    """
    from lash_spec.model.attachments import AttachmentCreateMeta, media_type_from_mime

    if attachment.reference is not None:
        return LlmAttachmentSpec(reference=attachment.reference)
    if not attachment.data:
        raise LashError(
            "runtime_effect_attachment_missing_reference",
            "runtime effect attachment has neither a durable reference nor inline bytes",
        )
    media_type = media_type_from_mime(attachment.mime)
    if media_type is None:
        raise LashError(
            "runtime_effect_attachment_media_type",
            f"attachment media type `{attachment.mime}` cannot be represented durably",
        )
    try:
        reference = store.put(
            attachment.data,
            AttachmentCreateMeta(media_type=media_type, width=None, height=None, label=None),
        )
    except Exception as err:
        raise LashError(
            "runtime_effect_attachment_store",
            f"failed to store attachment before runtime effect invocation: {err}",
        ) from err
    return LlmAttachmentSpec(reference=reference)


@era_form("74941d21")
@tagged(tag="type")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommand:
    """What a runtime effect does (internally tagged by ``type``); the
    ``74941d21`` form (see ``ceb460d4.RuntimeEffectCommand``)."""

    def kind(self) -> RuntimeEffectKind:
        """The kind matching this command (one kind per variant)."""
        return _COMMAND_KINDS[type(self)]

    @staticmethod
    def process(command: ProcessCommand) -> RuntimeEffectCommand:
        """``RuntimeEffectCommand::process``: box a process command."""
        return RuntimeEffectCommandProcess(command=command)


@variant("llm_call")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandLlmCall(RuntimeEffectCommand):
    request: LlmRequestSpec


@variant("direct")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandDirect(RuntimeEffectCommand):
    request: LlmRequestSpec
    usage_source: str


@variant("tool_call")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandToolCall(RuntimeEffectCommand):
    call: PreparedToolCall


@variant("process")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandProcess(RuntimeEffectCommand):
    command: ProcessCommand


@variant("exec_code")
@attrs.frozen(kw_only=True)
class RuntimeEffectCommandExecCode(RuntimeEffectCommand):
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


_COMMAND_KINDS: dict[type, RuntimeEffectKind] = {
    RuntimeEffectCommandLlmCall: RuntimeEffectKind.LLM_CALL,
    RuntimeEffectCommandDirect: RuntimeEffectKind.DIRECT,
    RuntimeEffectCommandToolCall: RuntimeEffectKind.TOOL_CALL,
    RuntimeEffectCommandProcess: RuntimeEffectKind.PROCESS,
    RuntimeEffectCommandExecCode: RuntimeEffectKind.EXEC_CODE,
    RuntimeEffectCommandCheckpoint: RuntimeEffectKind.CHECKPOINT,
    RuntimeEffectCommandSyncExecutionEnvironment: RuntimeEffectKind.SYNC_EXECUTION_ENVIRONMENT,
    RuntimeEffectCommandSleep: RuntimeEffectKind.SLEEP,
    RuntimeEffectCommandAwaitEvent: RuntimeEffectKind.AWAIT_EVENT,
}


# -- envelope --------------------------------------------------------------------


def validate_effect_invocation(
    invocation: RuntimeInvocation, command_kind: RuntimeEffectKind | ceb460d4.RuntimeEffectKind
) -> None:
    """The envelope rule, checked in the seed's order (first failure wins).

    1. subject must be an effect → ``runtime_effect_invocation_subject``;
    2. its id must not be blank (Rust ``trim``) → same code;
    3. its kind must equal the command's → ``runtime_effect_invocation_kind``;
    4. a replay key must be present and non-empty (``"  "`` is accepted: the
       key, unlike the id, is not trimmed) → ``runtime_effect_replay_required``.
    """
    subject = invocation.subject
    if not isinstance(subject, RuntimeSubjectEffect):
        raise LashError(
            "runtime_effect_invocation_subject", "runtime effect envelope subject must be an effect"
        )
    if not rust_trim(subject.effect_id):
        raise LashError(
            "runtime_effect_invocation_subject",
            "runtime effect envelope effect id must be non-empty",
        )
    if subject.kind is not command_kind:
        raise LashError(
            "runtime_effect_invocation_kind",
            f"runtime effect invocation kind {subject.kind.as_str()} does not match "
            f"command kind {command_kind.as_str()}",
        )
    if invocation.replay is None or not invocation.replay.key:
        raise LashError(
            "runtime_effect_replay_required", "runtime effect envelope requires replay.key"
        )


@attrs.frozen(kw_only=True)
class RuntimeEffectEnvelope:
    """An invocation with its command.

    Build through :meth:`try_new` to enforce the rule; decoding (like serde's
    derive) does *not* validate, so a decoded envelope may break it.
    """

    invocation: RuntimeInvocation
    command: RuntimeEffectCommand | ceb460d4.RuntimeEffectCommand

    @classmethod
    def try_new(
        cls,
        invocation: RuntimeInvocation,
        command: RuntimeEffectCommand | ceb460d4.RuntimeEffectCommand,
    ) -> RuntimeEffectEnvelope:
        """Validate (:func:`validate_effect_invocation`, then at ``ceb460d4``
        the command's own rule), then build."""
        validate_effect_invocation(invocation, command.kind())
        if not isinstance(command, RuntimeEffectCommand):
            command.validate()
        return cls(invocation=invocation, command=command)

    def stable_hash(self) -> str:
        """Lowercase hex SHA-256 of the envelope's compact serde JSON.

        Upstream maps a serialization failure to ``runtime_effect_envelope_hash``;
        every model value serializes, so that code cannot arise here.
        """
        return stable_hash(self)

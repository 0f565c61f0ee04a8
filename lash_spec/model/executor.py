"""Effect-executor wire types — ``lash-core runtime/effect/executor.rs`` (@000).

Era: @000 (seed 000). These are the serializable pieces of the executor that
envelope.rs reaches: the controller error carried by outcomes, the scope and
wait identity that make up an await-event key, and the terminal
:class:`Resolution` of an await. The registry, the HMAC signature and the
controllers themselves are runtime machinery, not wire contract.

``RuntimeEffectKind`` lives in :mod:`lash_spec.model.envelope`, which imports
this module; it is imported here for type checking only, and
:meth:`RuntimeEffectControllerError.wrong_outcome` reads the kinds' wire
names (``.value``, which equals upstream ``as_str()``), so no runtime import
of the envelope module is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from lash_spec.rust import rust_is_blank
from lash_spec.wire.codec import skip_none, tagged, variant
from lash_spec.wire.errors import LashError
from lash_spec.wire.types import U64, Value

if TYPE_CHECKING:
    from lash_spec.model.envelope import RuntimeEffectKind

__all__ = [
    "AwaitEventKey",
    "AwaitEventWaitIdentity",
    "AwaitEventWaitIdentityCustom",
    "AwaitEventWaitIdentityProcessSignal",
    "AwaitEventWaitIdentityToolCompletion",
    "ExecutionScope",
    "ExecutionScopeProcess",
    "ExecutionScopeQueueDrain",
    "ExecutionScopeRuntimeOperation",
    "ExecutionScopeSessionDelete",
    "ExecutionScopeTurn",
    "ExternalCompletionError",
    "Resolution",
    "ResolutionCancelled",
    "ResolutionErr",
    "ResolutionOk",
    "ResolutionTimeout",
    "RuntimeEffectControllerError",
]


@attrs.frozen(kw_only=True)
class RuntimeEffectControllerError:
    """executor.rs ``RuntimeEffectControllerError``: a stable code and a message.

    A serde struct (it rides in ``CheckpointOutcome``'s ``Err``) that is also
    the error type of envelope validation and the outcome accessors; Rust
    displays it as ``"{code}: {message}"``.
    """

    code: str
    message: str

    @classmethod
    def wrong_outcome(
        cls, expected: RuntimeEffectKind, actual: RuntimeEffectKind
    ) -> RuntimeEffectControllerError:
        """An outcome accessor met another kind's outcome (upstream ``wrong_outcome``)."""
        return cls(
            code="runtime_effect_wrong_outcome",
            message=f"expected {expected.value} outcome, got {actual.value}",
        )

    def to_lash_error(self) -> LashError:
        """The same refusal as a raisable :class:`LashError`."""
        return LashError(self.code, self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# ---------------------------------------------------------------------------
# ExecutionScope
# ---------------------------------------------------------------------------


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class ExecutionScope:
    """executor.rs ``ExecutionScope`` (internal tag ``type``): the stable
    semantic identity of one effectful operation, chosen by the host."""

    def id(self) -> str:
        """The scope's own id (upstream ``ExecutionScope::id``)."""
        raise NotImplementedError

    def scope_session_id(self) -> str | None:
        """The session the scope belongs to, if any (upstream ``session_id()``)."""
        return None

    def scope_turn_id(self) -> str | None:
        """The turn id of a ``turn`` scope (upstream ``turn_id()``)."""
        return None

    def validate(self) -> None:
        """Upstream ``validate``: every id must be non-blank.

        Raises ``LashError("missing_execution_scope_id", …)``.
        """
        if any(rust_is_blank(part) for part in self._ids()):
            raise LashError(
                "missing_execution_scope_id", "execution scopes require non-empty stable ids"
            )

    def _ids(self) -> tuple[str, ...]:
        raise NotImplementedError


@variant("turn")
@attrs.frozen(kw_only=True)
class ExecutionScopeTurn(ExecutionScope):
    session_id: str
    turn_id: str

    def id(self) -> str:
        return self.turn_id

    def scope_session_id(self) -> str | None:
        return self.session_id

    def scope_turn_id(self) -> str | None:
        return self.turn_id

    def _ids(self) -> tuple[str, ...]:
        return (self.session_id, self.turn_id)


@variant("process")
@attrs.frozen(kw_only=True)
class ExecutionScopeProcess(ExecutionScope):
    process_id: str

    def id(self) -> str:
        return self.process_id

    def _ids(self) -> tuple[str, ...]:
        return (self.process_id,)


@variant("queue_drain")
@attrs.frozen(kw_only=True)
class ExecutionScopeQueueDrain(ExecutionScope):
    session_id: str
    drain_id: str

    def id(self) -> str:
        return self.drain_id

    def scope_session_id(self) -> str | None:
        return self.session_id

    def _ids(self) -> tuple[str, ...]:
        return (self.session_id, self.drain_id)


@variant("session_delete")
@attrs.frozen(kw_only=True)
class ExecutionScopeSessionDelete(ExecutionScope):
    session_id: str

    def id(self) -> str:
        return self.session_id

    def scope_session_id(self) -> str | None:
        return self.session_id

    def _ids(self) -> tuple[str, ...]:
        return (self.session_id,)


@variant("runtime_operation")
@attrs.frozen(kw_only=True)
class ExecutionScopeRuntimeOperation(ExecutionScope):
    operation_id: str

    def id(self) -> str:
        return self.operation_id

    def _ids(self) -> tuple[str, ...]:
        return (self.operation_id,)


# ---------------------------------------------------------------------------
# AwaitEventWaitIdentity / AwaitEventKey
# ---------------------------------------------------------------------------


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class AwaitEventWaitIdentity:
    """executor.rs ``AwaitEventWaitIdentity`` (internal tag ``type``): what an
    await-event waits for, within its scope."""

    def validate(self) -> None:
        """Upstream ``validate``: non-blank ids and a non-zero signal ordinal.

        Raises ``LashError("invalid_await_event_wait_identity", …)``.
        """
        if self._invalid():
            raise LashError(
                "invalid_await_event_wait_identity",
                "await-event wait identity requires non-empty stable ids",
            )

    def _invalid(self) -> bool:
        raise NotImplementedError


@variant("tool_completion")
@attrs.frozen(kw_only=True)
class AwaitEventWaitIdentityToolCompletion(AwaitEventWaitIdentity):
    tool_call_id: str

    def _invalid(self) -> bool:
        return rust_is_blank(self.tool_call_id)


@variant("process_signal")
@attrs.frozen(kw_only=True)
class AwaitEventWaitIdentityProcessSignal(AwaitEventWaitIdentity):
    process_id: str
    signal_name: str
    ordinal: U64

    def _invalid(self) -> bool:
        return (
            rust_is_blank(self.process_id) or rust_is_blank(self.signal_name) or self.ordinal == 0
        )


@variant("custom")
@attrs.frozen(kw_only=True)
class AwaitEventWaitIdentityCustom(AwaitEventWaitIdentity):
    key: str

    def _invalid(self) -> bool:
        return rust_is_blank(self.key)


@attrs.frozen(kw_only=True)
class AwaitEventKey:
    """executor.rs ``AwaitEventKey``: a signed handle on one await-event.

    ``key_id`` is the stable hash of ``[scope, wait]``; ``signature`` is an
    HMAC under a per-process random secret, so it is opaque here.
    """

    scope: ExecutionScope
    wait: AwaitEventWaitIdentity
    key_id: str
    signature: str

    def promise_key(self) -> str:
        """Upstream ``promise_key``: ``lash-await-event:{key_id}``."""
        return f"lash-await-event:{self.key_id}"


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ExternalCompletionError:
    """executor.rs ``ExternalCompletionError``: why an external completion failed."""

    code: str
    message: str
    raw: Value | None = skip_none()


@tagged(tag="status", content="payload")
@attrs.frozen(kw_only=True)
class Resolution:
    """executor.rs ``Resolution`` (adjacent: ``status`` + ``payload``): how an
    await-event ended. Unit variants are written without a ``payload`` key."""


@variant("ok", newtype=True)
@attrs.frozen(kw_only=True)
class ResolutionOk(Resolution):
    value: Value


@variant("err", newtype=True)
@attrs.frozen(kw_only=True)
class ResolutionErr(Resolution):
    error: ExternalCompletionError


@variant("timeout")
@attrs.frozen(kw_only=True)
class ResolutionTimeout(Resolution): ...


@variant("cancelled")
@attrs.frozen(kw_only=True)
class ResolutionCancelled(Resolution): ...

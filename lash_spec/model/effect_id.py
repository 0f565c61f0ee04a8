"""Process commands and their effect ids (seed 000: ``ProcessCommand``, envelope.rs @74941d21).

A process command's effect id is derived from the command alone, so a replayed
command lands on the same recorded outcome. The ids are plain text built from
the command's identifying fields; a transfer hashes its id list (order and
duplicates included) with lash's stable JSON hash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from lash_spec.wire.codec import dflt, skip_if, skip_none, stable_hash, tagged, variant

if TYPE_CHECKING:
    from lash_spec.model import ceb460d4
    from lash_spec.model.process import (
        ProcessEventAppendRequest,
        ProcessExecutionContext,
        ProcessListMode,
        ProcessRegistration,
        ProcessStartGrant,
        SessionScope,
    )

__all__ = [
    "ProcessCommand",
    "ProcessCommandAwait",
    "ProcessCommandCancel",
    "ProcessCommandDeleteSession",
    "ProcessCommandList",
    "ProcessCommandSignal",
    "ProcessCommandStart",
    "ProcessCommandTransfer",
    "transfer_digest",
]


@tagged(tag="op")
@attrs.frozen(kw_only=True)
class ProcessCommand:
    """A process-plane request (internally tagged by ``op``)."""

    def effect_id(self) -> str:
        """``ProcessCommand::effect_id``: the deterministic id of this command."""
        raise NotImplementedError  # every variant overrides


def _context_is_empty(context: ProcessExecutionContext) -> bool:
    return context.is_empty()


def _empty_context() -> ProcessExecutionContext:
    from lash_spec.model.process import ProcessExecutionContext

    return ProcessExecutionContext()


def _live() -> ProcessListMode:
    from lash_spec.model.process import ProcessListMode

    return ProcessListMode.LIVE


@variant("start")
@attrs.frozen(kw_only=True)
class ProcessCommandStart(ProcessCommand):
    registration: ProcessRegistration | ceb460d4.ProcessRegistration
    grant: ProcessStartGrant | None = skip_none()
    # Written only when it holds a causal invocation.
    execution_context: ProcessExecutionContext = skip_if(_context_is_empty, factory=_empty_context)

    def effect_id(self) -> str:
        return f"process:start:{self.registration.id}"


@variant("list")
@attrs.frozen(kw_only=True)
class ProcessCommandList(ProcessCommand):
    session_scope: SessionScope
    mode: ProcessListMode = dflt(factory=_live)  # always written, even when "live"

    def effect_id(self) -> str:
        return f"process:list:{self.session_scope.id()}:{self.mode.as_str()}"


def transfer_digest(process_ids: tuple[str, ...]) -> str:
    """SHA-256 of the ids' stable JSON array (order and duplicates matter)."""
    return stable_hash(list(process_ids))


@variant("transfer")
@attrs.frozen(kw_only=True)
class ProcessCommandTransfer(ProcessCommand):
    from_scope: SessionScope
    to_scope: SessionScope
    process_ids: tuple[str, ...]

    def effect_id(self) -> str:
        # Upstream falls back to "unhashable" when hashing fails; a list of
        # strings always serializes, so the fallback is unreachable.
        digest = transfer_digest(self.process_ids)
        return f"process:transfer:{self.from_scope.id()}:{self.to_scope.id()}:{digest}"


@variant("delete_session")
@attrs.frozen(kw_only=True)
class ProcessCommandDeleteSession(ProcessCommand):
    session_id: str

    def effect_id(self) -> str:
        # Note the hyphen: the op tag is `delete_session`, the id says `delete-session`.
        return f"process:delete-session:{self.session_id}"


@variant("await")
@attrs.frozen(kw_only=True)
class ProcessCommandAwait(ProcessCommand):
    process_id: str

    def effect_id(self) -> str:
        return f"process:await:{self.process_id}"


@variant("cancel")
@attrs.frozen(kw_only=True)
class ProcessCommandCancel(ProcessCommand):
    process_id: str
    reason: str | None  # written as null, never skipped

    def effect_id(self) -> str:
        # The reason does not take part: cancelling twice is one effect.
        return f"process:cancel:{self.process_id}"


@variant("signal")
@attrs.frozen(kw_only=True)
class ProcessCommandSignal(ProcessCommand):
    process_id: str
    signal_name: str
    signal_id: str
    request: ProcessEventAppendRequest

    def effect_id(self) -> str:
        return f"process:signal:{self.process_id}:signal.{self.signal_name}:{self.signal_id}"

"""Code-execution results — ``lash-sansio/src/session.rs``.

``ExecResponse``, ``TextProjectionMetadata`` and ``ExecImage`` have the same
shape at @003, @000 and @002 (only a doc comment changed).
"""

from __future__ import annotations

import attrs

from lash_spec.model.attachments import AttachmentRef
from lash_spec.model.tools import ToolCallRecord
from lash_spec.wire.codec import skip_empty, skip_none
from lash_spec.wire.types import U32, U64, Usize, Value

__all__ = ["ExecImage", "ExecResponse", "TextProjectionMetadata"]


@attrs.frozen(kw_only=True)
class ExecImage:
    """``ExecImage``: an image produced by executed code.

    ``reference`` skip-none, ``data`` (``Vec<u8>``, an int array) skip-empty,
    ``width``/``height`` skip-none; ``mime`` and ``label`` always written.
    """

    mime: str
    reference: AttachmentRef | None = skip_none()
    data: bytes = skip_empty(bytes)
    label: str
    width: U32 | None = skip_none()
    height: U32 | None = skip_none()


@attrs.frozen(kw_only=True)
class TextProjectionMetadata:
    """``TextProjectionMetadata``: how an observation was truncated."""

    truncated: bool
    original_chars: Usize
    projected_chars: Usize
    original_lines: Usize
    projected_lines: Usize
    limit: Usize
    limit_mode: str
    max_lines: Usize


@attrs.frozen(kw_only=True)
class ExecResponse:
    """``ExecResponse``: nothing skipped; ``error``/``terminal_finish`` are
    written as ``null`` when absent (a JSON ``null`` ``terminal_finish`` reads
    as absent: it is an ``Option<Value>``)."""

    observations: tuple[str, ...]
    observation_truncation: tuple[TextProjectionMetadata, ...]
    tool_calls: tuple[ToolCallRecord, ...]
    images: tuple[ExecImage, ...]
    printed_images: tuple[AttachmentRef, ...]
    error: str | None = None
    duration_ms: U64
    terminal_finish: Value | None = None

"""Plugin-facing wire types of ``lash-sansio/src/plugin.rs``.

Same shape at all three upstream commits (@003, @000, @002).

``PluginMessage`` is built from session-model types and ``SessionEvent`` (in
:mod:`lash_spec.model.session`) carries plugin types, so the two modules
import each other *as modules*: the annotations are resolved only when the
codec first builds a shape, after both modules have finished loading.
"""

from __future__ import annotations

import enum

import attrs

from lash_spec.model import session as _session
from lash_spec.wire.codec import skip_empty, skip_none, tagged, variant
from lash_spec.wire.types import Value

__all__ = [
    "CheckpointKind",
    "PluginMessage",
    "PluginRuntimeEvent",
    "PluginRuntimeEventCustom",
    "PluginRuntimeEventStatus",
]


class CheckpointKind(enum.Enum):
    """``CheckpointKind``: where a host/plugin checkpoint runs (snake_case units)."""

    AFTER_WORK = "after_work"
    BEFORE_COMPLETION = "before_completion"


@attrs.frozen(kw_only=True)
class PluginMessage:
    """``PluginMessage``: a message a plugin injects into the turn.

    ``images`` is ``Vec<Vec<u8>>``: each image an array of byte integers, the
    whole list left out when empty.
    """

    role: _session.MessageRole
    content: str
    origin: _session.MessageOrigin | None = skip_none()
    parts: tuple[_session.Part, ...] = skip_empty()
    images: tuple[bytes, ...] = skip_empty()


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class PluginRuntimeEvent:
    """``PluginRuntimeEvent``: internally tagged by ``kind``, snake_case variants."""


@variant("status")
@attrs.frozen(kw_only=True)
class PluginRuntimeEventStatus(PluginRuntimeEvent):
    key: str
    label: str
    detail: str | None = skip_none()


@variant("custom")
@attrs.frozen(kw_only=True)
class PluginRuntimeEventCustom(PluginRuntimeEvent):
    name: str
    payload: Value

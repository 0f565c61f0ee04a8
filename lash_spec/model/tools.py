"""Tool calls, tool outputs and tool values.

Sources (wire-format.md §3 and §8):

* ``lash-sansio/src/tool_output.rs`` — ``ToolCallOutput``, ``ToolCallOutcome``,
  ``ToolValue`` (hand-written serde), ``ToolFailure`` and friends,
  ``ToolControl``, ``ModelToolReturn``, ``ToolCallRecord``. Identical at
  @003, @000 and @002.
* ``lash-sansio/src/tool_contract.rs`` — ``ToolOutputContract`` (same shape
  at all three commits).
* ``lash-core/src/tool_result.rs`` — ``PendingCompletion``,
  ``TimeoutBehavior``, ``CancelHint`` (@000; same shape at @002, absent @003).
* ``lash-core/src/tool_provider.rs`` — ``PreparedToolCall`` (@000 era: at
  @002 upstream adds a ``tool_id`` field; seed 002's types never reach this
  struct, so only the @000 shape is modelled and ``tool_id`` is ignored on
  read like any unknown key).
* ``lash-core/src/tool_dispatch/context.rs`` — ``ToolTriggerEffectOutcome``
  (@000; unchanged @002).

``ToolValue`` is a Python JSON value (``None``/``bool``/``int``/``float``/
``str``/``list``/``dict``) in which :class:`AttachmentRef` instances may
appear anywhere; :class:`ToolValueShape` writes and reads the reserved
``$lash_tool_value`` forms.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union

import attrs

from lash_spec.model.attachments import AttachmentRef
from lash_spec.model.llm import ProviderReplayMeta
from lash_spec.model.std import Duration
from lash_spec.wire.codec import (
    Shape,
    describe,
    dflt,
    era_form,
    renamed,
    shape_of,
    skip_empty,
    skip_if,
    skip_none,
    tagged,
    variant,
)
from lash_spec.wire.errors import WireError
from lash_spec.wire.reader import TextObject
from lash_spec.wire.text import canonical_value
from lash_spec.wire.types import U32, U64, Value

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from lash_spec.sampling import Choices

__all__ = [
    "TOOL_VALUE_TAG",
    "CancelHint",
    "ModelToolReturn",
    "ModelToolReturnPart",
    "ModelToolReturnPartAttachment",
    "ModelToolReturnPartText",
    "PendingCompletion",
    "PreparedToolCall",
    "TimeoutBehavior",
    "ToolCallOutcome",
    "ToolCallOutcomeCancelled",
    "ToolCallOutcomeFailure",
    "ToolCallOutcomeSuccess",
    "ToolCallOutput",
    "ToolCallRecord",
    "ToolCancellation",
    "ToolControl",
    "ToolControlFail",
    "ToolControlFinish",
    "ToolControlSwitchAgentFrame",
    "ToolFailure",
    "ToolFailureClass",
    "ToolFailureSource",
    "ToolOutputContract",
    "ToolOutputContractFromInputSchema",
    "ToolOutputContractStatic",
    "ToolRetryDisposition",
    "ToolRetryDispositionExhausted",
    "ToolRetryDispositionNever",
    "ToolRetryDispositionSafe",
    "ToolTriggerEffectOutcome",
    "ToolValue",
    "ToolValueData",
    "ToolValueShape",
]


# ---------------------------------------------------------------------------
# ToolValue
# ---------------------------------------------------------------------------

TOOL_VALUE_TAG = "$lash_tool_value"
"""The reserved key of ``tool_output.rs``'s tagged ``ToolValue`` forms."""

ToolValueData: TypeAlias = Union[  # noqa: UP007  (a recursive alias needs the string forms)
    bool,
    int,
    float,
    str,
    list["ToolValueData"],
    dict[str, "ToolValueData"],
    AttachmentRef,
    None,
]


class ToolValueShape(Shape):
    """``tool_output.rs`` ``ToolValue``'s hand-written ``Serialize``/``Deserialize``.

    Writing: JSON scalars and arrays as themselves; an object with its keys
    sorted (a ``BTreeMap``), except that an object holding the reserved key
    ``$lash_tool_value`` is escaped as
    ``{"$lash_tool_value":"object","entries":{…}}``; an attachment is
    ``{"$lash_tool_value":"attachment","ref":AttachmentRef}``.

    Reading (``deserialize_any``): a non-finite float is rejected; an object
    without the reserved key is a plain object; with it, the tag must be a
    string, ``"attachment"`` needs exactly the keys ``$lash_tool_value`` and
    ``ref``, ``"object"`` exactly ``$lash_tool_value`` and ``entries`` (an
    object of tool values); any other tag is an error. Reserved forms are read
    from a ``serde_json::Value`` upstream, so serde's buffered-content leniency
    never applies inside them.

    A Python ``nan``/``inf`` (which no ``serde_json::Number`` can hold) is
    written as ``null``, as serde_json writes a non-finite ``f64``.
    """

    expecting = "a Lash tool value"

    def encode(self, obj: Any) -> Any:
        t = type(obj)
        if obj is None or t is bool or t is str or t is float:
            return obj
        if t is int:
            return canonical_value(obj)
        if t is list or t is tuple:
            return [self.encode(x) for x in obj]
        if t is dict:
            entries = {k: self.encode(obj[k]) for k in sorted(obj)}
            if TOOL_VALUE_TAG in obj:
                return {TOOL_VALUE_TAG: "object", "entries": entries}
            return entries
        if t is AttachmentRef:
            return {TOOL_VALUE_TAG: "attachment", "ref": shape_of(AttachmentRef).encode(obj)}
        raise TypeError(f"not a tool value: {t.__name__}")

    def decode(self, value: Any, content: bool) -> Any:
        t = type(value)
        if value is None or t is bool:
            return value
        if t is int:
            return canonical_value(value)
        if t is float:
            if math.isnan(value) or math.isinf(value):
                raise WireError("non-finite number is not a valid tool value")
            return value
        if t is str:
            return shape_of(str).decode(value, False)
        if t is list:
            out: list[Any] = []
            for i, item in enumerate(value):
                try:
                    out.append(self.decode(item, content))
                except WireError as err:
                    raise err.at(i) from None
            return out
        if t is dict or t is TextObject:  # a repeated key: the last wins, as in a Value
            return self._decode_object(value)
        raise WireError(f"invalid type: {describe(value)}, expected {self.expecting}")

    def _decode_entries(self, value: dict[str, Any]) -> dict[str, Any]:
        entries: dict[str, Any] = {}
        for key in sorted(value):
            try:
                shape_of(str).decode(key, False)
                entries[key] = self.decode(value[key], False)
            except WireError as err:
                raise err.at(key) from None
        return entries

    def _decode_object(self, value: dict[str, Any]) -> Any:
        if TOOL_VALUE_TAG not in value:
            return self._decode_entries(value)
        tag = value[TOOL_VALUE_TAG]
        if type(tag) is not str:
            raise WireError("reserved tool value tag must be a string").at(TOOL_VALUE_TAG)
        if tag == "attachment":
            if len(value) != 2 or "ref" not in value:
                raise WireError("malformed attachment tool value")
            try:
                return shape_of(AttachmentRef).decode(value["ref"], False)
            except WireError as err:
                raise err.at("ref") from None
        if tag == "object":
            if len(value) != 2 or "entries" not in value:
                raise WireError("malformed escaped object tool value")
            entries = value["entries"]
            if type(entries) is not dict:
                raise WireError(f"invalid type: {describe(entries)}, expected a map").at("entries")
            try:
                return self._decode_entries(entries)
            except WireError as err:
                raise err.at("entries") from None
        raise WireError(f"unknown reserved tool value tag `{tag}`").at(TOOL_VALUE_TAG)

    def sample(self, c: Choices, depth: int = 0) -> Any:
        """Tool values as :meth:`strategy` draws them."""
        from lash_spec.sampling import JSON_SCALARS, many, sample_string, sampler_for

        kind = c.integer(0, 7 if depth < 2 else 5)
        if kind < len(JSON_SCALARS):
            return JSON_SCALARS[kind](c)
        if kind == 5:
            return sampler_for(AttachmentRef)(c)
        inner = self._inside(depth)
        if kind == 6:
            return [c.draw(inner) for _ in many(c, 3)]
        return {
            TOOL_VALUE_TAG if c.integer(0, 3) == 3 else sample_string(c): c.draw(inner)
            for _ in many(c, 3)
        }

    @functools.cache  # noqa: B019 - one per shape and depth, for ever (spans, see sample)
    def _inside(self, depth: int) -> Callable[[Choices], Any]:
        """The items of an array or object at ``depth`` (one sampler each)."""
        return functools.partial(self.sample, depth=depth + 1)

    def strategy(self) -> SearchStrategy[Any]:
        """Tool values as a read produces them.

        Arrays are Python lists (what :meth:`decode` builds), integers stay
        within ``i64``/``u64`` (serde_json holds a longer literal as an
        ``f64``), floats are finite and text-stable, and objects may hold the
        reserved key (escaped on write) or be attachments.
        """
        from hypothesis import strategies as st

        from lash_spec.strategies import strategy_for, wire_floats, wire_strings

        keys = wire_strings | st.just(TOOL_VALUE_TAG)
        scalars = st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**63), 2**64 - 1),
            wire_floats,
            wire_strings,
            strategy_for(AttachmentRef),
        )
        return st.recursive(
            scalars,
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
            max_leaves=6,
        )


ToolValue = Annotated[ToolValueData, ToolValueShape()]
"""``ToolValue`` as a field annotation (the shape does the serde work)."""


# ---------------------------------------------------------------------------
# tool_output.rs
# ---------------------------------------------------------------------------


class ToolFailureClass(enum.Enum):
    """``ToolFailureClass`` (snake_case)."""

    INVALID_REQUEST = "invalid_request"
    UNAVAILABLE = "unavailable"
    PERMISSION_DENIED = "permission_denied"
    TIMEOUT = "timeout"
    EXECUTION = "execution"
    EXTERNAL = "external"
    RESOURCE_LIMIT = "resource_limit"
    INTERNAL = "internal"


class ToolFailureSource(enum.Enum):
    """``ToolFailureSource`` (snake_case)."""

    RUNTIME = "runtime"
    TOOL = "tool"
    PLUGIN = "plugin"
    POLICY = "policy"
    CANCELLATION = "cancellation"


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class ToolRetryDisposition:
    """``ToolRetryDisposition``: internally tagged by ``type``."""


@variant("never")
@attrs.frozen(kw_only=True)
class ToolRetryDispositionNever(ToolRetryDisposition):
    pass


@variant("safe")
@attrs.frozen(kw_only=True)
class ToolRetryDispositionSafe(ToolRetryDisposition):
    after_ms: U64 | None = skip_none()


@variant("exhausted")
@attrs.frozen(kw_only=True)
class ToolRetryDispositionExhausted(ToolRetryDisposition):
    attempts: U32


@attrs.frozen(kw_only=True)
class ToolFailure:
    """``ToolFailure``. The Rust field ``class`` is ``class_`` in Python."""

    class_: ToolFailureClass = renamed("class")
    code: str
    message: str
    source: ToolFailureSource = ToolFailureSource.RUNTIME
    retry: ToolRetryDisposition = attrs.field(factory=ToolRetryDispositionNever)
    raw: ToolValue | None = skip_none()


@attrs.frozen(kw_only=True)
class ToolCancellation:
    """``ToolCancellation``.

    ``raw`` skip-none: Python ``None`` means "absent", so upstream's
    ``Some(ToolValue::Null)`` (written ``"raw":null``, read back as absent) is
    not representable.
    """

    message: str
    source: ToolFailureSource
    raw: ToolValue | None = skip_none()


@tagged(tag="status", content="payload")
@attrs.frozen(kw_only=True)
class ToolCallOutcome:
    """``ToolCallOutcome``: adjacently tagged ``status``/``payload``."""


@variant("success", newtype=True)
@attrs.frozen(kw_only=True)
class ToolCallOutcomeSuccess(ToolCallOutcome):
    value: ToolValue


@variant("failure", newtype=True)
@attrs.frozen(kw_only=True)
class ToolCallOutcomeFailure(ToolCallOutcome):
    failure: ToolFailure


@variant("cancelled", newtype=True)
@attrs.frozen(kw_only=True)
class ToolCallOutcomeCancelled(ToolCallOutcome):
    cancellation: ToolCancellation


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class ToolControl:
    """``ToolControl``: internally tagged by ``type``."""


@variant("switch_agent_frame")
@attrs.frozen(kw_only=True)
class ToolControlSwitchAgentFrame(ToolControl):
    frame_id: str
    initial_nodes: tuple[Value, ...] = skip_empty()
    task: str | None = skip_none()


@variant("finish")
@attrs.frozen(kw_only=True)
class ToolControlFinish(ToolControl):
    value: ToolValue


@variant("fail")
@attrs.frozen(kw_only=True)
class ToolControlFail(ToolControl):
    failure: ToolFailure


@attrs.frozen(kw_only=True)
class ToolCallOutput:
    """``ToolCallOutput``: the outcome plus an optional control (skip-none)."""

    outcome: ToolCallOutcome
    control: ToolControl | None = skip_none()

    @classmethod
    def success(cls, value: ToolValueData) -> ToolCallOutput:
        """``ToolCallOutput::success``."""
        return cls(outcome=ToolCallOutcomeSuccess(value=value))

    @classmethod
    def failure(cls, failure: ToolFailure) -> ToolCallOutput:
        """``ToolCallOutput::failure``."""
        return cls(outcome=ToolCallOutcomeFailure(failure=failure))

    @classmethod
    def cancelled(cls, cancellation: ToolCancellation) -> ToolCallOutput:
        """``ToolCallOutput::cancelled``."""
        return cls(outcome=ToolCallOutcomeCancelled(cancellation=cancellation))

    def with_control(self, control: ToolControl) -> ToolCallOutput:
        """``ToolCallOutput::with_control``."""
        return attrs.evolve(self, control=control)

    def is_success(self) -> bool:
        """``ToolCallOutput::is_success``."""
        return isinstance(self.outcome, ToolCallOutcomeSuccess)


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class ModelToolReturnPart:
    """``ModelToolReturnPart``: internally tagged by ``type``; ``attachment``
    is a newtype over ``AttachmentRef``, whose fields follow the tag inline."""


@variant("text")
@attrs.frozen(kw_only=True)
class ModelToolReturnPartText(ModelToolReturnPart):
    text: str


@variant("attachment", newtype=True)
@attrs.frozen(kw_only=True)
class ModelToolReturnPartAttachment(ModelToolReturnPart):
    reference: AttachmentRef


@attrs.frozen(kw_only=True)
class ModelToolReturn:
    """``ModelToolReturn``: what the model sees of a tool's result."""

    call_id: str
    tool_name: str
    parts: tuple[ModelToolReturnPart, ...]


@attrs.frozen(kw_only=True)
class ToolCallRecord:
    """``ToolCallRecord``: one tool call made during code execution."""

    call_id: str | None = skip_none()
    tool: str
    args: Value
    output: ToolCallOutput
    duration_ms: U64


# ---------------------------------------------------------------------------
# tool_contract.rs
# ---------------------------------------------------------------------------


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class ToolOutputContract:
    """``tool_contract.rs`` ``ToolOutputContract``: internally tagged by
    ``kind`` (``Default`` is ``static``)."""


@variant("static")
@attrs.frozen(kw_only=True)
class ToolOutputContractStatic(ToolOutputContract):
    pass


@variant("from_input_schema")
@attrs.frozen(kw_only=True)
class ToolOutputContractFromInputSchema(ToolOutputContract):
    input_field: str
    default_schema: Value | None = skip_none()


# ---------------------------------------------------------------------------
# lash-core: tool_result.rs, tool_provider.rs, tool_dispatch/context.rs
# ---------------------------------------------------------------------------


class TimeoutBehavior(enum.Enum):
    """``tool_result.rs`` ``TimeoutBehavior`` (snake_case)."""

    ERROR_AS_RESULT = "error_as_result"
    FAIL_TURN = "fail_turn"


class CancelHint(enum.Enum):
    """``tool_result.rs`` ``CancelHint`` (snake_case)."""

    IGNORE = "ignore"
    CANCEL_EXTERNAL_WORK = "cancel_external_work"


@attrs.frozen(kw_only=True)
class PendingCompletion:
    """``tool_result.rs`` ``PendingCompletion``.

    ``deadline`` is a ``Duration`` (skip-none). ``on_timeout``/``on_cancel``
    are required on the wire; the Python defaults are Rust's ``Default``.
    """

    deadline: Duration | None = skip_none()
    on_timeout: TimeoutBehavior = TimeoutBehavior.ERROR_AS_RESULT
    on_cancel: CancelHint = CancelHint.CANCEL_EXTERNAL_WORK


def _is_json_null(value: object) -> bool:
    return value is None


@era_form("74941d21")
@attrs.frozen(kw_only=True)
class PreparedToolCall:
    """``tool_provider.rs`` ``PreparedToolCall``: the ``74941d21`` form
    (``ceb460d4.PreparedToolCall`` adds a required ``tool_id``).

    ``prepared_payload`` is skipped when it is JSON ``null`` and read as
    ``null`` when missing.
    """

    call_id: str
    tool_name: str
    args: Value
    replay: ProviderReplayMeta | None = skip_none()
    prepared_payload: Value = skip_if(_is_json_null, default=None)


@attrs.frozen(kw_only=True)
class ToolTriggerEffectOutcome:
    """``tool_dispatch/context.rs`` ``ToolTriggerEffectOutcome``.

    ``payload`` is ``#[serde(default)]`` (``null``, always written); ``source``
    is skip-none (a JSON ``null`` reads as absent).
    """

    source_type: str
    source_key: str
    occurrence_id: str
    payload: Value = dflt(None)
    idempotency_key: str
    source: Value | None = skip_none()
    started_process_ids: tuple[str, ...]


ERA_WIRE_ALIASES: dict[str, dict[str, Any]] = {"74941d21": {"ToolId": str}}
"""``ToolId`` in the ``74941d21`` forms: a transparent string that reads any
string, blank included (``ceb460d4`` refuses a blank one on read)."""

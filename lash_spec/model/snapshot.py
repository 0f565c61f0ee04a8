"""Session snapshot types reached from ``AssembledTurn`` and ``ProcessInput``.

wire-format.md §9, "Session snapshot types" — same shape at @000 and @002;
read at @002 (ceb460d4). Upstream homes:

* ``lash-core/src/plugin/session_types.rs`` — :class:`SessionSnapshot`,
  :class:`AgentFrameRecord`, :class:`AgentFrameAssignment`,
  :class:`SessionCreateRequest`, :class:`SessionRelation`,
  :class:`SessionStartPoint`, :class:`SessionPluginSource`,
  :class:`SessionAppendNode`, :class:`SessionToolAccess`,
  :class:`SubagentSessionContext`;
* ``lash-core/src/session_model/mod.rs`` — :class:`SessionPolicy` (hand-written
  serde: see :class:`SessionPolicyShape`);
* ``lash-core/src/model.rs`` — :class:`ModelSpec`, :class:`ModelLimits`;
* ``lash-core/src/session_graph.rs`` — :class:`SessionGraph` (serialized as
  :class:`SessionGraphData`), :class:`SessionNodeRecord`;
* ``lash-core/src/lib.rs`` — :class:`ProtocolTurnOptions`;
* ``lash-core/src/plugin/protocol.rs`` — :class:`PluginOptions`;
* ``lash-core/src/runtime/usage.rs`` — :class:`TokenLedgerEntry`;
* ``lash-sansio/src/session_model/prompt.rs`` and ``plugin.rs`` — the prompt
  layer types; ``session.rs`` — :class:`PromptUsage`;
* ``lash-sansio/src/tool_contract.rs`` — :class:`ToolDefinition` (two
  flattened structs, see :class:`ToolDefinitionShape`) and its parts.

Transparent string newtypes (``AgentFrameId``, ``AgentFrameReason``,
``BlobRef``) are plain ``str``. ``HashMap`` fields (``PromptLayer.slots``) are
declared ``hashmap=True`` and written with sorted keys; Rust's order is random
per process there (every order: :func:`lash_spec.wire.codec.all_orders`).
``SessionCreateRequest.context_overlay`` is ``#[serde(skip)]`` and live-only,
so it is not modelled.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import attrs

from lash_spec.model.causal import CausalRef
from lash_spec.model.plugin import PluginMessage
from lash_spec.model.session import ProtocolEvent, SessionEventRecord, TokenUsage
from lash_spec.rust import rust_trim
from lash_spec.wire.codec import (
    EraSlotShape,
    Shape,
    StructShape,
    UnitEnumShape,
    dflt,
    era_form,
    flatten,
    invalid_type,
    json_value,
    shape_of,
    skip_empty,
    skip_if,
    skip_none,
    tagged,
    variant,
    wire_struct,
)
from lash_spec.wire.errors import WireError
from lash_spec.wire.reader import TextObject
from lash_spec.wire.types import I32, U8, U32, U64, NonZeroUsize, Usize, Value

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from lash_spec.model import ceb460d4
    from lash_spec.sampling import Choices

__all__ = [
    "AgentFrameAssignment",
    "AgentFrameRecord",
    "AgentFrameStatus",
    "CompactToolContract",
    "LashlangToolBinding",
    "ModelLimits",
    "ModelSpec",
    "PluginOptions",
    "PromptBuiltin",
    "PromptContribution",
    "PromptContributionGate",
    "PromptLayer",
    "PromptSlot",
    "PromptSlotLayer",
    "PromptTemplate",
    "PromptTemplateEntry",
    "PromptTemplateEntryBuiltin",
    "PromptTemplateEntrySlot",
    "PromptTemplateEntryText",
    "PromptTemplateSection",
    "PromptUsage",
    "ProtocolTurnOptions",
    "SchemaProjectionOverride",
    "SessionAppendNode",
    "SessionAppendNodeMessage",
    "SessionAppendNodePlugin",
    "SessionAppendNodeProtocolEvent",
    "SessionCreateRequest",
    "SessionGraph",
    "SessionGraphData",
    "SessionNodePayload",
    "SessionNodePayloadEvent",
    "SessionNodePayloadPlugin",
    "SessionNodeRecord",
    "SessionPluginSource",
    "SessionPolicy",
    "SessionRelation",
    "SessionRelationChild",
    "SessionRelationRoot",
    "SessionSnapshot",
    "SessionStartPoint",
    "SessionStartPointCurrentSession",
    "SessionStartPointEmpty",
    "SessionStartPointExistingSession",
    "SessionStartPointSnapshot",
    "SessionToolAccess",
    "SubagentSessionContext",
    "TokenLedgerEntry",
    "ToolActivation",
    "ToolArgumentProjectionPolicy",
    "ToolArgumentProjectionPolicyMaterializeProjectedValues",
    "ToolArgumentProjectionPolicyPreserveProjectedRefsInField",
    "ToolAvailability",
    "ToolAvailabilityConfig",
    "ToolContract",
    "ToolDefinition",
    "ToolId",
    "ToolManifest",
    "ToolOutputContract",
    "ToolOutputContractFromInputSchema",
    "ToolOutputContractStatic",
    "ToolRetryPolicy",
    "ToolRetryPolicyIdempotent",
    "ToolRetryPolicyNever",
    "ToolRetryPolicySafe",
    "ToolScheduling",
    "default_prompt_template",
    "relation_parent_session_id",
]


# ---------------------------------------------------------------------------
# Small shapes for container types the codec has no helper for
# ---------------------------------------------------------------------------


class EnumKeyMapShape(Shape):
    """``HashMap<E, T>`` with a unit-enum key ``E``: keys are the variant names.

    serde reads each key as a unit variant (an unknown name is rejected);
    written with keys sorted by name (Rust's ``HashMap`` order is unspecified).
    """

    expecting = "a map"

    def __init__(self, key: type[enum.Enum], value: Any) -> None:
        self.key_type = key
        self.value_type = value

    def encode(self, obj: Any) -> Any:
        inner = shape_of(self.value_type)
        return {k.value: inner.encode(obj[k]) for k in sorted(obj, key=lambda m: m.value)}

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not dict and type(value) is not TextObject:  # a map: the last wins
            raise invalid_type(value, "a map")
        keys = UnitEnumShape(self.key_type)
        inner = shape_of(self.value_type)
        out: dict[Any, Any] = {}
        for k, v in value.items():
            try:
                member = keys.decode(k, content)
                out[member] = inner.decode(v, content)
            except WireError as err:
                raise err.at(k) from None
        return out

    def sample(self, c: Choices) -> Any:
        from lash_spec.sampling import choose, many, sampler_for

        keys, value = list(self.key_type), sampler_for(self.value_type)
        return {choose(c, keys): value(c) for _ in many(c, 3)}

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        from lash_spec.strategies import strategy_for

        return st.dictionaries(
            st.sampled_from(list(self.key_type)), strategy_for(self.value_type), max_size=3
        )


class SortedStrSetShape(Shape):
    """``BTreeSet<String>``: a JSON array, read into a set, written sorted."""

    expecting = "a sequence"

    def encode(self, obj: Any) -> Any:
        return sorted(obj)

    def decode(self, value: Any, content: bool) -> Any:
        items: tuple[str, ...] = shape_of(tuple[str, ...]).decode(value, content)
        return frozenset(items)

    def sample(self, c: Choices) -> Any:
        from lash_spec.sampling import many, sample_string

        return frozenset([sample_string(c) for _ in many(c, 3)])

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        from lash_spec.strategies import wire_strings

        return st.frozensets(wire_strings, max_size=3)


class ToolIdShape(Shape):
    """``ToolId`` (tool_contract.rs): a transparent string, blank rejected on read."""

    expecting = "a string"

    def encode(self, obj: Any) -> Any:
        return obj

    def decode(self, value: Any, content: bool) -> Any:
        text: str = shape_of(str).decode(value, content)
        if not rust_trim(text):
            raise WireError("tool id must not be empty")
        return text

    def sample(self, c: Choices) -> Any:
        """Only ids a read accepts: not blank under Rust's ``trim`` (a few tries,
        then a plain id, so the choices a value takes stay bounded)."""
        from lash_spec.sampling import sample_string

        for _ in range(4):
            text = sample_string(c)
            if rust_trim(text):
                return text
        return "tool"

    def strategy(self) -> SearchStrategy[Any]:
        """Only ids a read accepts: not blank under Rust's ``trim``."""
        from lash_spec.strategies import wire_strings

        return wire_strings.filter(lambda s: bool(rust_trim(s)))


ToolId = Annotated[str, ToolIdShape()]
"""``ToolId``: a non-blank string (rejected on read when Rust `trim` leaves nothing)."""

WIRE_ALIASES: dict[str, Any] = {
    "AgentFrameId": str,
    "AgentFrameReason": str,
    "BlobRef": str,
    "ToolId": ToolId,
}
"""Transparent newtypes of this module, for ``decode:`` ops."""


# ---------------------------------------------------------------------------
# lib.rs / protocol.rs / usage.rs / session.rs
# ---------------------------------------------------------------------------


def _empty_object() -> dict[str, Any]:
    return {}


@attrs.frozen(kw_only=True)
class ProtocolTurnOptions:
    """``ProtocolTurnOptions`` (lash-core lib.rs): protocol-owned turn options.

    ``payload`` defaults to an empty *object* (not ``null``) when missing on
    read; an explicit ``null`` stays ``null``.
    """

    payload: Value = dflt(factory=_empty_object)

    def is_empty(self) -> bool:
        """True only for an empty object payload (``null`` is not empty)."""
        return isinstance(self.payload, dict) and not self.payload

    def merged_with_override(self, override: ProtocolTurnOptions) -> ProtocolTurnOptions:
        """Object payloads merge key by key (override wins); otherwise the override."""
        if isinstance(self.payload, dict) and isinstance(override.payload, dict):
            merged = {**self.payload, **override.payload}
            return ProtocolTurnOptions(payload={k: merged[k] for k in sorted(merged)})
        return override


@attrs.frozen(kw_only=True)
class PluginOptions:
    """``PluginOptions`` (plugin/protocol.rs): plugin id → options, a sorted map."""

    plugins: dict[str, Value] = skip_empty(dict)


@attrs.frozen(kw_only=True)
class TokenLedgerEntry:
    """``TokenLedgerEntry`` (runtime/usage.rs): accumulated usage per (source, model)."""

    source: str
    model: str
    usage: TokenUsage


@attrs.frozen(kw_only=True)
class PromptUsage:
    """``PromptUsage`` (lash-sansio session.rs): prompt usage of the last LLM call."""

    prompt_context_tokens: Usize
    input_tokens: Usize
    cached_input_tokens: Usize
    context_budget_tokens: Usize = dflt(0)


# ---------------------------------------------------------------------------
# model.rs
# ---------------------------------------------------------------------------


@wire_struct(deny_unknown_fields=True)
@attrs.frozen(kw_only=True)
class ModelLimits:
    """``ModelLimits`` (model.rs): token limits; both ``NonZeroUsize``.

    Default ``context_window_tokens = 1``.
    """

    context_window_tokens: NonZeroUsize = 1
    output_token_capacity: NonZeroUsize | None = skip_none()


@wire_struct(deny_unknown_fields=True)
@attrs.frozen(kw_only=True)
class ModelSpec:
    """``ModelSpec`` (model.rs). ``limits`` is required on read.

    Rust's ``Default`` is ``{"id": "", "limits": {"context_window_tokens": 1}}``,
    which is what the Python defaults give.
    """

    id: str = ""
    variant: str | None = skip_none()
    limits: ModelLimits = attrs.field(factory=ModelLimits)

    def context_window_tokens(self) -> int:
        return self.limits.context_window_tokens


# ---------------------------------------------------------------------------
# Tool definitions (lash-sansio tool_contract.rs)
# ---------------------------------------------------------------------------


class ToolScheduling(enum.Enum):
    """``ToolScheduling``: whether a tool may run alongside others in a batch."""

    PARALLEL = "parallel"
    SERIAL = "serial"


class ToolAvailability(enum.Enum):
    """``ToolAvailability`` (ordered; ``Off`` is the Rust default)."""

    OFF = "off"
    SEARCHABLE = "searchable"
    CALLABLE = "callable"
    SHOWCASED = "showcased"


class ToolActivation(enum.Enum):
    """``ToolActivation`` (default ``Always``)."""

    ALWAYS = "always"
    INTERNAL = "internal"


@tagged(tag="type")
@attrs.frozen(kw_only=True)
class ToolRetryPolicy:
    """``ToolRetryPolicy``: internally tagged by ``type``; default ``never``."""


@variant("never")
@attrs.frozen(kw_only=True)
class ToolRetryPolicyNever(ToolRetryPolicy): ...


@variant("safe")
@attrs.frozen(kw_only=True)
class ToolRetryPolicySafe(ToolRetryPolicy):
    max_attempts: U32
    base_delay_ms: U64
    max_delay_ms: U64


@variant("idempotent")
@attrs.frozen(kw_only=True)
class ToolRetryPolicyIdempotent(ToolRetryPolicy):
    max_attempts: U32
    base_delay_ms: U64
    max_delay_ms: U64


@attrs.frozen(kw_only=True)
class ToolAvailabilityConfig:
    """``ToolAvailabilityConfig``: ``base`` is required on read; Rust default showcased."""

    base: ToolAvailability

    @classmethod
    def default(cls) -> ToolAvailabilityConfig:
        return cls(base=ToolAvailability.SHOWCASED)


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class ToolOutputContract:
    """``ToolOutputContract``: internally tagged by ``kind``; default ``static``."""


@variant("static")
@attrs.frozen(kw_only=True)
class ToolOutputContractStatic(ToolOutputContract): ...


@variant("from_input_schema")
@attrs.frozen(kw_only=True)
class ToolOutputContractFromInputSchema(ToolOutputContract):
    input_field: str
    default_schema: Value | None = skip_none()


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class ToolArgumentProjectionPolicy:
    """``ToolArgumentProjectionPolicy``: internally tagged by ``kind``."""


@variant("materialize_projected_values")
@attrs.frozen(kw_only=True)
class ToolArgumentProjectionPolicyMaterializeProjectedValues(ToolArgumentProjectionPolicy): ...


@variant("preserve_projected_refs_in_field")
@attrs.frozen(kw_only=True)
class ToolArgumentProjectionPolicyPreserveProjectedRefsInField(ToolArgumentProjectionPolicy):
    field: str


@attrs.frozen(kw_only=True)
class CompactToolContract:
    """``CompactToolContract``: the catalog-facing projection of a contract."""

    name: str
    signature: str
    returns: str
    parameters: tuple[Value, ...] = skip_empty()
    return_fields: tuple[Value, ...] = skip_empty()
    description: str = skip_if(lambda s: s == "", default="")
    examples: tuple[str, ...] = skip_empty()


@attrs.frozen(kw_only=True)
class SchemaProjectionOverride:
    """``SchemaProjectionOverride``: a per-profile schema."""

    profile: str
    schema: Value


def _default_availability_config() -> ToolAvailabilityConfig:
    return ToolAvailabilityConfig.default()


@era_form("74941d21")
@attrs.frozen(kw_only=True)
class LashlangToolBinding:
    """``LashlangToolBinding`` (``74941d21``): how lashlang code calls a tool;
    ``ceb460d4`` replaced it by the open ``ToolManifest.bindings`` map."""

    module_path: tuple[str, ...] = skip_empty()
    operation: str | None = skip_none()
    authority_type: str | None = skip_none()
    aliases: tuple[str, ...] = skip_empty()


@era_form("74941d21")
@attrs.frozen(kw_only=True)
class ToolManifest:
    """``ToolManifest``: tool metadata. Fields equal to their default are not
    written. The ``74941d21`` form: a ``lashlang_binding`` (skipped when empty)
    and an ``id`` that reads any string; see ``ceb460d4.ToolManifest``."""

    id: str
    name: str
    description: str = skip_if(lambda s: s == "", default="")
    compact_contract: CompactToolContract | None = skip_none()
    availability: ToolAvailabilityConfig = skip_if(
        lambda c: c == ToolAvailabilityConfig.default(), factory=_default_availability_config
    )
    activation: ToolActivation = skip_if(
        lambda a: a is ToolActivation.ALWAYS, default=ToolActivation.ALWAYS
    )
    availability_override: ToolAvailability | None = skip_none()
    lashlang_binding: LashlangToolBinding = skip_if(
        lambda b: b == LashlangToolBinding(), factory=LashlangToolBinding
    )
    argument_projection: ToolArgumentProjectionPolicy = skip_if(
        lambda p: isinstance(p, ToolArgumentProjectionPolicyMaterializeProjectedValues),
        factory=ToolArgumentProjectionPolicyMaterializeProjectedValues,
    )
    scheduling: ToolScheduling = skip_if(
        lambda s: s is ToolScheduling.PARALLEL, default=ToolScheduling.PARALLEL
    )
    retry_policy: ToolRetryPolicy = skip_if(
        lambda p: isinstance(p, ToolRetryPolicyNever), factory=ToolRetryPolicyNever
    )


def _default_input_schema() -> dict[str, Any]:
    return {"additionalProperties": True, "properties": {}, "type": "object"}


@attrs.frozen(kw_only=True)
class ToolContract:
    """``ToolContract``: schemas and docs. ``input_schema`` defaults to an open object
    schema, ``output_schema`` to ``null``."""

    input_schema: Value = dflt(factory=_default_input_schema)
    output_schema: Value = dflt(None)
    input_schema_projections: tuple[SchemaProjectionOverride, ...] = skip_empty()
    output_schema_projections: tuple[SchemaProjectionOverride, ...] = skip_empty()
    output_contract: ToolOutputContract = skip_if(
        lambda c: isinstance(c, ToolOutputContractStatic), factory=ToolOutputContractStatic
    )
    examples: tuple[str, ...] = skip_empty()


class ToolDefinitionShape(Shape):
    """``ToolDefinition``: ``#[serde(flatten)]`` manifest, then flattened contract.

    One flat JSON object: the manifest's keys, then the contract's (the two key
    sets are disjoint). Read from a map only (serde buffers the entries), each
    part taking its own keys; other keys are ignored.
    """

    expecting = "struct ToolDefinition"

    def encode(self, obj: Any) -> Any:
        out: dict[str, Any] = shape_of(type(obj.manifest)).encode(obj.manifest)
        out.update(shape_of(ToolContract).encode(obj.contract))
        return out

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not dict and type(value) is not TextObject:
            raise invalid_type(value, self.expecting)
        from lash_spec.model import ceb460d4

        slot = shape_of(ToolManifest | ceb460d4.ToolManifest)  # the era's form
        assert isinstance(slot, EraSlotShape)
        manifest = shape_of(slot.form())
        contract = shape_of(ToolContract)
        assert isinstance(manifest, StructShape) and isinstance(contract, StructShape)
        return ToolDefinition(
            manifest=manifest.decode_map(value, True), contract=contract.decode_map(value, True)
        )

    def sample(self, c: Choices) -> Any:
        from lash_spec.model import ceb460d4
        from lash_spec.sampling import sampler_for

        return ToolDefinition(
            manifest=sampler_for(ToolManifest | ceb460d4.ToolManifest)(c),
            contract=sampler_for(ToolContract)(c),
        )

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        from lash_spec.model import ceb460d4
        from lash_spec.strategies import strategy_for

        return st.builds(
            ToolDefinition,
            manifest=strategy_for(ToolManifest | ceb460d4.ToolManifest),
            contract=strategy_for(ToolContract),
        )


@attrs.frozen(kw_only=True)
class ToolDefinition:
    """``ToolDefinition``: a :class:`ToolManifest` and a :class:`ToolContract`, flattened."""

    __wire_shape__ = ToolDefinitionShape

    manifest: ToolManifest | ceb460d4.ToolManifest
    contract: ToolContract = attrs.field(factory=ToolContract)


# ---------------------------------------------------------------------------
# Prompt layers (lash-sansio session_model/prompt.rs, plugin.rs)
# ---------------------------------------------------------------------------


class PromptBuiltin(enum.Enum):
    """``PromptBuiltin``: text the runtime renders itself."""

    MAIN_AGENT_INTRO = "main_agent_intro"
    EXECUTION_INSTRUCTIONS = "execution_instructions"
    CORE_GUIDANCE = "core_guidance"


class PromptSlot(enum.Enum):
    """``PromptSlot``: where a prompt contribution goes."""

    INTRO = "intro"
    EXECUTION = "execution"
    GUIDANCE = "guidance"
    PROJECT_INSTRUCTIONS = "project_instructions"
    RUNTIME_CONTEXT = "runtime_context"
    ENVIRONMENT = "environment"


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class PromptTemplateEntry:
    """``PromptTemplateEntry``: internally tagged by ``kind``."""


@variant("text")
@attrs.frozen(kw_only=True)
class PromptTemplateEntryText(PromptTemplateEntry):
    content: str


@variant("builtin")
@attrs.frozen(kw_only=True)
class PromptTemplateEntryBuiltin(PromptTemplateEntry):
    builtin: PromptBuiltin


@variant("slot")
@attrs.frozen(kw_only=True)
class PromptTemplateEntrySlot(PromptTemplateEntry):
    slot: PromptSlot


@attrs.frozen(kw_only=True)
class PromptTemplateSection:
    """``PromptTemplateSection``: an optional title and its entries."""

    title: str | None = skip_none()
    entries: tuple[PromptTemplateEntry, ...] = skip_empty()


@attrs.frozen(kw_only=True)
class PromptTemplate:
    """``PromptTemplate``. ``sections`` is required on read; Rust's ``Default`` is
    :func:`default_prompt_template` (see :meth:`default`), not an empty template."""

    sections: tuple[PromptTemplateSection, ...]

    @classmethod
    def default(cls) -> PromptTemplate:
        return default_prompt_template()


def default_prompt_template() -> PromptTemplate:
    """``default_prompt_template()`` (prompt.rs): the built-in four-section template."""
    builtin, slot = PromptTemplateEntryBuiltin, PromptTemplateEntrySlot
    return PromptTemplate(
        sections=(
            PromptTemplateSection(
                entries=(
                    builtin(builtin=PromptBuiltin.MAIN_AGENT_INTRO),
                    slot(slot=PromptSlot.INTRO),
                )
            ),
            PromptTemplateSection(
                title="Execution",
                entries=(
                    builtin(builtin=PromptBuiltin.EXECUTION_INSTRUCTIONS),
                    slot(slot=PromptSlot.EXECUTION),
                ),
            ),
            PromptTemplateSection(
                title="Guidance",
                entries=(
                    builtin(builtin=PromptBuiltin.CORE_GUIDANCE),
                    slot(slot=PromptSlot.PROJECT_INSTRUCTIONS),
                    slot(slot=PromptSlot.GUIDANCE),
                ),
            ),
            PromptTemplateSection(
                title="Environment",
                entries=(slot(slot=PromptSlot.RUNTIME_CONTEXT), slot(slot=PromptSlot.ENVIRONMENT)),
            ),
        )
    )


@attrs.frozen(kw_only=True)
class PromptContributionGate:
    """``PromptContributionGate``: tools that must be available for a contribution.

    "Empty" means *no tools*, whatever ``minimum_availability`` says — that is
    the predicate that drops the whole gate from :class:`PromptContribution`.
    """

    tools: tuple[str, ...] = skip_empty()
    minimum_availability: ToolAvailability = dflt(ToolAvailability.OFF)

    def is_empty(self) -> bool:
        return not self.tools


@attrs.frozen(kw_only=True)
class PromptContribution:
    """``PromptContribution`` (lash-sansio plugin.rs); ``gate`` skipped when it has no tools."""

    slot: PromptSlot
    title: str | None = skip_none()
    priority: I32 = dflt(0)
    gate: PromptContributionGate = skip_if(lambda g: g.is_empty(), factory=PromptContributionGate)
    content: str


@attrs.frozen(kw_only=True)
class PromptSlotLayer:
    """``PromptSlotLayer``: ``reset`` drops earlier contributions to the slot."""

    reset: bool = dflt(False)
    contributions: tuple[PromptContribution, ...] = skip_empty()


def _slot_layers_empty(slots: dict[PromptSlot, PromptSlotLayer]) -> bool:
    return not slots


@attrs.frozen(kw_only=True)
class PromptLayer:
    """``PromptLayer``: an optional template override and per-slot layers.

    ``slots`` is a ``HashMap<PromptSlot, PromptSlotLayer>``: written with keys
    sorted by name (Rust's order is random per process, so a hash of a layer
    with two or more slots has several upstream answers). The mutators of the
    Rust type return a new layer here.
    """

    template: PromptTemplate | None = skip_none()
    slots: Annotated[
        dict[PromptSlot, PromptSlotLayer], EnumKeyMapShape(PromptSlot, PromptSlotLayer)
    ] = skip_if(_slot_layers_empty, factory=dict, hashmap=True)

    def is_empty(self) -> bool:
        """No template and no slot layers (what ``SessionPolicy`` checks)."""
        return self.template is None and not self.slots

    def add_contribution(self, contribution: PromptContribution) -> PromptLayer:
        """Append to the contribution's own slot (creating a non-reset layer)."""
        slots = dict(self.slots)
        layer = slots.get(contribution.slot, PromptSlotLayer())
        slots[contribution.slot] = attrs.evolve(
            layer, contributions=(*layer.contributions, contribution)
        )
        return attrs.evolve(self, slots=slots)

    def replace_slot(
        self, slot: PromptSlot, contributions: tuple[PromptContribution, ...]
    ) -> PromptLayer:
        """A reset layer holding ``contributions``, each re-homed to ``slot``."""
        moved = tuple(attrs.evolve(c, slot=slot) for c in contributions)
        return attrs.evolve(
            self, slots={**self.slots, slot: PromptSlotLayer(reset=True, contributions=moved)}
        )

    def clear_slot(self, slot: PromptSlot) -> PromptLayer:
        """A reset layer with no contributions."""
        return attrs.evolve(self, slots={**self.slots, slot: PromptSlotLayer(reset=True)})


# ---------------------------------------------------------------------------
# SessionPolicy (lash-core session_model/mod.rs) — hand-written serde
# ---------------------------------------------------------------------------


class SessionPolicyShape(Shape):
    """``SessionPolicy``'s own ``Serialize``/``Deserialize``.

    Write: ``model``, ``provider_id`` (trimmed as Rust `str::trim` does), ``session_id``,
    ``autonomous``, ``max_turns``, then ``prompt`` only when the layer is not
    empty. Read: the value is first buffered as a ``serde_json::Value``; an
    object holding a ``provider`` key is rejected (legacy provider config);
    then every field is optional and unknown fields are rejected.
    """

    expecting = "struct Wire"

    def __init__(self) -> None:
        self._wire: StructShape | None = None

    def encode(self, obj: Any) -> Any:
        out: dict[str, Any] = {
            "model": shape_of(ModelSpec).encode(obj.model),
            "provider_id": rust_trim(obj.provider_id),
            "session_id": obj.session_id,
            "autonomous": obj.autonomous,
            "max_turns": obj.max_turns,
        }
        if not obj.prompt.is_empty():
            out["prompt"] = shape_of(PromptLayer).encode(obj.prompt)
        return out

    def decode(self, value: Any, content: bool) -> Any:
        # Upstream reads a serde_json::Value first: a repeated key (at any depth)
        # keeps its last value, as in any Value map, instead of being refused.
        value = json_value(value)
        if type(value) is dict and "provider" in value:
            raise WireError(
                "legacy serialized provider config is not supported in session state;"
                " persist provider_id only"
            )
        # The inner derive reads from a serde_json::Value: like JSON text (and
        # unlike serde's Content buffer) a Value gives enum tags as strings
        # only, whatever mode the policy itself was read in.
        if self._wire is None:
            self._wire = StructShape(SessionPolicy, "Wire")
        return self._wire.decode(value, False)

    def sample(self, c: Choices) -> Any:
        """Policies as :meth:`strategy` draws them (``provider_id`` trimmed)."""
        from lash_spec.sampling import sample_string, sampler_for

        return SessionPolicy(
            model=sampler_for(ModelSpec)(c),
            provider_id=rust_trim(sample_string(c)),
            session_id=sampler_for(str | None)(c),
            autonomous=bool(c.integer(0, 1)),
            max_turns=sampler_for(Usize | None)(c),
            prompt=sampler_for(PromptLayer)(c),
        )

    def strategy(self) -> SearchStrategy[Any]:
        """Policies as a read produces them.

        ``provider_id`` is already trimmed: the write trims it, so an untrimmed
        id is not a fixed point of write → read (Rust keeps it only in memory).
        """
        from hypothesis import strategies as st

        from lash_spec.strategies import strategy_for, wire_strings

        return st.builds(
            SessionPolicy,
            model=strategy_for(ModelSpec),
            provider_id=wire_strings.map(rust_trim),
            session_id=strategy_for(str | None),
            autonomous=st.booleans(),
            max_turns=strategy_for(Usize | None),
            prompt=strategy_for(PromptLayer),
        )


@wire_struct(deny_unknown_fields=True)
@attrs.frozen(kw_only=True)
class SessionPolicy:
    """``SessionPolicy``: the persisted per-session model/provider policy.

    :meth:`recorded_provider_id` is what is written; the field keeps what was
    read. See :class:`SessionPolicyShape` for the wire rules.
    """

    __wire_shape__ = SessionPolicyShape

    model: ModelSpec = dflt(factory=ModelSpec)
    provider_id: str = dflt("")
    session_id: str | None = dflt(None)
    autonomous: bool = dflt(False)
    max_turns: Usize | None = dflt(None)
    prompt: PromptLayer = dflt(factory=PromptLayer)

    def recorded_provider_id(self) -> str:
        return rust_trim(self.provider_id)


# ---------------------------------------------------------------------------
# Session graph (lash-core session_graph.rs)
# ---------------------------------------------------------------------------


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class SessionNodePayload:
    """``SessionNodePayload``: internally tagged by ``kind`` (flattened into a node)."""


@variant("event")
@attrs.frozen(kw_only=True)
class SessionNodePayloadEvent(SessionNodePayload):
    event: SessionEventRecord


@variant("plugin")
@attrs.frozen(kw_only=True)
class SessionNodePayloadPlugin(SessionNodePayload):
    plugin_type: str
    body: Value


@attrs.frozen(kw_only=True)
class SessionNodeRecord:
    """``SessionNodeRecord``: one node of the session graph; the payload's ``kind``
    and fields follow ``timestamp`` inline."""

    node_id: str
    parent_node_id: str | None = skip_none()
    caused_by: CausalRef | None = skip_none()
    agent_frame_id: str | None = skip_none()
    timestamp: str
    payload: SessionNodePayload = flatten()


@attrs.frozen(kw_only=True)
class SessionGraphData:
    """``SessionGraphData``: the serialized form of a :class:`SessionGraph`."""

    nodes: tuple[SessionNodeRecord, ...] = dflt(factory=tuple)
    leaf_node_id: str | None = skip_none()


class SessionGraphShape(Shape):
    """``SessionGraph`` serializes and deserializes exactly as its ``SessionGraphData``."""

    expecting = "struct SessionGraphData"

    def encode(self, obj: Any) -> Any:
        return shape_of(SessionGraphData).encode(obj.data)

    def decode(self, value: Any, content: bool) -> Any:
        return SessionGraph(data=shape_of(SessionGraphData).decode(value, content))

    def sample(self, c: Choices) -> Any:
        from lash_spec.sampling import sampler_for

        return SessionGraph(data=sampler_for(SessionGraphData)(c))

    def strategy(self) -> SearchStrategy[Any]:
        from hypothesis import strategies as st

        from lash_spec.strategies import strategy_for

        return st.builds(SessionGraph, data=strategy_for(SessionGraphData))


@attrs.frozen(kw_only=True)
class SessionGraph:
    """``SessionGraph``: an ``Arc<SessionGraphData>`` plus a derived cache (not on the wire)."""

    __wire_shape__ = SessionGraphShape

    data: SessionGraphData = attrs.field(factory=SessionGraphData)

    @property
    def nodes(self) -> tuple[SessionNodeRecord, ...]:
        return self.data.nodes

    @property
    def leaf_node_id(self) -> str | None:
        return self.data.leaf_node_id


# ---------------------------------------------------------------------------
# session_types.rs
# ---------------------------------------------------------------------------


class SessionPluginSource(enum.Enum):
    """``SessionPluginSource`` (default ``current_session_fork``)."""

    CURRENT_HOST_FRESH = "current_host_fresh"
    CURRENT_SESSION_FORK = "current_session_fork"


class AgentFrameStatus(enum.Enum):
    """``AgentFrameStatus`` (default ``active``)."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"


@attrs.frozen(kw_only=True)
class SubagentSessionContext:
    """``SubagentSessionContext``: where a subagent session sits in the tree."""

    parent_session_id: str
    capability: str
    depth: U8
    max_depth: U8


@attrs.frozen(kw_only=True)
class SessionToolAccess:
    """``SessionToolAccess``: extra tool definitions and hidden tool names.

    ``hidden_tools`` is a ``BTreeSet<String>``: a set here, written sorted.
    """

    tools: tuple[ToolDefinition, ...] = skip_empty()
    hidden_tools: Annotated[frozenset[str], SortedStrSetShape()] = skip_empty(frozenset)

    def hides(self, name: str) -> bool:
        return name in self.hidden_tools


@attrs.frozen(kw_only=True)
class AgentFrameAssignment:
    """``AgentFrameAssignment``: the policy and plugin/tool setup of a frame.

    ``policy`` is required on read.
    """

    policy: SessionPolicy
    plugin_options: PluginOptions = dflt(factory=PluginOptions)
    plugin_source: SessionPluginSource = dflt(SessionPluginSource.CURRENT_SESSION_FORK)
    tool_access: SessionToolAccess = dflt(factory=SessionToolAccess)
    subagent: SubagentSessionContext | None = skip_none()
    usage_source: str | None = skip_none()


@attrs.frozen(kw_only=True)
class AgentFrameRecord:
    """``AgentFrameRecord``: one agent frame of a session.

    ``reason`` is the transparent ``AgentFrameReason`` (default ``"initial"``);
    ``execution_state_snapshot`` is ``Vec<u8>`` (an array of byte integers).
    """

    frame_id: str
    session_id: str
    previous_frame_id: str | None = skip_none()
    status: AgentFrameStatus = dflt(AgentFrameStatus.ACTIVE)
    reason: str = dflt("initial")
    caused_by: CausalRef | None = skip_none()
    created_at: str
    assignment: AgentFrameAssignment
    protocol_turn_options: ProtocolTurnOptions = dflt(factory=ProtocolTurnOptions)
    execution_state_ref: str | None = skip_none()
    execution_state_snapshot: bytes | None = skip_none()


@attrs.frozen(kw_only=True)
class SessionSnapshot:
    """``SessionSnapshot``: the durable state of a session after a turn.

    Only ``session_id`` is required; ``current_agent_frame_id`` is left out
    when ``""``; the ``*_ref`` fields are transparent ``BlobRef`` strings.
    """

    session_id: str
    policy: SessionPolicy = dflt(factory=SessionPolicy)
    agent_frames: tuple[AgentFrameRecord, ...] = dflt(factory=tuple)
    current_agent_frame_id: str = skip_if(lambda s: s == "", default="")
    session_graph: SessionGraph = dflt(factory=SessionGraph)
    turn_index: Usize = dflt(0)
    token_usage: TokenUsage = dflt(factory=TokenUsage)
    last_prompt_usage: PromptUsage | None = skip_none()
    protocol_turn_options: ProtocolTurnOptions = dflt(factory=ProtocolTurnOptions)
    tool_state_ref: str | None = skip_none()
    tool_state_generation: U64 | None = skip_none()
    plugin_snapshot_ref: str | None = skip_none()
    plugin_snapshot_revision: U64 | None = skip_none()
    execution_state_ref: str | None = skip_none()
    token_ledger: tuple[TokenLedgerEntry, ...] = skip_empty()
    checkpoint_ref: str | None = skip_none()


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class SessionStartPoint:
    """``SessionStartPoint``: what a new session starts from (tag ``kind``)."""


@variant("empty")
@attrs.frozen(kw_only=True)
class SessionStartPointEmpty(SessionStartPoint): ...


@variant("current_session")
@attrs.frozen(kw_only=True)
class SessionStartPointCurrentSession(SessionStartPoint): ...


@variant("existing_session")
@attrs.frozen(kw_only=True)
class SessionStartPointExistingSession(SessionStartPoint):
    session_id: str


@variant("snapshot")
@attrs.frozen(kw_only=True)
class SessionStartPointSnapshot(SessionStartPoint):
    snapshot: SessionSnapshot


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class SessionRelation:
    """``SessionRelation``: root (the default) or child of another session.

    ``SessionRelation::parent_session_id`` is :func:`relation_parent_session_id`
    (a method would clash with the child's field of the same name).
    """


@variant("root")
@attrs.frozen(kw_only=True)
class SessionRelationRoot(SessionRelation): ...


@variant("child")
@attrs.frozen(kw_only=True)
class SessionRelationChild(SessionRelation):
    parent_session_id: str
    caused_by: CausalRef | None = skip_none()


def relation_parent_session_id(relation: SessionRelation) -> str | None:
    """``SessionRelation::parent_session_id``: the parent of a child, else ``None``."""
    return relation.parent_session_id if isinstance(relation, SessionRelationChild) else None


@tagged(tag="kind")
@attrs.frozen(kw_only=True)
class SessionAppendNode:
    """``SessionAppendNode``: a node to append when a session is created (tag ``kind``)."""


@variant("message")
@attrs.frozen(kw_only=True)
class SessionAppendNodeMessage(SessionAppendNode):
    message: PluginMessage
    caused_by: CausalRef | None = skip_none()


@variant("protocol_event")
@attrs.frozen(kw_only=True)
class SessionAppendNodeProtocolEvent(SessionAppendNode):
    event: ProtocolEvent
    caused_by: CausalRef | None = skip_none()


@variant("plugin")
@attrs.frozen(kw_only=True)
class SessionAppendNodePlugin(SessionAppendNode):
    plugin_type: str
    body: Value = dflt(None)
    caused_by: CausalRef | None = skip_none()


@attrs.frozen(kw_only=True)
class SessionCreateRequest:
    """``SessionCreateRequest``: how to create a (root or child) session.

    ``policy`` is ``Option`` with ``#[serde(default)]`` only: written as
    ``null`` when absent. ``context_overlay`` (``#[serde(skip)]``, live tool
    providers) is not modelled.
    """

    session_id: str | None = skip_none()
    relation: SessionRelation = dflt(factory=SessionRelationRoot)
    start: SessionStartPoint
    policy: SessionPolicy | None = dflt(None)
    plugin_source: SessionPluginSource = dflt(SessionPluginSource.CURRENT_SESSION_FORK)
    initial_nodes: tuple[SessionAppendNode, ...] = dflt(factory=tuple)
    tool_access: SessionToolAccess = dflt(factory=SessionToolAccess)
    subagent: SubagentSessionContext | None = skip_none()
    plugin_options: PluginOptions = dflt(factory=PluginOptions)
    usage_source: str | None = skip_none()

"""The op registry: call-case names → typed functions, as data.

A call case ``{"call": OP, "args": [...], "ok"|"err": ...}`` is run by looking
OP up here. Each :class:`Op` row says how to decode every argument (a Python
type understood by the codec), which pure function to call, and how to encode
its result. Functions signal a seed rule's refusal by raising
:class:`~lash_spec.wire.errors.LashError`; its ``code`` is what ``err.code``
holds. Seeds add rows in :mod:`lash_spec.conformance.optables`, never code
paths here.

``decode:TYPE`` ops (a parsed JSON value) and ``decode_text:TYPE`` ops (raw
JSON text, read as ``serde_json::from_str`` reads it) are generated for every
wire type in :func:`wire_types`.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import importlib
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from lash_spec.wire.codec import (
    EnumShape,
    StructShape,
    all_orders,
    from_json,
    from_wire,
    shape_of,
    to_wire,
)
from lash_spec.wire.text import canonical_value, write_json

__all__ = ["RAW", "Op", "op_at", "registry", "wire_type_at", "wire_types"]


class _Raw:
    """Argument marker: pass the JSON value through undecoded."""

    def __repr__(self) -> str:
        return "RAW"


RAW: Any = _Raw()

_MODEL_MODULES = (
    "causal",
    "std",
    "attachments",
    "llm",
    "tools",
    "execution",
    "plugin",
    "session",
    "sansio",
    "executor",
    "process",
    "snapshot",
    "turn_io",
    "envelope",
    "effect_id",
    "outcome",
    "ceb460d4",
    "context",
    "runs",
)

_OPTABLES = ("core", "envelope", "turn_io", "turn_machine", "context", "runs")


@attrs.frozen(kw_only=True)
class Op:
    """One callable rule of a seed.

    ``args`` are the Rust parameter types in order (``self`` first);
    ``result`` is the type of the returned value (for a ``Result``-returning
    function, the ``Ok`` type: errors are raised as ``LashError``).
    """

    name: str
    args: tuple[Any, ...]
    fn: Callable[..., Any]
    result: Any
    seed: str
    concept: str
    errors: tuple[str, ...] = ()  # stable codes this op can produce
    doc: str = ""
    # The result embeds serde text (or its hash) of a value the op writes.
    # Where that value holds a Rust HashMap with two or more entries, upstream's
    # result depends on the map's per-process order: see :meth:`results`.
    order_dependent: bool = False

    def at_era(self, era: str | None = None) -> contextlib.AbstractContextManager[None]:
        """Decode and run inside this block with era-split types in the forms of
        ``era`` (default: the era of the op's seed; a decode op keeps the
        current one)."""
        from lash_spec.eras import era_of_seed
        from lash_spec.wire.codec import wire_era

        return wire_era(era or era_of_seed(self.seed))

    def decode_args(self, args: list[Any], era: str | None = None) -> list[Any]:
        """Decode the case's arguments at ``era`` (see :meth:`at_era`)."""
        with self.at_era(era):
            return self._decode_args(args)

    def _decode_args(self, args: list[Any]) -> list[Any]:
        if len(args) != len(self.args):
            from lash_spec.wire.errors import WireError

            raise WireError(f"{self.name} takes {len(self.args)} arguments, got {len(args)}")
        out = []
        for i, (tp, value) in enumerate(zip(self.args, args, strict=True)):
            if tp is RAW:
                out.append(value)
                continue
            try:
                out.append(from_wire(tp, value))
            except Exception as err:
                from lash_spec.wire.errors import WireError

                if isinstance(err, WireError):
                    raise err.at("args", i) from None
                raise
        return out

    def encode_result(self, value: Any) -> Any:
        return to_wire(value, self.result)

    def results(self, decoded: list[Any], era: str | None = None) -> list[Any]:
        """Every result (serde form) upstream may give for these arguments, run
        at ``era`` (see :meth:`at_era`).

        One result, unless the op is ``order_dependent`` and the value it
        writes holds HashMaps with two or more entries: then one per distinct
        result over every order of their entries, the sorted order's first.
        Raises what the op raises, and
        :class:`~lash_spec.wire.errors.OrderLimitError` beyond
        :data:`~lash_spec.wire.codec.MAX_ORDERS` orders.
        """
        with self.at_era(era):
            if not self.order_dependent:
                return [self.encode_result(self.fn(*decoded))]
            out: dict[str, Any] = {}
            for value in all_orders(lambda: self.fn(*decoded)):
                encoded = self.encode_result(value)
                out.setdefault(write_json(canonical_value(encoded)), encoded)
            return list(out.values())

    def typed_values(self, args: list[Any], era: str | None = None) -> list[tuple[Any, Any]]:
        """``(value, type)`` of each decoded argument and of the result of a call.

        No result when the call raises ``LashError``. The encode paths are
        compared on these (``tests/test_encoder_paths.py``).
        """
        from lash_spec.wire.errors import LashError

        decoded = self.decode_args(args, era)
        out = [(v, tp) for v, tp in zip(decoded, self.args, strict=True) if tp is not RAW]
        with contextlib.suppress(LashError), self.at_era(era):
            out.append((self.fn(*decoded), self.result))
        return out


def _model_modules() -> Iterable[Any]:
    for name in _MODEL_MODULES:
        try:
            yield importlib.import_module(f"lash_spec.model.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"lash_spec.model.{name}":
                raise


def wire_types(era: str | None = None) -> dict[str, Any]:
    """Rust type name → Python type, for every top-level model type at ``era``
    (default :data:`~lash_spec.eras.DEFAULT_ERA`): an era-split type maps to
    its form there, and a type that does not exist there is left out."""
    from lash_spec.eras import DEFAULT_ERA
    from lash_spec.eras import era as era_named

    forms = era_named(era or DEFAULT_ERA).forms
    found: dict[str, Any] = {}
    for module in _model_modules():
        module_forms = getattr(module, "__era__", None)
        if module_forms is not None and module_forms != forms:
            continue
        for rust_name, tp in getattr(module, "ERA_WIRE_ALIASES", {}).get(forms, {}).items():
            found[rust_name] = tp
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr)
            if isinstance(obj, type) and obj.__dict__.get("__era__", forms) != forms:
                continue  # another era's form of a split type
            if isinstance(obj, type) and obj.__dict__.get("__not_wire__", False):
                continue  # a model type with no serde form (e.g. live runtime state)
            if not isinstance(obj, type):
                explicit = getattr(module, "WIRE_ALIASES", {}).get(attr)
                if explicit is not None:
                    _claim(found, attr, explicit, module_forms)
                continue
            if issubclass(obj, enum.Enum) or "__serde_enum__" in obj.__dict__:
                shape = shape_of(obj)
                name = shape.rust_name if isinstance(shape, EnumShape) else obj.__name__
                _claim(found, name, obj, module_forms)
            elif attrs.has(obj) and not _is_variant(obj):
                shape = shape_of(obj)
                name = shape.rust_name if isinstance(shape, StructShape) else obj.__name__
                _claim(found, name, obj, module_forms)
        for rust_name, tp in getattr(module, "WIRE_ALIASES", {}).items():
            _claim(found, rust_name, tp, module_forms)
    return found


def _claim(found: dict[str, Any], name: str, tp: Any, module_forms: str | None) -> None:
    """An era module's names replace the shared ones; otherwise the first wins."""
    if module_forms is not None:
        found[name] = tp
    else:
        found.setdefault(name, tp)


def wire_type_at(rust_name: str, era: str | None = None) -> Any:
    """The Python type of ``rust_name`` at ``era`` (``None`` when it does not
    exist there): the one resolution that ``decode:``-style ops share."""
    return _wire_types_at(era).get(rust_name)


_WIRE_TYPES_AT: dict[str | None, dict[str, Any]] = {}


def _wire_types_at(era: str | None) -> dict[str, Any]:
    table = _WIRE_TYPES_AT.get(era)
    if table is None:
        table = _WIRE_TYPES_AT[era] = wire_types(era)
    return table


def op_at(name: str, era: str | None) -> Op | None:
    """The op ``name`` as it runs at ``era``: an op generated per wire type
    (``decode:TYPE``, see :data:`TYPE_OPS`) works on TYPE's form there
    (``None`` when TYPE does not exist there); any other op is itself."""
    op = registry().get(name)
    if op is None or era is None:
        return op
    for prefix, build in TYPE_OPS.items():
        if name.startswith(prefix):
            rust_name = name.removeprefix(prefix)
            tp = wire_type_at(rust_name, era)
            return None if tp is None else build(rust_name, tp)
    return op


def _is_variant(cls: type) -> bool:
    return any("__serde_enum__" in base.__dict__ for base in cls.__mro__[1:])


def _codec_op(prefix: str, rust_name: str, tp: Any) -> Op:
    """``decode:TYPE`` (serde_json's ``from_value``: a parsed JSON value) or
    ``decode_text:TYPE`` (``from_str``: raw text), then written back."""
    text = prefix == "decode_text:"
    return Op(
        name=f"{prefix}{rust_name}",
        args=(str,) if text else (RAW,),
        fn=(lambda arg: from_json(tp, arg)) if text else (lambda arg: from_wire(tp, arg)),
        result=tp,
        seed="wire",
        concept="codec",
        errors=("decode",),
        doc=(
            f"serde_json::from_str of {rust_name}: what only text carries"
            if text
            else f"serde_json round trip of {rust_name}"
        ),
    )


TYPE_OPS: dict[str, Callable[[str, Any], Op]] = {
    prefix: functools.partial(_codec_op, prefix) for prefix in ("decode:", "decode_text:")
}
"""Ops generated per wire type: name prefix → builder (Rust name, Python type).
:func:`op_at` resolves TYPE in the case's era for every one of them."""

_REGISTRY: dict[str, Op] | None = None


def registry() -> dict[str, Op]:
    """Every op, by name (built once)."""
    global _REGISTRY  # noqa: PLW0603  (a lazily built, then frozen table)
    if _REGISTRY is None:
        table: dict[str, Op] = {}
        for name in _OPTABLES:
            try:
                module = importlib.import_module(f"lash_spec.conformance.optables.{name}")
            except ModuleNotFoundError as err:
                if err.name != f"lash_spec.conformance.optables.{name}":
                    raise
                continue
            for op in module.OPS:
                if op.name in table:
                    raise ValueError(f"duplicate op {op.name}")
                table[op.name] = op
        from lash_spec.eras import DEFAULT_ERA, era_names

        for era in (DEFAULT_ERA, *era_names()):  # a type of any era has its op
            for rust_name, tp in _wire_types_at(era).items():
                for make in TYPE_OPS.values():
                    op = make(rust_name, tp)
                    table.setdefault(op.name, op)
        _REGISTRY = table
    return _REGISTRY

"""The op registry: call-case names → typed functions, as data.

A call case ``{"call": OP, "args": [...], "ok"|"err": ...}`` is run by looking
OP up here. Each :class:`Op` row says how to decode every argument (a Python
type understood by the codec), which pure function to call, and how to encode
its result. Functions signal a seed rule's refusal by raising
:class:`~lash_spec.wire.errors.LashError`; its ``code`` is what ``err.code``
holds. Seeds add rows in :mod:`lash_spec.conformance.optables`, never code
paths here.

``decode:TYPE`` ops are generated for every wire type in :data:`WIRE_TYPES`.
"""

from __future__ import annotations

import contextlib
import enum
import importlib
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from lash_spec.wire.codec import EnumShape, StructShape, from_wire, shape_of, to_wire

__all__ = ["RAW", "Op", "registry", "wire_types"]


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

    def decode_args(self, args: list[Any]) -> list[Any]:
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

    def typed_values(self, args: list[Any]) -> list[tuple[Any, Any]]:
        """``(value, type)`` of each decoded argument and of the result of a call.

        No result when the call raises ``LashError``. The encode paths are
        compared on these (``tests/test_encoder_paths.py``).
        """
        from lash_spec.wire.errors import LashError

        decoded = self.decode_args(args)
        out = [(v, tp) for v, tp in zip(decoded, self.args, strict=True) if tp is not RAW]
        with contextlib.suppress(LashError):
            out.append((self.fn(*decoded), self.result))
        return out


def _model_modules() -> Iterable[Any]:
    for name in _MODEL_MODULES:
        try:
            yield importlib.import_module(f"lash_spec.model.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"lash_spec.model.{name}":
                raise


def wire_types() -> dict[str, Any]:
    """Rust type name → Python type, for every top-level model type."""
    found: dict[str, Any] = {}
    for module in _model_modules():
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr)
            if isinstance(obj, type) and obj.__dict__.get("__not_wire__", False):
                continue  # a model type with no serde form (e.g. live runtime state)
            if not isinstance(obj, type):
                explicit = getattr(module, "WIRE_ALIASES", {}).get(attr)
                if explicit is not None:
                    found[attr] = explicit
                continue
            if issubclass(obj, enum.Enum) or "__serde_enum__" in obj.__dict__:
                shape = shape_of(obj)
                name = shape.rust_name if isinstance(shape, EnumShape) else obj.__name__
                found.setdefault(name, obj)
            elif attrs.has(obj) and not _is_variant(obj):
                shape = shape_of(obj)
                name = shape.rust_name if isinstance(shape, StructShape) else obj.__name__
                found.setdefault(name, obj)
        for rust_name, tp in getattr(module, "WIRE_ALIASES", {}).items():
            found.setdefault(rust_name, tp)
    return found


def _is_variant(cls: type) -> bool:
    return any("__serde_enum__" in base.__dict__ for base in cls.__mro__[1:])


def _decode_op(rust_name: str, tp: Any) -> Op:
    return Op(
        name=f"decode:{rust_name}",
        args=(RAW,),
        fn=lambda value: from_wire(tp, value),
        result=tp,
        seed="wire",
        concept="codec",
        errors=("decode",),
        doc=f"serde_json round trip of {rust_name}",
    )


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
        for rust_name, tp in wire_types().items():
            op = _decode_op(rust_name, tp)
            table.setdefault(op.name, op)
        _REGISTRY = table
    return _REGISTRY

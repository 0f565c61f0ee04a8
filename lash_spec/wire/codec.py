"""The one codec: serde's JSON rules for every model type.

Model classes say *what* serde attributes they carry (field metadata from
:func:`wire_field` and friends, enum tagging from :func:`tagged`); this module
is the only place that knows what those attributes *mean*. It builds one
:class:`Shape` per Python type and exposes them through a single
:class:`cattrs.Converter` (:data:`converter`), so ``to_wire``/``from_wire``
are plain ``unstructure``/``structure`` calls.

Why hand-built hooks instead of cattrs' generated ones: serde accepts more
shapes than a dict-of-fields decoder does, and lash_spec must accept exactly
those. Modelled here:

* structs read from a JSON object *or* a JSON array (fields in order);
* ``Option`` fields read as ``None`` when missing, even without
  ``#[serde(default)]``; ``#[serde(default)]`` fields fall back to defaults;
  unknown keys are ignored unless the type has ``deny_unknown_fields``;
* enums: unit enums from ``"name"`` or ``{"name": null}``; external,
  internal (``tag``) and adjacent (``tag``/``content``) tagging, including
  the array forms serde derives;
* serde's buffered "content" mode: below an internally tagged enum (and a
  flattened field) the values are replayed from serde's ``Content`` buffer,
  where a tag may also be given as its variant *index* (``{"op": 0}``).
  The ``content`` flag threads that mode through every decoder;
* integers checked against their Rust width, never coerced from strings,
  floats or booleans; strings never coerced; no lone surrogates;
* what only JSON *text* carries (:func:`lash_spec.wire.reader.read_text`):
  a repeated key is refused for a struct field or a tag and the last one wins
  in ``Value`` and maps (:func:`check_keys`); a value serde cannot
  deserialize (:class:`~lash_spec.wire.reader.Unreadable`: nested past the
  recursion limit, a number beyond f64) is refused where it is decoded
  (:func:`invalid_type`) and ignored where a plain struct skips it, but not
  in serde's buffered content, which reads every unknown field as a
  ``Value`` (:func:`buffered`).

Every rejection is a :class:`~lash_spec.wire.errors.WireError` naming the JSON
path. Encoding writes dicts in serde order (struct fields in declaration order,
internal tags first, ``Value`` maps sorted) for :mod:`lash_spec.wire.text`.
Rust ``HashMap`` fields (declared ``hashmap=True``) are written sorted too, but
Rust writes them in a per-process random order: :func:`all_orders` and
:func:`all_texts` enumerate every order it may write.
``to_json``/``stable_hash`` use the compiled writer instead when it is built:
it follows plans made from these same shapes (:mod:`lash_spec.wire.plan`);
``from_json`` tries the compiled reader first (:mod:`lash_spec.wire.readplan`).
"""

from __future__ import annotations

import contextvars
import enum
import hashlib
import itertools
import math
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, Final, TypeVar, Union, get_args, get_origin

import attrs
import cattrs

from lash_spec.eras import DEFAULT_ERA, EraRange, era
from lash_spec.wire.errors import OrderLimitError, WireError
from lash_spec.wire.plan import compiled_json
from lash_spec.wire.reader import TextObject, Unreadable, read_text
from lash_spec.wire.readplan import DECLINED, compiled_read
from lash_spec.wire.text import canonical_value, sha256_hex, write_json
from lash_spec.wire.types import Err, IntRange, Ok, ValueMark

__all__ = [
    "MAX_ORDERS",
    "Shape",
    "all_orders",
    "all_texts",
    "converter",
    "current_era",
    "current_forms",
    "dflt",
    "era_form",
    "from_era",
    "from_json",
    "from_wire",
    "pure_json",
    "renamed",
    "shape_of",
    "skip_empty",
    "skip_false",
    "skip_if",
    "skip_none",
    "skipped",
    "stable_hash",
    "stable_json",
    "tagged",
    "to_json",
    "to_wire",
    "variant",
    "wire_era",
    "wire_struct",
]

T = TypeVar("T")
C = TypeVar("C", bound=type)

SERDE = "lash_spec.serde"
_MISSING: Any = attrs.NOTHING


# ---------------------------------------------------------------------------
# Declarations: how model modules spell serde attributes
# ---------------------------------------------------------------------------


@attrs.frozen
class FieldRule:
    """The serde attributes of one struct field."""

    name: str | None = None  # #[serde(rename = ...)]
    skip_if: Callable[[Any], bool] | None = None  # skip_serializing_if
    read_default: bool = False  # #[serde(default)]
    flatten: bool = False  # #[serde(flatten)]
    skip: bool = False  # #[serde(skip)]: never written, never read
    # A ``std::collections::HashMap`` upstream: serde writes its entries in the
    # map's per-process random iteration order. Written sorted here; every
    # order Rust may write is enumerated by :func:`all_orders`.
    hashmap: bool = False
    # The eras at which the field exists (:func:`from_era`); None: every era.
    eras: EraRange | None = None


def _field(rule: FieldRule, default: Any = _MISSING, factory: Any = None) -> Any:
    if factory is not None:
        return attrs.field(factory=factory, metadata={SERDE: rule})
    return attrs.field(default=default, metadata={SERDE: rule})


def _is_none(v: object) -> bool:
    return v is None


def _is_empty(v: object) -> bool:
    return not v


def _is_false(v: object) -> bool:
    return v is False


def skip_none(*, name: str | None = None) -> Any:
    """``#[serde(default, skip_serializing_if = "Option::is_none")]``."""
    return _field(FieldRule(name=name, skip_if=_is_none, read_default=True), None)


def skip_empty(
    factory: Callable[[], Any] = tuple, *, name: str | None = None, hashmap: bool = False
) -> Any:
    """``#[serde(default, skip_serializing_if = "Vec::is_empty")]`` (or map/set).

    ``hashmap=True``: the field is a Rust ``HashMap`` (entries in no stable order).
    """
    rule = FieldRule(name=name, skip_if=_is_empty, read_default=True, hashmap=hashmap)
    return _field(rule, factory=factory)


def skip_false(*, name: str | None = None) -> Any:
    """``#[serde(default, skip_serializing_if = "is_false")]``."""
    return _field(FieldRule(name=name, skip_if=_is_false, read_default=True), False)


def skip_if(
    predicate: Callable[[Any], bool],
    *,
    default: Any = _MISSING,
    factory: Callable[[], Any] | None = None,
    name: str | None = None,
    hashmap: bool = False,
) -> Any:
    """``#[serde(default, skip_serializing_if = <predicate>)]``.

    ``hashmap=True``: the field is a Rust ``HashMap`` (entries in no stable order).
    """
    rule = FieldRule(name=name, skip_if=predicate, read_default=True, hashmap=hashmap)
    return _field(rule, default, factory)


def from_era(since: str, *, name: str | None = None) -> Any:
    """A field that came in at era ``since``: required there and later (a Rust
    ``T``, so ``null`` is refused), absent before: at an older era a key of
    that name is an unknown field and the value holds ``None``. Written when
    not ``None``, so a value of either era writes back its own shape."""
    return _field(FieldRule(name=name, skip_if=_is_none, eras=EraRange(since=since)), None)


def dflt(
    default: Any = _MISSING,
    *,
    factory: Callable[[], Any] | None = None,
    name: str | None = None,
    hashmap: bool = False,
) -> Any:
    """``#[serde(default)]``: filled in when missing on read, always written.

    ``hashmap=True``: the field is a Rust ``HashMap`` (entries in no stable order).
    """
    return _field(FieldRule(name=name, read_default=True, hashmap=hashmap), default, factory)


def renamed(name: str, default: Any = _MISSING) -> Any:
    """``#[serde(rename = "...")]`` (also for names that are Python keywords)."""
    return _field(FieldRule(name=name), default)


def skipped(default: Any = _MISSING, *, factory: Callable[[], Any] | None = None) -> Any:
    """``#[serde(skip)]``: live state that never reaches the wire.

    The key is neither written nor read (an input key of that name is just
    an unknown field); decoding leaves the attrs default in place.
    """
    return _field(FieldRule(skip=True), default, factory)


def flatten() -> Any:
    """``#[serde(flatten)]`` over an internally tagged enum."""
    return _field(FieldRule(flatten=True))


@attrs.frozen
class StructRule:
    """Container attributes of a struct."""

    deny_unknown_fields: bool = False
    rust_name: str | None = None


def wire_struct(
    *, deny_unknown_fields: bool = False, rust_name: str | None = None
) -> Callable[[C], C]:
    """Record container attributes (the class itself is an ``attrs.frozen``)."""

    def deco(cls: C) -> C:
        cls.__serde_struct__ = StructRule(deny_unknown_fields, rust_name)  # type: ignore[attr-defined]
        return cls

    return deco


def era_form(forms: str) -> Callable[[C], C]:
    """Mark a class as the form of an era-split type in the form set ``forms``
    (see :mod:`lash_spec.eras`): it is the type only at the eras that read
    those forms. A field annotated with a union of two forms of one type
    (``A | ceb460d4.A``) reads the form of the era being decoded."""

    def deco(cls: C) -> C:
        cls.__era__ = forms  # type: ignore[attr-defined]
        return cls

    return deco


@attrs.frozen
class Tagging:
    """How a Rust enum is tagged on the wire."""

    style: str  # "external" | "internal" | "adjacent"
    tag: str | None = None
    content: str | None = None
    rust_name: str | None = None


@attrs.define
class VariantRule:
    """One variant of a tagged enum, registered on its base class."""

    wire_name: str
    cls: type
    kind: str  # "unit" | "newtype" | "struct" | "tuple"
    eras: EraRange | None = None  # where the variant exists; None: every era


def tagged(
    *,
    tag: str | None = None,
    content: str | None = None,
    rust_name: str | None = None,
) -> Callable[[C], C]:
    """Mark a base class as a data-carrying Rust enum.

    No ``tag`` → externally tagged; ``tag`` → internally tagged; ``tag`` and
    ``content`` → adjacently tagged. Variants register with :func:`variant`.
    """
    style = "external" if tag is None else ("internal" if content is None else "adjacent")

    def deco(cls: C) -> C:
        cls.__serde_enum__ = Tagging(style, tag, content, rust_name)  # type: ignore[attr-defined]
        cls.__serde_variants__ = []  # type: ignore[attr-defined]
        return cls

    return deco


def variant(
    wire_name: str,
    *,
    newtype: bool = False,
    tuple_: bool = False,
    since: str | None = None,
    before: str | None = None,
) -> Callable[[C], C]:
    """Register a subclass as the next variant (declaration order = index).

    ``since``/``before`` (era names) limit the variant to the eras where
    upstream has it; elsewhere its tag is an unknown variant, and it takes no
    place in the variant indices.
    """
    eras = EraRange(since, before) if since is not None or before is not None else None

    def deco(cls: C) -> C:
        base = next(b for b in cls.__mro__[1:] if "__serde_enum__" in b.__dict__)
        fields = attrs.fields(cls)
        if newtype:
            assert len(fields) == 1, f"newtype variant {cls.__name__} needs one field"
            kind = "newtype"
        elif tuple_:
            kind = "tuple"
        else:
            kind = "struct" if fields else "unit"
        variants: list[VariantRule] = getattr(base, "__serde_variants__")  # noqa: B009
        variants.append(VariantRule(wire_name, cls, kind, eras))
        return cls

    return deco


# ---------------------------------------------------------------------------
# Error helpers: serde's wording, our path
# ---------------------------------------------------------------------------


def describe(value: object) -> str:
    """serde's ``Unexpected`` wording for a JSON value."""
    if value is None:
        return "null"
    if value is True or value is False:
        return f"boolean `{'true' if value else 'false'}`"
    if type(value) is int:
        return f"integer `{value}`"
    if type(value) is float:
        return f"floating point `{value!r}`"
    if type(value) is str:
        return f"string {value!r}"
    if type(value) is list:
        return "sequence"
    if type(value) is dict:
        return "map"
    return type(value).__name__


def invalid_type(value: object, expected: str) -> WireError:
    if type(value) is Unreadable:
        return value.error()
    return WireError(f"invalid type: {describe(value)}, expected {expected}")


def _at(err: WireError, key: str | int) -> WireError:
    return err.at(key)


_SURROGATE = re.compile("[\ud800-\udfff]")


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------


class Shape:
    """Encode/decode rules for one Python type."""

    expecting: str = "a value"
    # True when encode() returns its argument unchanged (str, bool, ints).
    identity: bool = False

    def encode(self, obj: Any) -> Any:
        raise NotImplementedError

    def decode(self, value: Any, content: bool) -> Any:
        raise NotImplementedError

    # Option fields read as None when missing; everything else is required.
    optional: ClassVar[bool] = False


class StrShape(Shape):
    identity = True
    expecting: str = "a string"

    def encode(self, obj: Any) -> Any:
        return obj

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not str:
            raise invalid_type(value, "a string")
        if not value.isascii() and _SURROGATE.search(value):
            raise WireError("lone surrogate in string (not valid UTF-8)")
        return value


class BoolShape(Shape):
    identity = True
    expecting: str = "a boolean"

    def encode(self, obj: Any) -> Any:
        return obj

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not bool:
            raise invalid_type(value, "a boolean")
        return value


class IntShape(Shape):
    identity = True

    def __init__(self, rng: IntRange) -> None:
        self.rng = rng
        self.expecting = rng.rust

    def encode(self, obj: Any) -> Any:
        return obj

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not int:
            raise invalid_type(value, self.rng.rust)
        if not self.rng.lo <= value <= self.rng.hi:
            raise WireError(f"invalid value: integer `{value}`, expected {self.rng.rust}")
        return value


class FloatShape(Shape):
    expecting: str = "f64"

    def encode(self, obj: Any) -> Any:
        return float(obj)

    def decode(self, value: Any, content: bool) -> Any:
        t = type(value)
        if t is float:
            return value
        if t is int:
            return float(canonical_value(value))
        raise invalid_type(value, "f64")


class ValueShape(Shape):
    """``serde_json::Value``: any JSON; objects sorted; no ``Option`` leniency."""

    expecting: str = "any valid JSON value"

    def encode(self, obj: Any) -> Any:
        return canonical_value(obj)

    def decode(self, value: Any, content: bool) -> Any:
        return json_value(value)


def json_value(value: Any) -> Any:
    """``value`` as a ``serde_json::Value`` holds it, or the reason serde refuses it.

    Also serde's buffered content (:func:`buffered`): every string and key
    decoded, every level counted, a repeated key's last value kept.
    """
    t = type(value)
    if t is str:
        if not value.isascii() and _SURROGATE.search(value):
            raise WireError("lone surrogate in string (not valid UTF-8)")
        return value
    if t is dict or t is TextObject:
        if t is TextObject:
            check_keys(value, ())
        try:
            keys = sorted(value)
        except TypeError:
            raise WireError("key must be a string") from None
        out = {}
        for k in keys:
            if type(k) is not str:
                raise WireError("key must be a string")
            try:
                out[k] = json_value(value[k])
            except WireError as err:
                raise _at(err, k) from None
        return out
    if t is list:
        items = []
        for i, v in enumerate(value):
            try:
                items.append(json_value(v))
            except WireError as err:
                raise _at(err, i) from None
        return items
    if t is float:
        if not math.isfinite(value):
            raise WireError("non-finite number is not JSON")
        return value
    if value is None or t is bool or t is int:
        return canonical_value(value)
    if t is Unreadable:
        raise value.error()
    raise WireError(f"not a JSON value: {t.__name__}")


def buffered(value: Any) -> None:
    """Refuse what serde's ``Content`` buffer refuses in a value nobody decodes.

    An internally/adjacently tagged enum (and a flattened field) first reads
    its whole object into a buffer, unknown fields included: there a lone
    surrogate, a number beyond f64 or a level past the recursion limit is an
    error even though the field is then ignored.
    """
    json_value(value)


def check_keys(value: TextObject, fields: Any) -> None:
    """serde's rules for an object's own keys, wherever the object is decoded.

    A key holding a lone surrogate cannot be decoded; a key repeated is
    ``duplicate field`` when it names one of ``fields`` (a struct's fields,
    an enum's tag) and otherwise the last one wins.
    """
    if value.bad_keys:
        raise WireError("lone surrogate in key (not valid UTF-8)", (value.bad_keys[0],))
    for key in value.repeated:
        if key in fields:
            raise WireError(f"duplicate field `{key}`", (key,))


class NullShape(Shape):
    """``()`` and unit structs: ``null`` only."""

    expecting: str = "unit"

    def encode(self, obj: Any) -> Any:
        return None

    def decode(self, value: Any, content: bool) -> Any:
        if value is not None:
            raise invalid_type(value, "unit")
        return None


class OptionShape(Shape):
    optional = True

    def __init__(self, inner: Shape) -> None:
        self.inner = inner

    def encode(self, obj: Any) -> Any:
        return None if obj is None else self.inner.encode(obj)

    def decode(self, value: Any, content: bool) -> Any:
        return None if value is None else self.inner.decode(value, content)


class ListShape(Shape):
    """``Vec<T>`` (a Python tuple: model values are immutable)."""

    expecting: str = "a sequence"

    def __init__(self, inner: Shape) -> None:
        self.inner = inner

    def encode(self, obj: Any) -> Any:
        enc = self.inner.encode
        return [enc(x) for x in obj]

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not list:
            raise invalid_type(value, "a sequence")
        dec = self.inner.decode
        out = []
        for i, item in enumerate(value):
            try:
                out.append(dec(item, content))
            except WireError as err:
                raise _at(err, i) from None
        return tuple(out)


class BytesShape(Shape):
    """``Vec<u8>``: a JSON array of integers 0..=255."""

    expecting: str = "a sequence of u8"
    _u8 = IntShape(IntRange("u8", 0, 255))

    def encode(self, obj: Any) -> Any:
        return list(obj)

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not list:
            raise invalid_type(value, "a sequence")
        for i, item in enumerate(value):
            try:
                self._u8.decode(item, content)
            except WireError as err:
                raise _at(err, i) from None
        return bytes(value)


class TupleShape(Shape):
    """A Rust tuple: a fixed-length JSON array."""

    def __init__(self, items: list[Shape]) -> None:
        self.items = items
        self.expecting = f"a tuple of size {len(items)}"

    def encode(self, obj: Any) -> Any:
        return [s.encode(x) for s, x in zip(self.items, obj, strict=True)]

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not list:
            raise invalid_type(value, self.expecting)
        if len(value) != len(self.items):
            raise WireError(f"invalid length {len(value)}, expected {self.expecting}")
        out = []
        for i, (shape, item) in enumerate(zip(self.items, value, strict=True)):
            try:
                out.append(shape.decode(item, content))
            except WireError as err:
                raise _at(err, i) from None
        return tuple(out)


class MapShape(Shape):
    """``BTreeMap<String, T>`` (and ``HashMap``, written sorted: see docs)."""

    expecting: str = "a map"

    def __init__(self, inner: Shape) -> None:
        self.inner = inner

    def encode(self, obj: Any) -> Any:
        enc = self.inner.encode
        return {k: enc(obj[k]) for k in sorted(obj)}

    def decode(self, value: Any, content: bool) -> Any:
        if type(value) is not dict:
            if type(value) is not TextObject:
                raise invalid_type(value, "a map")
            check_keys(value, ())
        dec = self.inner.decode
        out = {}
        for k in sorted(value):
            try:
                out[k] = dec(value[k], content)
            except WireError as err:
                raise _at(err, k) from None
        return out


class ResultShape(Shape):
    """``Result<T, E>``: ``{"Ok": T}`` / ``{"Err": E}``."""

    expecting: str = "enum Result"

    def __init__(self, ok: Shape, err: Shape) -> None:
        self.ok = ok
        self.err = err

    def encode(self, obj: Any) -> Any:
        if isinstance(obj, Ok):
            return {"Ok": self.ok.encode(obj.value)}
        return {"Err": self.err.encode(obj.error)}

    def decode(self, value: Any, content: bool) -> Any:
        name, payload = _external_parts(value, "enum Result")
        if name == "Ok":
            try:
                return Ok(self.ok.decode(payload, content))
            except WireError as err:
                raise _at(err, "Ok") from None
        if name == "Err":
            try:
                return Err(self.err.decode(payload, content))
            except WireError as err:
                raise _at(err, "Err") from None
        raise WireError(f"unknown variant `{name}`, expected `Ok` or `Err`")


_NO_PAYLOAD: Any = object()


def _external_parts(value: Any, expecting: str) -> tuple[str, Any]:
    """Split an externally tagged value into (variant name, payload)."""
    if type(value) is str:
        return value, _NO_PAYLOAD
    if type(value) is dict or type(value) is TextObject:
        members = len(value)
        if type(value) is TextObject:
            check_keys(value, ())
            members += len(value.repeated)
        if members != 1:
            raise WireError(
                f"invalid length {members}, expected map with a single key ({expecting})"
            )
        ((name, payload),) = value.items()
        return name, payload
    raise invalid_type(value, expecting)


class UnitEnumShape(Shape):
    """A Rust enum whose variants are all units (a Python :class:`enum.Enum`)."""

    def __init__(self, cls: type[enum.Enum]) -> None:
        self.cls = cls
        self.by_name = {m.value: m for m in cls}
        self.expecting = f"enum {cls.__name__}"

    def encode(self, obj: Any) -> Any:
        return obj.value

    def decode(self, value: Any, content: bool) -> Any:
        name, payload = _external_parts(value, self.expecting)
        member = self.by_name.get(name)
        if member is None:
            raise unknown_variant(name, list(self.by_name))
        if payload is not _NO_PAYLOAD and payload is not None:
            try:
                raise invalid_type(payload, "unit variant")
            except WireError as err:
                raise _at(err, name) from None
        return member


def unknown_variant(name: str, names: list[str]) -> WireError:
    listed = ", ".join(f"`{n}`" for n in names)
    return WireError(f"unknown variant `{name}`, expected one of {listed}")


# -- structs -----------------------------------------------------------------


class _FieldShape:
    __slots__ = (
        "attr",
        "default",
        "flatten",
        "has_default",
        "hashmap",
        "rule",
        "shape",
        "skip_if",
        "wire",
    )

    def __init__(self, a: attrs.Attribute[Any], shape: Shape) -> None:
        rule: FieldRule = a.metadata.get(SERDE, FieldRule())
        self.attr = a.name
        self.wire = rule.name or a.name
        self.shape = shape
        self.skip_if = rule.skip_if
        self.flatten = rule.flatten
        self.rule = rule
        self.has_default = rule.read_default
        self.default = a.default
        self.hashmap = rule.hashmap

    def default_value(self) -> Any:
        d = self.default
        factory = getattr(d, "factory", None)
        if isinstance(d, attrs.Factory) and factory is not None:  # type: ignore[arg-type]
            return factory()
        if d is _MISSING:
            raise AssertionError(f"field {self.attr} has serde default but no attrs default")
        return d

    def missing(self) -> Any:
        """The value of a field absent from the object (or serde's error)."""
        if self.has_default:
            return self.default_value()
        if self.shape.optional:
            return None
        raise WireError(f"missing field `{self.wire}`")


class StructShape(Shape):
    """A Rust struct with named fields (also the body of a struct variant).

    A struct with a field that exists only at some eras (:func:`from_era`)
    decodes through its *view* at the current era (:meth:`view`): the same
    class, with that era's fields only.
    """

    def __init__(self, cls: type, rust_name: str | None = None, era: str | None = None) -> None:
        self.cls = cls
        rule: StructRule = getattr(cls, "__serde_struct__", StructRule())
        self.deny_unknown = rule.deny_unknown_fields
        self.rust_name = rust_name or rule.rust_name or cls.__name__
        self.expecting = f"struct {self.rust_name}"
        self.era = era  # set on a view: the era whose fields it holds
        self._gated = False
        self._views: dict[str, StructShape] = {}
        self._fields: list[_FieldShape] | None = None
        self._encode_into: Callable[[Any, dict[str, Any]], None] | None = None
        self._decode_map: Callable[[dict[str, Any], bool], Any] | None = None

    @property
    def fields(self) -> list[_FieldShape]:
        """Every field (a view: those of its era, an era-gated one required)."""
        if self._fields is None:
            hints = _type_hints(self.cls)
            fields = []
            for a in attrs.fields(self.cls):
                rule: FieldRule = a.metadata.get(SERDE, FieldRule())
                if rule.skip:
                    continue
                shape = shape_of(hints[a.name])
                if rule.eras is not None:
                    self._gated = self.era is None
                    if self.era is not None:
                        if not rule.eras.holds(self.era):
                            continue  # not a field at this era
                        assert isinstance(shape, OptionShape), a.name
                        shape = shape.inner  # a Rust `T` where it exists
                fields.append(_FieldShape(a, shape))
            self._fields = fields
            self.flat = next((f for f in self._fields if f.flatten), None)
            self.names = {f.wire for f in self._fields if not f.flatten}
        return self._fields

    @property
    def gated(self) -> bool:
        """Whether some field exists only at some eras (decoding goes through :meth:`view`)."""
        _ = self.fields
        return self._gated

    def view(self) -> StructShape:
        """The struct as the current era decodes it (itself when no field is gated)."""
        if not self.gated:
            return self
        name = current_era()
        found = self._views.get(name)
        if found is None:
            found = self._views[name] = StructShape(self.cls, self.rust_name, name)
        return found

    def encode(self, obj: Any) -> Any:
        out: dict[str, Any] = {}
        self.encode_into(obj, out)
        return out

    def encode_into(self, obj: Any, out: dict[str, Any]) -> None:
        encode = self._encode_into
        if encode is None:
            encode = self._encode_into = _compile_encoder(self.fields)
        encode(obj, out)

    def decode(self, value: Any, content: bool) -> Any:
        _ = self.fields  # resolves self.flat
        if self._gated:
            return self.view().decode(value, content)
        if type(value) is dict or type(value) is TextObject:
            return self.decode_map(value, content)
        if type(value) is list and self.flat is None:
            return self.decode_seq(value, content)
        raise invalid_type(value, self.expecting)

    def decode_map(self, value: dict[str, Any], content: bool) -> Any:
        decode = self._decode_map
        if decode is None:
            if self.gated:
                return self.view().decode_map(value, content)
            decode = self._decode_map = (
                self._decode_map_flat if self.flat is not None else _compile_decoder(self)
            )
        return decode(value, content)

    def _decode_map_flat(self, value: dict[str, Any], content: bool) -> Any:
        """A struct with a ``#[serde(flatten)]`` field: every other key goes to it."""
        if type(value) is TextObject:
            check_keys(value, self.names)
        kwargs: dict[str, Any] = {}
        for f in self.fields:
            if f.flatten:
                rest = {k: v for k, v in value.items() if k not in self.names}
                kwargs[f.attr] = f.shape.decode(rest, True)
            elif f.wire in value:
                try:
                    kwargs[f.attr] = f.shape.decode(value[f.wire], content)
                except WireError as err:
                    raise _at(err, f.wire) from None
            else:
                kwargs[f.attr] = f.missing()
        return self.cls(**kwargs)

    def _unknown(self, value: dict[str, Any], content: bool) -> None:
        """Unknown keys: refused, buffered (read but ignored) or skipped."""
        for k, x in value.items():
            if k not in self.names:
                if self.deny_unknown:
                    expected = ", ".join(f"`{f.wire}`" for f in self.fields)
                    raise WireError(f"unknown field `{k}`, expected one of {expected}")
                if content:
                    try:
                        buffered(x)
                    except WireError as err:
                        raise _at(err, k) from None

    def decode_seq(self, value: list[Any], content: bool) -> Any:
        fields = self.fields
        if self._gated:
            return self.view().decode_seq(value, content)
        kwargs: dict[str, Any] = {}
        for i, f in enumerate(fields):
            if i < len(value):
                try:
                    kwargs[f.attr] = f.shape.decode(value[i], content)
                except WireError as err:
                    raise _at(err, i) from None
            elif f.has_default:
                kwargs[f.attr] = f.default_value()
            else:
                raise WireError(
                    f"invalid length {len(value)}, expected {self.expecting}"
                    f" with {len(fields)} elements"
                )
        if len(value) > len(fields):
            raise WireError(
                f"invalid length {len(value)}, expected {self.expecting}"
                f" with {len(fields)} elements"
            )
        return self.cls(**kwargs)


_INLINE_SKIPS: dict[Callable[[Any], bool], str] = {
    _is_none: "v is not None",
    _is_empty: "v",
    _is_false: "v is not False",
}


def _compile_encoder(fields: list[_FieldShape]) -> Callable[[Any, dict[str, Any]], None]:
    """Generate a struct's field writer (as attrs and cattrs generate theirs).

    Encoding is the hot path of stable_hash; straight-line code with the
    common skip predicates and identity encoders inlined is several times
    faster than a generic loop.
    """
    lines = ["def encode_into(obj, out):"]
    namespace: dict[str, Any] = {}
    for i, f in enumerate(fields):
        lines.append(f"    v = obj.{f.attr}")
        indent = "    "
        if f.skip_if is not None:
            test = _INLINE_SKIPS.get(f.skip_if)
            if test is None:
                namespace[f"skip{i}"] = f.skip_if
                test = f"not skip{i}(v)"
            lines.append(f"    if {test}:")
            indent = "        "
        shape = f.shape
        if f.flatten:
            namespace[f"enc{i}"] = shape.encode
            lines.append(f"{indent}out.update(enc{i}(v))")
        elif f.hashmap:
            namespace[f"enc{i}"] = shape.encode
            namespace["in_order"] = _in_order
            lines.append(f"{indent}out[{f.wire!r}] = in_order(v, enc{i}(v))")
        elif shape.identity or (isinstance(shape, OptionShape) and shape.inner.identity):
            lines.append(f"{indent}out[{f.wire!r}] = v")
        else:
            namespace[f"enc{i}"] = shape.encode
            lines.append(f"{indent}out[{f.wire!r}] = enc{i}(v)")
    if len(lines) == 1:
        lines.append("    pass")
    exec("\n".join(lines), namespace)
    fn: Callable[[Any, dict[str, Any]], None] = namespace["encode_into"]
    return fn


def _compile_decoder(struct: StructShape) -> Callable[[dict[str, Any], bool], Any]:
    """Generate a struct's object reader (the decoding twin of :func:`_compile_encoder`).

    Straight-line code per field, with the common leaf checks (a plain
    string, a boolean) inlined; anything else goes through the field's shape.
    Unknown keys (fewer known keys found than the object holds) go to
    ``StructShape._unknown``.
    """
    namespace: dict[str, Any] = {
        "TextObject": TextObject,
        "check_keys": check_keys,
        "names": struct.names,
        "cls": struct.cls,
        "unknown": struct._unknown,
        "WireError": WireError,
        "MISSING": _MISSING,
    }
    lines = [
        "def decode_map(value, content):",
        "    if type(value) is TextObject:",
        "        check_keys(value, names)",
        "    known = 0",
    ]
    call = []
    for i, f in enumerate(struct.fields):
        namespace[f"dec{i}"] = f.shape.decode
        namespace[f"missing{i}"] = f.missing
        shape = f.shape
        inner = shape.inner if isinstance(shape, OptionShape) else shape
        fast = ""
        if inner is _STR:
            fast = "type(v) is str and v.isascii()"
        elif inner is _BOOL:
            fast = "type(v) is bool"
        if fast and inner is not shape:
            fast = f"v is None or {fast}"
        lines += [
            f"    v = value.get({f.wire!r}, MISSING)",
            "    if v is MISSING:",
            f"        a{i} = missing{i}()",
            "    else:",
            "        known += 1",
        ]
        body = [
            "try:",
            f"    a{i} = dec{i}(v, content)",
            "except WireError as err:",
            f"    raise err.at({f.wire!r}) from None",
        ]
        if fast:
            lines += [f"        if {fast}:", f"            a{i} = v", "        else:"]
            lines += [f"            {line}" for line in body]
        else:
            lines += [f"        {line}" for line in body]
        call.append(f"{f.attr}=a{i}")
    lines += [
        "    if known < len(value):",
        "        unknown(value, content)",
        f"    return cls({', '.join(call)})",
    ]
    exec("\n".join(lines), namespace)
    fn: Callable[[dict[str, Any], bool], Any] = namespace["decode_map"]
    return fn


def _import_model_modules() -> None:
    import importlib
    import pkgutil

    package = importlib.import_module("lash_spec.model")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"lash_spec.model.{info.name}")


def _type_hints(cls: type) -> dict[str, Any]:
    """Resolve a class's annotations, also through names imported only for typing.

    Model modules reference each other in cycles (an envelope holds a process
    command whose events hold an invocation); they import such names under
    ``TYPE_CHECKING`` and the codec resolves them here, lazily, against every
    loaded ``lash_spec`` module.
    """
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except NameError:
        _import_model_modules()
        namespace: dict[str, Any] = {}
        for name, module in list(sys.modules.items()):
            if not name.startswith("lash_spec.") or module is None:
                continue
            namespace[name.rsplit(".", 1)[1]] = module  # `ceb460d4.ProcessInput`
            if getattr(module, "__era__", None) is None:  # era modules reuse Rust names
                namespace.update(
                    {
                        k: v
                        for k, v in vars(module).items()
                        if (v.__module__ == name if isinstance(v, type) else k[0].isupper())
                    }
                )
        namespace.update(vars(sys.modules[cls.__module__]))
        return typing.get_type_hints(cls, localns=namespace, include_extras=True)


# -- tagged enums ------------------------------------------------------------


class _Variant:
    __slots__ = ("body", "cls", "eras", "index", "kind", "name")

    def __init__(self, rule: VariantRule, index: int) -> None:
        self.name = rule.wire_name
        self.cls = rule.cls
        self.kind = rule.kind
        self.index = index
        self.eras = rule.eras
        self.body = StructShape(rule.cls, f"{rule.cls.__name__}")

    def wrap(self, payload: Any) -> Any:
        """Build a newtype variant around its decoded payload."""
        return self.cls(**{self.body.fields[0].attr: payload})

    @property
    def inner(self) -> Shape:
        """The payload shape of a newtype variant."""
        return self.body.fields[0].shape

    def encode_payload(self, obj: Any) -> Any:
        if self.kind == "newtype":
            return self.inner.encode(getattr(obj, self.body.fields[0].attr))
        if self.kind == "tuple":
            return [f.shape.encode(getattr(obj, f.attr)) for f in self.body.fields]
        return self.body.encode(obj)

    def decode_payload(self, value: Any, content: bool) -> Any:
        if self.kind == "newtype":
            return self.wrap(self.inner.decode(value, content))
        if self.kind == "tuple":
            items = TupleShape([f.shape for f in self.body.fields]).decode(value, content)
            return self.cls(**{f.attr: x for f, x in zip(self.body.fields, items, strict=True)})
        if self.kind == "unit":
            if value is not None:
                raise invalid_type(value, "unit variant")
            return self.cls()
        return self.body.decode(value, content)


class EnumShape(Shape):
    """A data-carrying Rust enum: a base class and one subclass per variant.

    A variant that exists only at some eras (``variant(..., since=/before=)``)
    is known to the decoder only there: elsewhere its tag is an unknown
    variant and the others' indices close up, as in that commit's enum.
    """

    def __init__(self, base: type) -> None:
        self.base = base
        tagging: Tagging = base.__serde_enum__  # type: ignore[attr-defined]
        self.tagging = tagging
        self.rust_name = tagging.rust_name or base.__name__
        self._variants: list[_Variant] | None = None
        if tagging.style == "internal":
            self.expecting = f"internally tagged enum {self.rust_name}"
        elif tagging.style == "adjacent":
            self.expecting = f"adjacently tagged enum {self.rust_name}"
        else:
            self.expecting = f"enum {self.rust_name}"

    @property
    def variants(self) -> list[_Variant]:
        if self._variants is None:
            rules: list[VariantRule] = self.base.__serde_variants__  # type: ignore[attr-defined]
            self._variants = [_Variant(r, i) for i, r in enumerate(rules)]
            self.by_name = {v.name: v for v in self._variants}
            self.by_cls = {v.cls: v for v in self._variants}
            self._gated = any(v.eras is not None for v in self._variants)
            self._tables: dict[str, tuple[list[_Variant], dict[str, _Variant]]] = {}
        return self._variants

    @property
    def gated(self) -> bool:
        """Whether some variant exists only at some eras (see :meth:`variants_at`)."""
        _ = self.variants
        return self._gated

    def variants_at(self) -> tuple[list[_Variant], dict[str, _Variant]]:
        """The variants the current era decodes (in order) and their names."""
        variants = self.variants
        if not self._gated:
            return variants, self.by_name
        name = current_era()
        table = self._tables.get(name)
        if table is None:
            live = [v for v in variants if v.eras is None or v.eras.holds(name)]
            table = self._tables[name] = (live, {v.name: v for v in live})
        return table

    def encode(self, obj: Any) -> Any:
        _ = self.variants
        v = self.by_cls[type(obj)]
        style = self.tagging.style
        if style == "internal":
            out: dict[str, Any] = {self.tagging.tag: v.name}  # type: ignore[dict-item]
            if v.kind == "struct":
                v.body.encode_into(obj, out)
            elif v.kind == "newtype":
                out.update(v.encode_payload(obj))
            return out
        if style == "adjacent":
            if v.kind == "unit":
                return {self.tagging.tag: v.name}
            return {self.tagging.tag: v.name, self.tagging.content: v.encode_payload(obj)}
        if v.kind == "unit":
            return v.name
        return {v.name: v.encode_payload(obj)}

    def _lookup(self, tag: Any, content: bool) -> _Variant:
        variants, by_name = self.variants_at()
        if type(tag) is str:
            found = by_name.get(tag)
            if found is None:
                raise unknown_variant(tag, [v.name for v in variants])
            return found
        if content and type(tag) is int and tag >= 0:
            if tag < len(variants):
                return variants[tag]
            raise WireError(
                f"invalid value: integer `{tag}`, expected variant index 0 <= i < {len(variants)}"
            )
        raise invalid_type(tag, "variant identifier")

    def decode(self, value: Any, content: bool) -> Any:
        style = self.tagging.style
        if style == "internal":
            return self._decode_internal(value, content)
        if style == "adjacent":
            return self._decode_adjacent(value, content)
        name, payload = _external_parts(value, self.expecting)
        v = self._lookup(name, False)
        if payload is _NO_PAYLOAD:
            if v.kind != "unit":
                raise WireError(f"invalid type: unit variant, expected {v.kind} variant")
            return v.cls()
        try:
            return v.decode_payload(payload, content)
        except WireError as err:
            raise _at(err, name) from None

    def _decode_internal(self, value: Any, content: bool) -> Any:
        tag = self.tagging.tag
        assert tag is not None
        if type(value) is dict or type(value) is TextObject:
            if type(value) is TextObject:
                check_keys(value, (tag,))
            if tag not in value:
                raise WireError(f"missing field `{tag}`")
            try:
                v = self._lookup(value[tag], content)
            except WireError as err:
                raise _at(err, tag) from None
            if type(value) is TextObject:
                rest: dict[str, Any] = value.without(tag)
            else:
                rest = {k: x for k, x in value.items() if k != tag}
            if v.kind == "unit":
                for k, x in rest.items():  # buffered, then ignored
                    try:
                        buffered(x)
                    except WireError as err:
                        raise _at(err, k) from None
                return v.cls()
            if v.kind == "newtype":
                return v.wrap(v.inner.decode(rest, True))
            if v.kind == "tuple":
                raise invalid_type(value, "tuple variant")
            return v.body.decode_map(rest, True)
        if type(value) is list:
            if not value:
                raise WireError(f"invalid length 0, expected {self.expecting}")
            try:
                v = self._lookup(value[0], content)
            except WireError as err:
                raise _at(err, 0) from None
            if v.kind == "unit":
                return v.cls()
            rest_seq = value[1:]
            try:
                if v.kind == "newtype":
                    return v.wrap(v.inner.decode(rest_seq, True))
                return v.body.decode_seq(rest_seq, True)
            except WireError as err:
                # Elements after the tag are reported at their own index.
                if err.path and isinstance(err.path[0], int):
                    raise WireError(err.message, (err.path[0] + 1, *err.path[1:])) from None
                raise
        raise invalid_type(value, self.expecting)

    def _decode_adjacent(self, value: Any, content: bool) -> Any:
        tag, body = self.tagging.tag, self.tagging.content
        assert tag is not None and body is not None
        if type(value) is dict or type(value) is TextObject:
            if type(value) is TextObject:
                check_keys(value, (tag, body))
            if content and len(value) > 2:  # inside a buffer, other keys were read too
                for k, x in value.items():
                    if k not in (tag, body):
                        try:
                            buffered(x)
                        except WireError as err:
                            raise _at(err, k) from None
            if tag not in value:
                raise WireError(f"missing field `{tag}`")
            try:
                v = self._lookup(value[tag], content)
            except WireError as err:
                raise _at(err, tag) from None
            if body not in value:
                if v.kind == "unit":
                    return v.cls()
                raise WireError(f"missing field `{body}`")
            # A payload that precedes its tag is buffered by serde.
            ahead = content or list(value).index(body) < list(value).index(tag)
            try:
                return v.decode_payload(value[body], ahead)
            except WireError as err:
                raise _at(err, body) from None
        if type(value) is list:
            if not value:
                raise WireError(f"invalid length 0, expected {self.expecting}")
            try:
                v = self._lookup(value[0], content)
            except WireError as err:
                raise _at(err, 0) from None
            if len(value) == 1:
                raise WireError(f"invalid length 1, expected {self.expecting}")
            if len(value) > 2:
                raise WireError(f"invalid length {len(value)}, expected {self.expecting}")
            try:
                return v.decode_payload(value[1], content)
            except WireError as err:
                raise _at(err, 1) from None
        raise invalid_type(value, self.expecting)


# -- era-split types -----------------------------------------------------------

_ERA: contextvars.ContextVar[str | None] = contextvars.ContextVar("lash_spec_era", default=None)


def current_era() -> str:
    """The era being decoded (:func:`wire_era`); :data:`~lash_spec.eras.DEFAULT_ERA` otherwise."""
    return _ERA.get() or DEFAULT_ERA


def current_forms() -> str:
    """The form set of the era being decoded (see :mod:`lash_spec.eras`)."""
    return era(current_era()).forms


@contextmanager
def wire_era(name: str | None) -> Iterator[None]:
    """Decode (and draw) inside this block at era ``name``: a field whose type
    is split by era reads that era's form. ``None`` keeps the current era."""
    if name is None:
        yield
        return
    token = _ERA.set(era(name).name)
    try:
        yield
    finally:
        _ERA.reset(token)


class EraSlotShape(Shape):
    """A field whose type changed between eras: the forms of one Rust type,
    one per form set. Reading picks the form of the era being decoded, so no
    era accepts what its own serde rejects; writing follows the value."""

    def __init__(self, forms: dict[str, Any]) -> None:
        self.forms = forms
        first = next(iter(forms.values()))
        self.expecting = shape_of(first).expecting

    def form(self) -> Any:
        forms = current_forms()
        found = self.forms.get(forms)
        if found is None:
            name = next(iter(self.forms.values())).__name__
            raise WireError(f"type {name} does not exist in the {forms} forms")
        return found

    def encode(self, obj: Any) -> Any:
        return _shape_for_instance(obj).encode(obj)

    def decode(self, value: Any, content: bool) -> Any:
        return shape_of(self.form()).decode(value, content)


def _era_forms(args: tuple[Any, ...]) -> dict[str, Any] | None:
    """The forms of an era-split type, when ``args`` (a union) is exactly that."""
    if len(args) < 2 or not all(isinstance(a, type) and "__era__" in a.__dict__ for a in args):
        return None
    forms = {a.__dict__["__era__"]: a for a in args}
    return forms if len(forms) == len(args) else None


# ---------------------------------------------------------------------------
# Shape registry
# ---------------------------------------------------------------------------

_SHAPES: dict[Any, Shape] = {}
_STR, _BOOL, _FLOAT, _VALUE, _NULL = (
    StrShape(),
    BoolShape(),
    FloatShape(),
    ValueShape(),
    NullShape(),
)


def shape_of(tp: Any) -> Shape:
    """The (cached) shape of a Python type annotation."""
    try:
        return _SHAPES[tp]
    except KeyError:
        pass
    except TypeError:  # unhashable annotation: build uncached
        return _build(tp)
    shape = _build(tp)
    _SHAPES[tp] = shape
    return shape


def _build(tp: Any) -> Shape:
    custom = tp.__dict__.get("__wire_shape__") if isinstance(tp, type) else None
    if custom is not None:
        shape: Shape = custom()
        return shape
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is typing.Annotated:
        for meta in args[1:]:
            if isinstance(meta, IntRange):
                return IntShape(meta)
            if isinstance(meta, ValueMark):
                return _VALUE
            if isinstance(meta, Shape):
                return meta
        return shape_of(args[0])
    if tp is str:
        return _STR
    if tp is bool:
        return _BOOL
    if tp is float:
        return _FLOAT
    if tp is int:  # an unannotated int: any integer serde_json can hold
        return IntShape(IntRange("integer", -(2**63), 2**64 - 1))
    if tp is bytes:
        return BytesShape()
    if tp is None or tp is type(None):
        return _NULL
    if origin in (Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) < len(args):
            inner = non_none[0] if len(non_none) == 1 else Union[tuple(non_none)]  # noqa: UP007
            return OptionShape(shape_of(inner))
        forms = _era_forms(args)
        if forms is not None:
            return EraSlotShape(forms)
        origins = {get_origin(a) for a in args}
        if origins == {Ok, Err} and len(args) == 2:
            ok = next(a for a in args if get_origin(a) is Ok)
            err = next(a for a in args if get_origin(a) is Err)
            return ResultShape(shape_of(get_args(ok)[0]), shape_of(get_args(err)[0]))
        raise TypeError(f"no wire shape for union {tp!r}")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return ListShape(shape_of(args[0]))
        return TupleShape([shape_of(a) for a in args])
    if origin is list:
        return ListShape(shape_of(args[0]))
    if origin is dict:
        return MapShape(shape_of(args[1]))
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            return UnitEnumShape(tp)
        if "__serde_enum__" in tp.__dict__:
            return EnumShape(tp)
        if attrs.has(tp):
            return StructShape(tp)
    raise TypeError(f"no wire shape for {tp!r}")


def _is_model_class(tp: Any) -> bool:
    return isinstance(tp, type) and (attrs.has(tp) or issubclass(tp, enum.Enum))


def _shape_for_instance(obj: Any) -> Shape:
    cls = type(obj)
    for klass in cls.__mro__:
        if "__serde_enum__" in klass.__dict__:
            return shape_of(klass)
    return shape_of(cls)


# ---------------------------------------------------------------------------
# The converter and the public functions
# ---------------------------------------------------------------------------

converter = cattrs.Converter()
"""The single converter: every wire type's hooks come from :func:`shape_of`."""


def _structure_factory(tp: Any) -> Callable[[Any, Any], Any]:
    shape = shape_of(tp)
    return lambda value, _tp: shape.decode(value, False)


def _unstructure_factory(tp: Any) -> Callable[[Any], Any]:
    return lambda obj: _shape_for_instance(obj).encode(obj)


converter.register_structure_hook_factory(lambda tp: True, _structure_factory)
# cattrs dispatches builtin types before any factory; claim them explicitly so
# `from_wire(str, 1)` is refused like every other lax coercion.
for _builtin in (str, bool, int, float, bytes):
    converter.register_structure_hook(_builtin, _structure_factory(_builtin))
converter.register_unstructure_hook_factory(_is_model_class, _unstructure_factory)


def from_wire(tp: type[T] | Any, value: Any, *, era: str | None = None) -> T:
    """Decode a JSON value (as ``json.loads`` gives it) as the Rust type ``tp``.

    ``era`` (a name from :mod:`lash_spec.eras`) picks the form of every
    era-split type inside; without it, an era form ``tp`` reads its own forms
    and any other type the current era's. Raises :class:`WireError` (with the
    JSON path) where serde would fail.
    """
    forms = tp.__dict__.get("__era__") if isinstance(tp, type) else None
    if era is None and forms is not None:
        era = forms  # a form set is named after the era that reads it
    with wire_era(era):
        result: T = typing.cast(T, converter.structure(value, tp))
    return result


def to_wire(obj: Any, tp: Any = None) -> Any:
    """The JSON value serde writes for ``obj`` (dicts already in serde order).

    ``tp`` is needed only where the Python type alone is ambiguous (a bare
    ``Ok``/``Err``, an ``Option``, a tuple type…); model instances need none.
    """
    if tp is not None:
        return shape_of(tp).encode(obj)
    if _is_model_class(type(obj)):
        return converter.unstructure(obj)
    return canonical_value(obj)


def to_json(obj: Any, tp: Any = None) -> str:
    """serde_json's compact text of ``obj``.

    Written by the compiled writer when it is built (:mod:`lash_spec.wire.plan`),
    else — and for any value it declines — by :func:`pure_json`.
    """
    if _ORDERS.get() is None:  # enumerating HashMap orders is the pure path's job
        data = compiled_json(obj, tp)
        if data is not None:
            return data.decode("utf-8")
    return pure_json(obj, tp)


def pure_json(obj: Any, tp: Any = None) -> str:
    """The reference text: :func:`to_wire`, then :func:`~lash_spec.wire.text.write_json`."""
    return write_json(to_wire(obj, tp))


def from_json(tp: type[T] | Any, text: str, *, era: str | None = None) -> T:
    """``serde_json::from_str``: read the text as serde_json does, then decode as ``tp``.

    The reader conveys what only text carries (repeated keys, depth, lone
    surrogates, out-of-range numbers) and the shapes apply serde's rules to
    it; every refusal is a :class:`WireError` with the JSON path. ``era``
    picks the upstream commit whose form of an era-split type is read.

    The compiled reader answers first when it is built
    (:mod:`lash_spec.wire.readplan`); whatever it declines — every error
    among it — is read and decoded here.
    """
    found = compiled_read(tp, text, era)
    if found is not DECLINED:
        return typing.cast(T, found)
    result: T = from_wire(tp, read_text(text), era=era)
    return result


def stable_json(value: Any) -> str:
    """lash's stable JSON: compact serde text (model fields in Rust order)."""
    return to_json(value)


def stable_hash(value: Any) -> str:
    """Lowercase hex SHA-256 of :func:`stable_json`."""
    if _ORDERS.get() is None:
        data = compiled_json(value)
        if data is not None:
            return hashlib.sha256(data).hexdigest()
    return sha256_hex(pure_json(value))


# ---------------------------------------------------------------------------
# HashMap orders: every text Rust may write
# ---------------------------------------------------------------------------
#
# A field declared ``hashmap=True`` is written sorted by default. While
# :func:`all_orders` runs a function, each such map it writes is instead put
# in an order that the enumeration picks: the k-th distinct map (by identity,
# so a map written twice keeps one order, as one Rust HashMap iterates the
# same way each time) takes the k-th permutation of the current combination.

MAX_ORDERS: Final = 720
"""The most orders :func:`all_orders` enumerates (6! = one map of 6 entries)."""


class _Orders:
    """The permutations one run uses, and the maps that run met."""

    __slots__ = ("maps", "picks", "seen")

    def __init__(self, picks: tuple[tuple[int, ...], ...]) -> None:
        self.picks = picks
        self.seen: dict[int, int] = {}
        self.maps: list[Any] = []  # keeps each map alive, so ids stay unique

    def apply(self, source: Any, encoded: dict[str, Any]) -> dict[str, Any]:
        index = self.seen.get(id(source))
        if index is None:
            index = self.seen[id(source)] = len(self.maps)
            self.maps.append(source)
        if index >= len(self.picks):
            return encoded
        keys = list(encoded)
        return {keys[i]: encoded[keys[i]] for i in self.picks[index]}


_ORDERS: ContextVar[_Orders | None] = ContextVar("lash_spec_hashmap_orders", default=None)


def _in_order(source: Any, encoded: dict[str, Any]) -> dict[str, Any]:
    """A HashMap field's encoded entries: sorted, or the order being enumerated."""
    orders = _ORDERS.get()
    return encoded if orders is None else orders.apply(source, encoded)


def _run(fn: Callable[[], T], orders: _Orders) -> T:
    token = _ORDERS.set(orders)
    try:
        return fn()
    finally:
        _ORDERS.reset(token)


def all_orders(fn: Callable[[], T], *, limit: int = MAX_ORDERS) -> tuple[T, ...]:
    """``fn()`` once per order Rust may write the HashMaps it serializes in.

    Every combination of every permutation of each ``hashmap=True`` field's
    entries, that is ``n!`` per map multiplied across maps; the first result
    is the sorted (canonical) one. ``fn`` must be pure. Raises
    :class:`~lash_spec.wire.errors.OrderLimitError` beyond ``limit`` orders.
    """
    first = _Orders(())
    canonical = _run(fn, first)
    sizes = [len(m) for m in first.maps]
    total = math.prod(math.factorial(n) for n in sizes)
    if total > limit:
        raise OrderLimitError(total, limit)
    if total == 1:
        return (canonical,)
    out = [canonical]
    combos = itertools.product(*(itertools.permutations(range(n)) for n in sizes))
    next(combos)  # the identity: already run
    for picks in combos:
        out.append(_run(fn, _Orders(picks)))
    return tuple(out)


def all_texts(obj: Any, tp: Any = None, *, limit: int = MAX_ORDERS) -> tuple[str, ...]:
    """Every text ``serde_json::to_string`` may write for ``obj`` (sorted first).

    One text unless ``obj`` holds a HashMap field with two or more entries.
    """
    return all_orders(lambda: to_json(obj, tp), limit=limit)

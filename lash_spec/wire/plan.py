"""Encode plans: the codec's shapes as data for the compiled writer.

Encoding (``to_json``/``stable_json``/``stable_hash``) has two paths that must
write the same bytes:

* the **pure** path — :mod:`lash_spec.wire.codec` builds the wire value
  (``to_wire``) and :mod:`lash_spec.wire.text` writes it. It is the
  reference, readable and complete;
* the **compiled** path — ``_writer.c`` (built at install when a C compiler
  is present) walks the model objects and writes UTF-8 bytes directly,
  following a *plan* made here from the very same :class:`Shape` objects.

The writer knows no lash type and no serde rule that a plan does not spell
out. It handles an exactly-typed subset and raises on anything else (a
subclass, a list where a tuple is expected, a lone surrogate, an integer
outside i64/u64 in a ``Value`` …); :func:`compiled_json` then answers
``None`` and the caller runs the pure path, whose result *or error* is the
answer. Shapes the plans do not know (custom ``Shape`` subclasses such as
``ToolValueShape``) become ``PY`` nodes: the shape's own ``encode`` builds
the wire value and the writer only writes it. So a new type is correct on
the compiled path as soon as it is correct on the pure one; the
differential tests (``tests/test_encoder_paths.py``) hold both to the same
bytes. ``docs/dev/performance.md`` has the design and the measurements.

A plan node is a list (lists, so that recursive types can point back at a
node that is still being filled in) whose first item is its kind:

=================  =========================================================
``[ANY]``          identity shapes (str, bool, ints, their Options): the
                   value is written as it is
``[VALUE]``        ``serde_json::Value``: object keys sorted at every depth
``[FLOAT]``        an f64 (exact ``float`` only)
``[NULL]``         ``()`` / unit structs
``[OPTION, p]``    ``null`` or ``p``
``[LIST, p]``      ``Vec<T>`` from a tuple (or list)
``[BYTES]``        ``Vec<u8>`` from ``bytes``
``[TUPLE, ps]``    a Rust tuple from a tuple of that length
``[MAP, p]``       ``BTreeMap<String, T>``: keys sorted
``[RESULT, …]``    ``Ok, p_ok, Err, p_err``
``[UNIT_ENUM, …]`` members, and each member's text
``[STRUCT, …]``    class, fields
``[ENUM, …]``      style, tag key, content key, variants
``[PY, encode]``   any other shape: ``encode`` builds the wire value
=================  =========================================================

A field is ``(attr, slot offset or -1, key text, skip rule, predicate,
plan, inline)``; ``inline`` marks ``#[serde(flatten)]``. A variant is
``(class, name text, kind, fields, encode)``. Texts are the UTF-8 bytes the
pure writer produces for the key or name, so no escaping rule lives twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from lash_spec.wire.text import write_json
from lash_spec.wire.types import Err, Ok

__all__ = [
    "ENCODER",
    "ENCODER_REASON",
    "cached_plan",
    "choose",
    "compiled_json",
    "load_compiled",
    "load_writer",
    "plan_of",
]

(ANY, VALUE, FLOAT, NULL, OPTION, LIST, BYTES, TUPLE, MAP, RESULT, UNIT_ENUM, STRUCT, ENUM, PY) = (
    range(14)
)
SKIP_NEVER, SKIP_NONE, SKIP_EMPTY, SKIP_FALSE, SKIP_CALL = range(5)
EXTERNAL, INTERNAL, ADJACENT = range(3)
V_UNIT, V_NEWTYPE, V_TUPLE, V_STRUCT, V_PY = range(5)

Plan = list[Any]
Field = tuple[str, int, bytes, int, Any, Plan, bool]

def load_compiled(name: str, what: str) -> tuple[ModuleType | None, str]:
    """The C extension ``lash_spec.wire.<name>`` (or ``None``) and why, ignoring
    ``LASH_SPEC_PURE``; ``what`` names it in the reason ("writer", "reader").

    An extension built from another version of its C file than the one next
    to this file (an editable install whose C source changed since) is not used.
    """
    try:
        module: ModuleType = importlib.import_module(f"lash_spec.wire.{name}")
    except ImportError:
        return None, f"the compiled {what} is not built (no C compiler at install?)"
    source = Path(__file__).with_name(f"{name}.c")
    if source.exists():
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        if digest != module.SOURCE_SHA256:
            return None, f"the compiled {what} is stale: reinstall (pip install -e .)"
    return module, "built at install"


def choose(built: ModuleType | None, reason: str, what: str) -> tuple[ModuleType | None, str, str]:
    """(module or None, ``"compiled"`` or ``"pure"``, why): ``LASH_SPEC_PURE`` forces pure."""
    if os.environ.get("LASH_SPEC_PURE", "") not in ("", "0"):
        return None, "pure", "LASH_SPEC_PURE is set"
    if built is None:
        if "stale" in reason:
            warnings.warn(f"lash_spec: {reason}; using the pure-Python {what}", stacklevel=2)
        return None, "pure", reason
    return built, "compiled", reason


def load_writer() -> tuple[ModuleType | None, str]:
    """The compiled writer module (or ``None``) and why, ignoring ``LASH_SPEC_PURE``."""
    return load_compiled("_writer", "writer")


_WRITER, ENCODER, ENCODER_REASON = choose(*load_writer(), "encoder")
"""``ENCODER`` is ``"compiled"`` or ``"pure"``: the path ``to_json`` takes."""


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------

_PLANS: dict[Any, Plan] = {}


def cached_plan(cache: dict[Any, Plan], key: Any, build: Callable[[], Plan]) -> Plan:
    """``cache[key]``, made by ``build`` the first time. The node is registered
    before it is built, so that a recursive type finds it (unfinished)."""
    try:
        return cache[key]
    except KeyError:
        pass
    node: Plan = []
    cache[key] = node
    try:
        node.extend(build())
    except BaseException:
        del cache[key]
        raise
    return node


def plan_of(shape: Any, writer: ModuleType | None = None) -> Plan:
    """The (cached) plan of a codec shape."""
    return cached_plan(_PLANS, shape, lambda: _build(shape, writer or _WRITER))


def _text(value: str) -> bytes:
    return write_json(value).encode("utf-8")


def _build(shape: Any, writer: Any) -> Plan:
    from lash_spec.wire import codec as c

    t = type(shape)
    if t in (c.StrShape, c.BoolShape, c.IntShape):
        return [ANY]
    if t is c.ValueShape:
        return [VALUE]
    if t is c.FloatShape:
        return [FLOAT]
    if t is c.NullShape:
        return [NULL]
    if t is c.OptionShape:
        if shape.inner.identity:
            return [ANY]
        return [OPTION, plan_of(shape.inner, writer)]
    if t is c.ListShape:
        return [LIST, plan_of(shape.inner, writer)]
    if t is c.BytesShape:
        return [BYTES]
    if t is c.TupleShape:
        return [TUPLE, tuple(plan_of(s, writer) for s in shape.items)]
    if t is c.MapShape:
        return [MAP, plan_of(shape.inner, writer)]
    if t is c.ResultShape:
        return [RESULT, Ok, plan_of(shape.ok, writer), Err, plan_of(shape.err, writer)]
    if t is c.UnitEnumShape:
        members = tuple(shape.cls)
        try:
            texts = tuple(_text(m.value) for m in members)
        except (TypeError, UnicodeError):
            return [PY, shape.encode]
        return [UNIT_ENUM, members, texts]
    if t is c.StructShape:
        fields = _fields(shape, writer)
        if fields is None:
            return [PY, shape.encode]
        return [STRUCT, shape.cls, fields]
    if t is c.EnumShape:
        return _enum(shape, writer)
    if t is c.EraSlotShape:
        merged = _era_slot(shape, writer)
        if merged is not None:
            return merged
    return [PY, shape.encode]


def _era_slot(shape: Any, writer: Any) -> Plan | None:
    """An era-split field writes whichever form its value is: the forms' enum
    plans merged into one, whose variants (or members) dispatch on the value's
    class as usual. ``None`` (a ``PY`` node) for forms that are structs, or
    enums tagged differently."""
    from lash_spec.wire import codec as c

    plans = [plan_of(c.shape_of(tp), writer) for tp in shape.forms.values()]
    if any(not p for p in plans):  # a form still being planned (a recursive type)
        return None
    kinds = {p[0] for p in plans}
    if kinds == {ENUM} and len({tuple(p[1:4]) for p in plans}) == 1:
        return [ENUM, *plans[0][1:4], tuple(v for p in plans for v in p[4])]
    if kinds == {UNIT_ENUM}:
        members = tuple(m for p in plans for m in p[1])
        return [UNIT_ENUM, members, tuple(text for p in plans for text in p[2])]
    return None


def _offset(cls: type, attr: str, writer: Any) -> int:
    for klass in cls.__mro__:
        if attr in klass.__dict__:
            offset: int = writer.member_offset(klass.__dict__[attr])
            return offset
    return -1


def _skip_rule(f: Any) -> tuple[int, Any]:
    from lash_spec.wire import codec as c

    if f.skip_if is None:
        return SKIP_NEVER, None
    known = {c._is_none: SKIP_NONE, c._is_empty: SKIP_EMPTY, c._is_false: SKIP_FALSE}
    return known.get(f.skip_if, SKIP_CALL), f.skip_if


def _fields(shape: Any, writer: Any) -> tuple[Field, ...] | None:
    """A struct's fields, or ``None`` when two of them may write the same key.

    The pure path builds a dict, where a repeated key (a flattened enum's
    tag equal to a field name, say) overwrites in place; a stream cannot, so
    such a struct is left to its shape's own ``encode`` (a ``PY`` node).
    """
    out: list[Field] = []
    seen: set[str] = set()
    for f in shape.fields:
        if f.flatten:
            keys = _inline_keys(f.shape)
            if keys is None:
                return None
        else:
            keys = {f.wire}
        if keys & seen:
            return None
        seen |= keys
        skip, predicate = _skip_rule(f)
        out.append(
            (
                f.attr,
                _offset(shape.cls, f.attr, writer),
                _text(f.wire) + b":",
                skip,
                predicate,
                plan_of(f.shape, writer),
                bool(f.flatten),
            )
        )
    return tuple(out)


def _inline_keys(shape: Any) -> set[str] | None:
    """The keys a shape adds to an outer object when flattened (None: can't inline)."""
    from lash_spec.wire import codec as c

    if type(shape) is c.StructShape:
        keys: set[str] = set()
        for f in shape.fields:
            inner = _inline_keys(f.shape) if f.flatten else {f.wire}
            if inner is None or inner & keys:
                return None
            keys |= inner
        return keys
    if type(shape) is c.EnumShape and shape.tagging.style == "internal":
        tag = shape.tagging.tag
        assert tag is not None
        keys = {tag}
        for v in shape.variants:
            if v.kind == "unit":
                continue
            if v.kind == "tuple":
                return None
            body = _inline_keys(v.body if v.kind == "struct" else v.inner)
            if body is None or tag in body:
                return None
            keys |= body
        return keys
    return None


def _enum(shape: Any, writer: Any) -> Plan:
    tagging = shape.tagging
    style = {"external": EXTERNAL, "internal": INTERNAL, "adjacent": ADJACENT}[tagging.style]
    variants = []
    for v in shape.variants:
        name = _text(v.name)
        kind, fields = _variant_body(shape, v, writer)
        variants.append((v.cls, name, kind, fields, shape.encode))
    tag_key = _text(tagging.tag) + b":" if tagging.tag is not None else b""
    content_key = _text(tagging.content) + b":" if tagging.content is not None else b""
    return [ENUM, style, tag_key, content_key, tuple(variants)]


def _variant_body(shape: Any, v: Any, writer: Any) -> tuple[int, tuple[Field, ...]]:
    internal = shape.tagging.style == "internal"
    if v.kind == "unit":
        return V_UNIT, ()
    if v.kind == "newtype":
        if internal:
            keys = _inline_keys(v.inner)
            if keys is None or shape.tagging.tag in keys:
                return V_PY, ()
        f = v.body.fields[0]
        field: Field = (f.attr, _offset(v.cls, f.attr, writer), b"", 0, None,
                        plan_of(f.shape, writer), False)
        return V_NEWTYPE, (field,)
    if v.kind == "tuple":
        if internal:  # the pure path writes the tag alone; rare enough to leave to it
            return V_PY, ()
        fields = tuple(
            (f.attr, _offset(v.cls, f.attr, writer), b"", 0, None, plan_of(f.shape, writer), False)
            for f in v.body.fields
        )
        return V_TUPLE, fields
    body = _fields(v.body, writer)
    if body is None:
        return V_PY, ()
    if internal:
        keys = _inline_keys(v.body)
        if keys is None or shape.tagging.tag in keys:
            return V_PY, ()
    return V_STRUCT, body


# ---------------------------------------------------------------------------
# The compiled path
# ---------------------------------------------------------------------------

_BY_TYPE: dict[type, Plan] = {}
_BY_TP: dict[Any, Plan] = {}


def _top_plan(obj: Any, tp: Any, writer: ModuleType) -> Plan:
    from lash_spec.wire import codec as c

    if tp is not None:
        plan = plan_of(c.shape_of(tp), writer)
        with contextlib.suppress(TypeError):  # an unhashable annotation: not cached
            _BY_TP[tp] = plan
        return plan
    cls = type(obj)
    if c._is_model_class(cls):
        plan = plan_of(c._shape_for_instance(obj), writer)
    else:
        plan = plan_of(c._VALUE, writer)
    _BY_TYPE[cls] = plan
    return plan


def compiled_json(obj: Any, tp: Any = None, writer: ModuleType | None = None) -> bytes | None:
    """serde_json's text of ``obj`` as UTF-8 from the compiled writer.

    ``None`` when the compiled path is off (``ENCODER == "pure"``) or when
    it declines this value: the caller then runs the pure path. ``writer``
    forces a given writer module (the differential tests use it).
    """
    w = writer or _WRITER
    if w is None:
        return None
    try:
        plan = _BY_TYPE[type(obj)] if tp is None else _BY_TP[tp]
    except (KeyError, TypeError):
        try:
            plan = _top_plan(obj, tp, w)
        except Exception:  # no shape for it: the pure path raises the error
            return None
    try:
        data: bytes = w.dumps(plan, obj)
    except Exception:  # declined (or a Python-level encode raised): the pure path answers
        return None
    return data

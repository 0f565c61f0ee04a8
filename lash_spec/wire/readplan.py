"""Read plans: the codec's shapes as data for the compiled reader.

Decoding text (``from_json``) has two paths that must give the same value
*and* the same error:

* the **pure** path — :func:`lash_spec.wire.reader.read_text` parses the
  text into a JSON value carrying what only text says (repeated keys, depth,
  lone surrogates, numbers beyond f64), then the codec's shapes decode it.
  It is the reference, readable and complete;
* the **compiled** path — ``_reader.c`` (built at install when a C compiler
  is present) reads the text straight into model objects, in one pass, as
  serde's derived ``Deserialize`` does, following a *read plan* made here
  from the very same :class:`~lash_spec.wire.codec.Shape` objects.

The reader accepts only text that is plainly valid for its plan. Anything
else — any syntax error, a repeated key, a missing required field, a value
of the wrong type, a lone surrogate, deep nesting, a tag that is not the
first key, a struct written as an array … — is *declined*:
:func:`compiled_read` answers :data:`DECLINED` and ``from_json`` runs the
pure path, whose value or typed error is the answer. So every error comes
from the pure path, with its message and JSON path, and the compiled path
only has to agree with it on what it accepts; the differential tests
(``tests/test_decoder_paths.py``) hold it to that. Shapes the plans do not
know (custom ``Shape`` subclasses, flattened structs, ``Result``, bytes)
become ``PY`` nodes: the reader parses a plain JSON value (declining repeated
keys and the like, so it is exactly what ``read_text`` gives) and the
shape's own ``decode`` turns it into the model value.

Plans depend on the era being decoded (a field split by era reads that era's
form), so they are made and cached per shape *object* and era; an era view
of a shape is just another shape object with a plan of its own.

A plan node is a list whose first item is its kind:

==================  ========================================================
``[STR]``           a string (``str``)
``[BOOL]``          ``true``/``false``
``[INT, lo, hi]``   an integer literal within ``lo..=hi``
``[FLOAT]``         an f64
``[VALUE]``         ``serde_json::Value`` (objects sorted, as ``json_value``)
``[NULL]``          ``null``
``[OPTION, p]``     ``null`` or ``p``
``[LIST, p]``       ``Vec<T>`` (a tuple)
``[MAP, p]``        ``BTreeMap<String, T>`` (a dict, keys sorted)
``[TUPLE, ps]``     a Rust tuple
``[UNIT_ENUM, …]``  member names (UTF-8), members
``[STRUCT, …]``     constructor, fields, ``deny_unknown_fields``
``[ENUM, …]``       style, tag key, content key, variants, an empty struct
``[PY, decode]``    any other shape: a plain JSON value, then ``decode``
``[DECLINE]``       always left to the pure path
==================  ========================================================

A field is ``(key, plan, missing kind, missing value)``; a variant is
``(name, kind, constructor, plan)``; a constructor is ``(class, direct,
slot descriptors, keyword names)``. *Direct* construction fills the slots of a
fresh instance, which is what the attrs-generated ``__init__`` of a class
without validators, converters or hooks does; any other class is called.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Final

import attrs

from lash_spec.wire.plan import cached_plan, choose, load_compiled

__all__ = ["DECLINED", "DECODER", "DECODER_REASON", "compiled_read", "load_reader", "plan_of"]

(
    STR, BOOL, INT, FLOAT, VALUE, NULL, OPTION, LIST, MAP, TUPLE, UNIT_ENUM, STRUCT, ENUM, PY,
    DECLINE,
) = range(15)  # fmt: skip
M_REQUIRED, M_NONE, M_VALUE, M_FACTORY = range(4)
EXTERNAL, INTERNAL, ADJACENT = range(3)
V_UNIT, V_NEWTYPE, V_STRUCT, V_DECLINE = range(4)
MAX_FIELDS: Final = 64  # _reader.c's bound on a struct's fields

Plan = list[Any]

DECLINED: Final[Any] = object()
"""What :func:`compiled_read` answers when the pure path must decide."""


def load_reader() -> tuple[ModuleType | None, str]:
    """The compiled reader module (or ``None``) and why, ignoring ``LASH_SPEC_PURE``."""
    reader, reason = load_compiled("_reader", "reader")
    if reader is not None:
        from lash_spec.wire.reader import Unreadable, _number

        reader.configure(_number, Unreadable)
    return reader, reason


_BUILT, _BUILT_REASON = load_reader()
_READER, DECODER, DECODER_REASON = choose(_BUILT, _BUILT_REASON, "decoder")
"""``DECODER`` is ``"compiled"`` or ``"pure"``: the path ``from_json`` takes first."""


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------

_PLANS: dict[tuple[Any, str], Plan] = {}


_ERA_VAR: Any = None  # the codec's era context variable, bound on first use
_DEFAULT_ERA = ""


def _era() -> str:
    """The era key plans are cached under: what decides a field's form (or view).

    Read straight from the codec's context variable (``from_json`` is hot);
    unset means the default era.
    """
    global _ERA_VAR, _DEFAULT_ERA  # bound once, lazily: the codec imports this module
    if _ERA_VAR is None:
        from lash_spec.eras import DEFAULT_ERA
        from lash_spec.wire import codec as c

        _DEFAULT_ERA, _ERA_VAR = DEFAULT_ERA, c._ERA
    key: str = _ERA_VAR.get() or _DEFAULT_ERA
    return key


def plan_of(shape: Any) -> Plan:
    """The (cached) read plan of a codec shape at the current era.

    Made inside the era it is for: era-split fields are resolved (and era
    views chosen) as it is made.
    """
    return _plan(shape, _era())


def _plan(shape: Any, era: str) -> Plan:
    """:func:`plan_of`, with the current era already read."""
    return cached_plan(_PLANS, (shape, era), lambda: _build(shape, era))


def _build(shape: Any, era: str) -> Plan:
    from lash_spec.wire import codec as c
    from lash_spec.wire.errors import WireError

    t = type(shape)
    if t is c.StrShape:
        return [STR]
    if t is c.BoolShape:
        return [BOOL]
    if t is c.IntShape:
        lo, hi = shape.rng.lo, shape.rng.hi
        if -(2**63) <= lo <= hi <= 2**64 - 1 and hi >= 0:
            return [INT, lo, hi]
        return [PY, shape.decode]
    if t is c.FloatShape:
        return [FLOAT]
    if t is c.ValueShape:
        return [VALUE]
    if t is c.NullShape:
        return [NULL]
    if t is c.OptionShape:
        return [OPTION, _plan(shape.inner, era)]
    if t is c.ListShape:
        return [LIST, _plan(shape.inner, era)]
    if t is c.TupleShape:
        return [TUPLE, tuple(_plan(s, era) for s in shape.items)]
    if t is c.MapShape:
        return [MAP, _plan(shape.inner, era)]
    if t is c.UnitEnumShape:
        names = tuple(shape.by_name)
        if not all(type(n) is str for n in names):
            return [PY, shape.decode]
        return [UNIT_ENUM, tuple(n.encode("utf-8") for n in names), tuple(shape.by_name.values())]
    if t is c.StructShape:
        return _struct(shape, era)
    if t is c.EnumShape:
        return _enum(shape, era)
    if t is c.EraSlotShape:
        try:
            form = shape.form()
        except WireError:  # no form at this era: the pure path says so
            return [DECLINE]
        return _plan(c.shape_of(form), era)
    return [PY, shape.decode]


def _missing(f: Any) -> tuple[int, Any]:
    """What a struct's field is when its key is absent (``_FieldShape.missing``)."""
    if f.has_default:
        d = f.default
        if isinstance(d, attrs.Factory):  # type: ignore[arg-type]
            return M_FACTORY, d.factory
        if d is attrs.NOTHING:
            return M_REQUIRED, None  # the pure path raises
        return M_VALUE, d
    if f.shape.optional:
        return M_NONE, None
    return M_REQUIRED, None


def _struct(shape: Any, era: str) -> Plan:
    shape = shape.view()  # an era-gated struct reads the fields of the current era
    fields = shape.fields
    if shape.flat is not None or len(fields) > MAX_FIELDS:
        return [PY, shape.decode]
    entries = tuple(
        (f.wire.encode("utf-8"), _plan(f.shape, era), *_missing(f)) for f in fields
    )
    ctor = _ctor(shape.cls, [f.attr for f in fields])
    return [STRUCT, ctor, entries, bool(shape.deny_unknown)]


def _enum(shape: Any, era: str) -> Plan:
    tagging = shape.tagging
    variants = shape.variants_at()[0]  # an era-gated enum: the current era's variants
    internal = tagging.style == "internal"
    out: list[tuple[bytes, int, Any, Any]] = []
    for v in variants:
        name = v.name.encode("utf-8")
        if v.kind == "unit":
            out.append((name, V_UNIT, _ctor(v.cls, []), None))
        elif v.kind == "newtype":
            inner = _plan(v.inner, era)
            ok = not internal or _inlinable(inner, tagging.tag)
            ctor = _ctor(v.cls, [v.body.fields[0].attr])
            out.append((name, V_NEWTYPE if ok else V_DECLINE, ctor, inner))
        elif v.kind == "struct":
            body = _plan(v.body, era)
            ok = bool(body) and body[0] == STRUCT
            ok = ok and (not internal or _inlinable(body, tagging.tag))
            out.append((name, V_STRUCT if ok else V_DECLINE, None, body))
        else:  # tuple variants: rare, left to the pure path
            out.append((name, V_DECLINE, None, None))
    style = {"external": EXTERNAL, "internal": INTERNAL, "adjacent": ADJACENT}[tagging.style]
    tag = (tagging.tag or "").encode("utf-8")
    content = (tagging.content or "").encode("utf-8")
    nothing = [STRUCT, (tuple, False, (), ()), (), False]  # what follows a unit variant's tag
    return [ENUM, style, tag, content, tuple(out), nothing]


def _inlinable(plan: Plan, tag: str) -> bool:
    """Can a struct's members follow an internal tag in one object? Not when a
    field is named like the tag (the pure path's rules for that repeated key
    are left to it)."""
    if not plan or plan[0] != STRUCT:
        return False
    return all(key != tag.encode("utf-8") for key, *_ in plan[2])


def _ctor(cls: type, names: list[str]) -> tuple[type, bool, tuple[Any, ...], tuple[str, ...]]:
    slots = _direct_slots(cls, names)
    return (cls, slots is not None, slots or (), tuple(names))


def _direct_slots(cls: type, names: list[str]) -> tuple[Any, ...] | None:
    """The slot descriptors of ``names`` when filling them is all ``cls(**kwargs)`` does.

    That is an attrs class whose ``__init__`` is attrs' own, with no
    validator, converter, alias, ``__attrs_pre_init__``/``__attrs_post_init__``,
    whose slots are exactly its fields and whose fields are exactly ``names``.
    """
    if _BUILT is None or not attrs.has(cls) or cls.__new__ is not object.__new__:
        return None
    code = getattr(cls.__init__, "__code__", None)
    if code is None or not code.co_filename.startswith("<attrs generated"):
        return None
    if hasattr(cls, "__attrs_pre_init__") or hasattr(cls, "__attrs_post_init__"):
        return None
    fields = attrs.fields(cls)
    for a in fields:
        if not a.init or a.validator is not None or a.converter is not None or a.alias != a.name:
            return None
    if sorted(a.name for a in fields) != sorted(names) or len(set(names)) != len(names):
        return None
    slots: set[str] = set()
    for klass in cls.__mro__[:-1]:
        if "__slots__" not in klass.__dict__:
            return None  # a class with a __dict__
        own = klass.__dict__["__slots__"]
        slots |= {own} if isinstance(own, str) else set(own)
    if slots - {"__weakref__"} != set(names):
        return None
    descriptors = tuple(
        next(k.__dict__[name] for k in cls.__mro__ if name in k.__dict__) for name in names
    )
    if not all(_BUILT.is_object_slot(d) for d in descriptors):
        return None
    return descriptors


# ---------------------------------------------------------------------------
# The compiled path
# ---------------------------------------------------------------------------

_TOP: dict[tuple[Any, str], Plan] = {}


def _top(tp: Any) -> Plan:
    from lash_spec.wire import codec as c

    key = (tp, _era())
    plan = _TOP.get(key)  # an unhashable annotation raises TypeError: declined
    if plan is None:
        plan = _TOP[key] = _plan(c.shape_of(tp), key[1])
    return plan


def compiled_read(tp: Any, text: Any, era: str | None = None, reader: Any = None) -> Any:
    """``from_json(tp, text, era=era)`` by the compiled reader, or :data:`DECLINED`.

    :data:`DECLINED` when the compiled path is off (``DECODER == "pure"``) or
    the reader leaves this text to the pure path. ``reader`` forces a given
    reader module (the differential tests use it).
    """
    r = reader or _READER
    if r is None:
        return DECLINED
    if era is None and isinstance(tp, type):
        era = tp.__dict__.get("__era__")  # an era form reads its own forms (as from_wire)
    if era is None:
        return _read(r, tp, text)
    from lash_spec.wire.codec import wire_era

    try:
        with wire_era(era):
            return _read(r, tp, text)
    except Exception:  # an unknown era: the pure path raises the error
        return DECLINED


def _read(r: Any, tp: Any, text: Any) -> Any:
    try:
        plan = _top(tp)
    except Exception:  # no shape for it: the pure path raises the error
        return DECLINED
    try:
        return r.loads(plan, text)
    except Exception:  # declined, or a PY node's decode raised: the pure path answers
        return DECLINED

"""Python spellings of the Rust wire primitives the seeds use.

Integers carry their Rust width in ``Annotated`` metadata, so the codec can
reject what serde rejects (``-1`` for a ``u64``, ``2**32`` for a ``u32``)
while mypy still sees plain ``int``. ``Value`` is ``serde_json::Value``: any
JSON, objects written with sorted keys. ``Ok``/``Err`` spell ``Result``.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeAlias, TypeVar, Union

import attrs

__all__ = [
    "I32",
    "I64",
    "U8",
    "U32",
    "U64",
    "Err",
    "IntRange",
    "JsonValue",
    "NonZeroUsize",
    "Ok",
    "Result",
    "Usize",
    "Value",
    "ValueMark",
]


@attrs.frozen
class IntRange:
    """The inclusive range of a Rust integer type, by name."""

    rust: str
    lo: int
    hi: int


U8 = Annotated[int, IntRange("u8", 0, 2**8 - 1)]
U32 = Annotated[int, IntRange("u32", 0, 2**32 - 1)]
U64 = Annotated[int, IntRange("u64", 0, 2**64 - 1)]
Usize = Annotated[int, IntRange("usize", 0, 2**64 - 1)]  # upstream targets 64-bit
NonZeroUsize = Annotated[int, IntRange("a nonzero usize", 1, 2**64 - 1)]
"""``std::num::NonZeroUsize``: a plain integer on the wire, ``0`` rejected on read."""
I32 = Annotated[int, IntRange("i32", -(2**31), 2**31 - 1)]
I64 = Annotated[int, IntRange("i64", -(2**63), 2**63 - 1)]

JsonValue: TypeAlias = Union[  # noqa: UP007  (a recursive alias needs the string forms)
    bool, int, float, str, list["JsonValue"], dict[str, "JsonValue"], None
]


class ValueMark:
    """Marks ``serde_json::Value`` fields (see :data:`Value`)."""

    def __repr__(self) -> str:
        return "serde_json::Value"


Value = Annotated[JsonValue, ValueMark()]

T = TypeVar("T")
E = TypeVar("E")


@attrs.frozen
class Ok(Generic[T]):
    """``Result::Ok`` — written ``{"Ok": value}``."""

    value: T


@attrs.frozen
class Err(Generic[E]):
    """``Result::Err`` — written ``{"Err": error}``."""

    error: E


Result: TypeAlias = Union[Ok[T], Err[E]]  # noqa: UP007

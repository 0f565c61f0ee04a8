"""Strict JSON comparison that names the first difference.

Python's ``==`` says ``1 == 1.0 == True``; serde's wire does not. Two JSON
values are equal here only when their types agree at every node (``int`` vs
``float`` vs ``bool``), floats compare by value *and* sign (``-0.0`` is not
``0.0``: serde writes them differently), and objects have the same keys
(order is not significant).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs

from lash_spec.wire.errors import PathItem, render_path

__all__ = ["Difference", "any_difference", "first_difference"]


@attrs.frozen
class Difference:
    """Where two JSON values first differ, and what each side holds there."""

    path: tuple[PathItem, ...]
    expected: Any
    actual: Any
    reason: str

    @property
    def json_path(self) -> str:
        return render_path(self.path)

    def __str__(self) -> str:
        return (
            f"{self.json_path}: {self.reason}: expected {_excerpt(self.expected)}, "
            f"actual {_excerpt(self.actual)}"
        )


def _excerpt(value: Any, limit: int = 160) -> str:
    from lash_spec.wire.text import write_json

    try:
        text = write_json(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MISSING = object()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    t = type(value)
    if t is bool:
        return "boolean"
    if t is int:
        return "integer"
    if t is float:
        return "float"
    if t is str:
        return "string"
    if t is list:
        return "array"
    if t is dict:
        return "object"
    return t.__name__


def first_difference(
    expected: Any, actual: Any, path: tuple[PathItem, ...] = ()
) -> Difference | None:
    """``None`` when equal; otherwise the first difference in document order."""
    ke, ka = _kind(expected), _kind(actual)
    if ke != ka:
        return Difference(path, expected, actual, f"{ke} vs {ka}")
    if ke == "object":
        for key in expected:
            if key not in actual:
                return Difference((*path, key), expected[key], None, "missing key")
            diff = first_difference(expected[key], actual[key], (*path, key))
            if diff is not None:
                return diff
        for key in actual:
            if key not in expected:
                return Difference((*path, key), None, actual[key], "unexpected key")
        return None
    if ke == "array":
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            diff = first_difference(e, a, (*path, i))
            if diff is not None:
                return diff
        if len(expected) != len(actual):
            return Difference(path, expected, actual, f"length {len(expected)} vs {len(actual)}")
        return None
    if ke == "float":
        same = (expected == actual and math.copysign(1, expected) == math.copysign(1, actual)) or (
            math.isnan(expected) and math.isnan(actual)
        )
        return None if same else Difference(path, expected, actual, "different number")
    if expected != actual:
        return Difference(path, expected, actual, "different value")
    return None


def any_difference(candidates: Sequence[Any], actual: Any) -> Difference | None:
    """``None`` when ``actual`` equals one of ``candidates`` (a case's ``ok_any``).

    Otherwise the first difference from the first candidate, its reason saying
    that none of them matched.
    """
    for candidate in candidates:
        if first_difference(candidate, actual) is None:
            return None
    if not candidates:
        return Difference((), [], actual, "ok_any lists no value")
    diff = first_difference(candidates[0], actual)
    assert diff is not None
    return attrs.evolve(
        diff,
        reason=f"{diff.reason} (equal to none of the {len(candidates)} values in ok_any;"
        " shown against the first)",
    )

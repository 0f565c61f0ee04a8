"""serde_json's compact text, byte for byte.

lash computes identities as ``sha256(serde_json::to_string(value))``, so every
byte matters. This module is the reference writer: it turns wire values (plain
Python JSON: ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``)
into text. The compiled writer (:mod:`lash_spec.wire.plan`) is an accelerator
held to this module's bytes by ``tests/test_encoder_paths.py``. It does **not**
reorder keys: the codec hands it dicts already in serde order (struct fields
in declaration order, ``serde_json::Value`` maps sorted). :func:`canonical_value`
gives a plain JSON value serde's ``Value`` order, for callers that start from
arbitrary JSON.

Differences from Python's :mod:`json` that are handled here (each is tested):

* floats: serde_json 1.0.149 formats with zmij — plain decimal while the
  decimal exponent is in ``-5..=15`` (``0.00001``, ``1000000000000000.0``),
  scientific outside it with an unpadded, signed exponent (``1e-6``,
  ``1e+16``); Python writes ``1e-05``, ``1e-06`` and ``1e+16``;
* NaN and ±inf become ``null`` (Python writes ``NaN``/``Infinity``);
* ``bool`` is never an integer and integers never gain a ``.0``;
* strings: raw UTF-8, only ``"`` ``\\`` and C0 controls escaped, with
  ``\\u00xx`` in lowercase hex — :func:`json.encoder.encode_basestring` (the
  non-ASCII variant) already writes exactly that.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from json.encoder import encode_basestring  # C accelerated
from typing import Any

__all__ = [
    "canonical_value",
    "float_text",
    "sha256_hex",
    "write_json",
]

_escape_str: Callable[[str], str] = encode_basestring


def float_text(value: float) -> str:
    """Format an f64 exactly as serde_json 1.0.149 (zmij 1.0.21) does.

    The digits are the shortest that round-trip — the same digits Python's
    ``repr`` chooses — so only the layout differs and is rebuilt here.
    """
    if math.isnan(value) or math.isinf(value):
        return "null"
    text = repr(value)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    mantissa, _, exp_part = text.partition("e")
    exponent = int(exp_part) if exp_part else 0
    int_part, _, frac_part = mantissa.partition(".")
    digits = (int_part + frac_part).lstrip("0")
    if not digits:  # zero keeps its sign: serde writes -0.0
        return sign + "0.0"
    # Decimal exponent of the first significant digit.
    lead_zeros = len(int_part + frac_part) - len((int_part + frac_part).lstrip("0"))
    point = len(int_part) + exponent  # position of the decimal point in int_part+frac_part
    e = point - lead_zeros - 1
    digits = digits.rstrip("0")
    if -5 <= e <= 15:
        if e < 0:
            return sign + "0." + "0" * (-e - 1) + digits
        whole = digits[: e + 1].ljust(e + 1, "0")
        frac = digits[e + 1 :] or "0"
        return sign + whole + "." + frac
    head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{head}e{'+' if e > 0 else '-'}{abs(e)}"


# Python's C encoder writes exactly serde's text for everything but floats
# (its string escapes are encode_basestring's). A float shows up in its output
# as a number token with a `.` or an `e` (or as NaN/Infinity) standing where a
# value stands: after `:`, `[`, `,` or at the start, and before `,`, `]`, `}`
# or the end. When no such token exists the fast text is serde's text; when
# one seems to (possibly inside a string such as "a:1.5,"), the exact writer
# runs. "gpt-4.1" costs one cheap look-around, not the exact writer.
_c_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=True
).encode
_DIGIT_THEN_FRACTION = re.compile(r"[0-9][.eE]")
_NUMBER_CHARS = frozenset("0123456789.eE+-")


def _may_hold_float(text: str) -> bool:
    if "NaN" in text or "Infinity" in text:
        return True
    n = len(text)
    for match in _DIGIT_THEN_FRACTION.finditer(text):
        start = match.start()
        while start > 0 and text[start - 1] in _NUMBER_CHARS:
            start -= 1
        end = match.end()
        while end < n and text[end] in _NUMBER_CHARS:
            end += 1
        if (start == 0 or text[start - 1] in ":[,") and (end == n or text[end] in ",]}"):
            return True
    return False


def write_json(value: Any) -> str:
    """Compact serde_json text of a wire value, keys in the order given."""
    text: str = _c_encode(value)
    if _may_hold_float(text):
        return _write_exact(value)
    return text


def _write_exact(value: Any) -> str:
    parts: list[str] = []
    _write(value, parts.append)
    return "".join(parts)


def _write(value: Any, out: Callable[[str], object]) -> None:
    # Exact type checks: bool is an int subclass, and model values never
    # reach this function (the codec converts them first).
    t = type(value)
    if t is str:
        out(_escape_str(value))
    elif t is dict:
        out("{")
        first = True
        for key, item in value.items():
            if not first:
                out(",")
            first = False
            out(_escape_str(key))
            out(":")
            _write(item, out)
        out("}")
    elif t is list:
        out("[")
        first = True
        for item in value:
            if not first:
                out(",")
            first = False
            _write(item, out)
        out("]")
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif t is int:
        out(str(value))
    elif t is float:
        out(float_text(value))
    else:
        raise TypeError(f"not a wire value: {t.__name__}")


_U64_MAX = 2**64 - 1
_I64_MIN = -(2**63)


def canonical_value(value: Any) -> Any:
    """Return ``value`` as ``serde_json::Value`` would hold and write it.

    Object keys are sorted (``Value`` is a ``BTreeMap`` without
    ``preserve_order``); integers outside ``i64``/``u64`` become floats, as
    serde_json parses them; ``bool`` stays ``bool``.
    """
    t = type(value)
    if t is dict:
        return {k: canonical_value(value[k]) for k in sorted(value)}
    if t is list:
        return [canonical_value(v) for v in value]
    if t is int and not _I64_MIN <= value <= _U64_MAX:
        return serde_float_of_int(value)
    return value


def serde_float_of_int(value: int) -> float:
    """The f64 serde_json produces for an integer literal beyond ``u64``/``i64``.

    serde_json keeps the first digits that fit a u64 significand, *truncates*
    the rest into a decimal exponent, then multiplies (``f64_from_parts``).
    """
    negative = value < 0
    digits = str(-value if negative else value)
    significand = 0
    exponent = 0
    for i, ch in enumerate(digits):
        d = ord(ch) - 48
        if significand > (_U64_MAX - d) // 10:
            exponent = len(digits) - i
            break
        significand = significand * 10 + d
    return f64_from_parts(not negative, significand, exponent)


_POW10 = [float(f"1e{i}") for i in range(309)]


def f64_from_parts(positive: bool, significand: int, exponent: int) -> float:
    """serde_json's best-effort decimal → f64 (no ``float_roundtrip`` feature)."""
    f = float(significand)
    while True:
        idx = abs(exponent)
        if idx < len(_POW10):
            if exponent >= 0:
                f *= _POW10[idx]
                if math.isinf(f):
                    raise OverflowError("number out of range")
            else:
                f /= _POW10[idx]
            break
        if f == 0.0:
            break
        if exponent >= 0:
            raise OverflowError("number out of range")
        f /= 1e308
        exponent += 308
    return f if positive else -f


def sha256_hex(text: str) -> str:
    """Lowercase hex SHA-256 of the UTF-8 bytes of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

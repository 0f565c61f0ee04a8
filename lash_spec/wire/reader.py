"""Reading JSON text the way serde_json 1.0.149 reads it.

Python's :func:`json.loads` differs from serde_json on numbers: serde keeps
integers that fit ``u64``/``i64``, turns ``-0`` and longer integers into f64,
and (without the ``float_roundtrip`` feature, which lash does not enable)
converts decimals with a best-effort algorithm that can differ from correct
rounding in the last bit. It also rejects ``NaN``/``Infinity`` literals.
"""

from __future__ import annotations

import json
from typing import Any

from lash_spec.wire.errors import WireError
from lash_spec.wire.text import f64_from_parts

__all__ = ["loads", "serde_number"]

_U64_MAX = 2**64 - 1
_I32_MAX = 2**31 - 1


def _overflows(acc: int, digit: int, limit: int) -> bool:
    return acc > (limit - digit) // 10


def serde_number(literal: str) -> int | float:
    """The number serde_json's parser produces for a JSON number literal."""
    i = 0
    positive = True
    if literal[0] == "-":
        positive, i = False, 1
    n = len(literal)
    significand = 0
    exponent = 0
    # integer part
    while i < n and literal[i].isdigit():
        d = ord(literal[i]) - 48
        if _overflows(significand, d, _U64_MAX):
            # parse_long_integer: further integer digits only scale
            while i < n and literal[i].isdigit():
                exponent += 1
                i += 1
            break
        significand = significand * 10 + d
        i += 1
    if i == n and exponent == 0:
        if positive:
            return significand
        if significand == 0 or significand > 2**63:
            return -float(significand)
        return -significand
    if i < n and literal[i] == ".":
        i += 1
        while i < n and literal[i].isdigit():
            d = ord(literal[i]) - 48
            if _overflows(significand, d, _U64_MAX):
                # parse_decimal_overflow: every further digit is ignored
                while i < n and literal[i].isdigit():
                    i += 1
                break
            significand = significand * 10 + d
            exponent -= 1
            i += 1
    if i < n and literal[i] in "eE":
        i += 1
        positive_exp = True
        if literal[i] in "+-":
            positive_exp = literal[i] == "+"
            i += 1
        exp = 0
        while i < n:
            d = ord(literal[i]) - 48
            if _overflows(exp, d, _I32_MAX):
                if significand != 0 and positive_exp:
                    raise OverflowError("number out of range")
                return 0.0 if positive else -0.0
            exp = exp * 10 + d
            i += 1
        exponent = exponent + exp if positive_exp else exponent - exp
        exponent = max(min(exponent, _I32_MAX), -(2**31))
    return f64_from_parts(positive, significand, exponent)


def _reject_constant(name: str) -> Any:
    raise WireError(f"{name} is not valid JSON")


def loads(text: str) -> Any:
    """Parse JSON text with serde_json's number semantics."""
    try:
        return json.loads(
            text,
            parse_int=serde_number,
            parse_float=serde_number,
            parse_constant=_reject_constant,
        )
    except OverflowError as err:
        raise WireError(f"number out of range: {err}") from None
    except json.JSONDecodeError as err:
        raise WireError(
            f"invalid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None

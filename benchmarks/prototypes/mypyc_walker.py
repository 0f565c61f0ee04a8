"""Route (a) prototype: a typed plan walker for mypyc, emitting through orjson.

It walks the same plans as the C writer (lash_spec.wire.plan), builds the
wire value with every float replaced by ``orjson.Fragment(float_text(x))``
(serde's float text, so orjson's own float writer is never trusted), and
lets ``orjson.dumps`` write the bytes. Compiled with mypyc by
``mypyc_route.py``; kept only to document the measurement in
docs/dev/performance.md (it covers the node kinds the benchmark envelopes
use and raises on the rest).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from lash_spec.wire.text import float_text

_KEYS: dict[bytes, str] = {}


def _key(text: bytes) -> str:
    key = _KEYS.get(text)
    if key is None:
        key = _KEYS[text] = json.loads(text.rstrip(b":"))
    return key


def plain(value: Any, sort: bool) -> Any:
    t = type(value)
    if t is float:
        return orjson.Fragment(float_text(value))
    if t is dict:
        keys = sorted(value) if sort else list(value)
        return {k: plain(value[k], sort) for k in keys}
    if t is list:
        return [plain(v, sort) for v in value]
    return value


def fields_into(fields: tuple[Any, ...], obj: Any, out: dict[str, Any]) -> None:
    for f in fields:
        v = getattr(obj, f[0])
        skip: int = f[3]
        if skip == 1 and v is None:
            continue
        if skip == 2 and not v:
            continue
        if skip == 3 and v is False:
            continue
        if skip == 4 and f[4](v):
            continue
        if f[6]:
            out.update(wire(f[5], v))
        else:
            out[_key(f[2])] = wire(f[5], v)


def wire(plan: list[Any], obj: Any) -> Any:
    kind: int = plan[0]
    if kind == 0:
        return plain(obj, False)
    if kind == 1:
        return plain(obj, True)
    if kind == 2:
        return orjson.Fragment(float_text(obj))
    if kind == 3:
        return None
    if kind == 4:
        return None if obj is None else wire(plan[1], obj)
    if kind == 5:
        inner: list[Any] = plan[1]
        return [wire(inner, x) for x in obj]
    if kind == 8:
        return {k: wire(plan[1], obj[k]) for k in sorted(obj)}
    if kind == 10:
        return obj.value
    if kind == 11:
        out: dict[str, Any] = {}
        fields_into(plan[2], obj, out)
        return out
    if kind == 12:
        for v in plan[4]:
            if v[0] is type(obj):
                return _variant(plan, v, obj)
        raise TypeError("not a variant")
    if kind == 13:
        return plain(plan[1](obj), False)
    raise NotImplementedError(kind)


def _variant(plan: list[Any], v: tuple[Any, ...], obj: Any) -> Any:
    style: int = plan[1]
    vkind: int = v[2]
    name: str = json.loads(v[1])
    if vkind == 4:
        return plain(v[4](obj), False)
    if style == 1:
        out: dict[str, Any] = {_key(plan[2]): name}
        if vkind == 3:
            fields_into(v[3], obj, out)
        elif vkind == 1:
            out.update(wire(v[3][0][5], getattr(obj, v[3][0][0])))
        return out
    if vkind == 0:
        return {_key(plan[2]): name} if style == 2 else name
    if vkind == 1:
        payload = wire(v[3][0][5], getattr(obj, v[3][0][0]))
    elif vkind == 2:
        payload = [wire(f[5], getattr(obj, f[0])) for f in v[3]]
    else:
        payload = {}
        fields_into(v[3], obj, payload)
    if style == 2:
        return {_key(plan[2]): name, _key(plan[3]): payload}
    return {name: payload}


def dumps(plan: list[Any], obj: Any) -> bytes:
    return orjson.dumps(wire(plan, obj))

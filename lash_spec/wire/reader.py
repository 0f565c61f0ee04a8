"""Reading JSON text the way serde_json 1.0.149 reads it.

Two readers live here. :func:`loads` parses text into a plain JSON value with
serde_json's *number* semantics (serde keeps integers that fit ``u64``/``i64``,
turns ``-0`` and longer integers into f64, converts decimals with a
best-effort algorithm that can differ from correct rounding in the last bit,
and rejects ``NaN``/``Infinity``); fixtures and replies are read with it.

:func:`read_text` is what ``serde_json::from_str`` sees (docs/wire-format.md, "Reading text").
A parsed value has already lost what only text carries, and whether serde
refuses it depends on where the decoder meets it: a repeated key is an error
for a struct field but not in a map, a lone surrogate or a value nested past
the recursion limit is an error where serde deserializes it but not inside an
unknown field a plain struct skips. So the reader refuses only what is a
syntax error everywhere and *conveys* the rest to the decoder
(:mod:`lash_spec.wire.codec`), which applies serde's rule by representation:

* an object with a repeated key or a key holding a lone surrogate is a
  :class:`TextObject` (a ``dict`` keeping the last value, plus those keys);
* a container opened at depth 128 (serde_json's limit; the root is depth 1)
  is checked for syntax without being built and read as :data:`TOO_DEEP`;
* a number beyond f64 (``1e400``) is :class:`Unreadable` too;
* a lone surrogate escape stays a lone surrogate in the ``str``.

Ordinary text takes a fast path through :func:`json.loads` (same result,
guarded by cheap scans for what it cannot convey); anything else, and every
error, goes through the reference reader, which never recurses past the
depth limit and names the JSON path of a syntax error.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from lash_spec.wire.errors import WireError
from lash_spec.wire.text import f64_from_parts

__all__ = [
    "DEPTH_LIMIT",
    "TOO_DEEP",
    "TextObject",
    "Unreadable",
    "loads",
    "read_text",
    "serde_number",
]

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


# ---------------------------------------------------------------------------
# What the text reader conveys to the decoder
# ---------------------------------------------------------------------------

DEPTH_LIMIT = 128
"""serde_json's recursion limit: a container at this depth (root = 1) is refused."""


class Unreadable:
    """A value the text holds that serde_json refuses to deserialize.

    Not a JSON value: a decoder that meets one raises :meth:`error`; a plain
    struct skipping an unknown field never looks at it (serde's
    ``ignore_value`` neither counts depth nor converts numbers).
    """

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def error(self) -> WireError:
        return WireError(self.message)

    def __repr__(self) -> str:
        return f"Unreadable({self.message!r})"


TOO_DEEP = Unreadable(f"recursion limit exceeded (serde_json's limit is {DEPTH_LIMIT})")
_OUT_OF_RANGE = Unreadable("number out of range")


class TextObject(dict[str, Any]):
    """A JSON object whose keys say more than a ``dict`` can.

    The mapping keeps the last value of a repeated key (serde's rule for
    ``Value`` and maps); ``repeated`` lists each repetition (so the object had
    ``len(self) + len(repeated)`` members) and ``bad_keys`` the keys holding a
    lone surrogate, which serde cannot decode as a string. The decoder
    decides what they mean (:func:`lash_spec.wire.codec.check_keys`).
    """

    __slots__ = ("bad_keys", "repeated")

    def __init__(
        self, items: dict[str, Any], repeated: tuple[str, ...] = (), bad_keys: tuple[str, ...] = ()
    ) -> None:
        super().__init__(items)
        self.repeated = repeated
        self.bad_keys = bad_keys

    def without(self, key: str) -> TextObject:
        """The object minus ``key`` (an internal tag), keeping what its keys said."""
        return TextObject(
            {k: v for k, v in self.items() if k != key},
            tuple(k for k in self.repeated if k != key),
            tuple(k for k in self.bad_keys if k != key),
        )


def _number(literal: str) -> Any:
    try:
        return serde_number(literal)
    except OverflowError:
        return _OUT_OF_RANGE


def _has_surrogate(s: str) -> bool:
    return not s.isascii() and _SURROGATE.search(s) is not None


# ---------------------------------------------------------------------------
# read_text: the fast path
# ---------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_AS_SQUARE = str.maketrans("{}", "[]")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    repeated = []
    for key, _ in pairs:
        if key in seen:
            repeated.append(key)
        seen.add(key)
    return TextObject(obj, tuple(repeated))


def _shallow(text: str) -> bool:
    """True when no container of ``text`` (valid JSON) reaches the depth limit."""
    if text.count("[") + text.count("{") < DEPTH_LIMIT:
        return True
    brackets = _NOT_BRACKET.sub("", _STRINGS.sub("", text)).translate(_AS_SQUARE)
    if "[" * DEPTH_LIMIT in brackets:
        return False
    for _ in range(DEPTH_LIMIT - 1):  # each pass removes the innermost level
        if not brackets:
            return True
        brackets = brackets.replace("[]", "")
    return not brackets


# Built once, as json.loads builds its default decoder once (the old path built one per call).
_FAST = json.JSONDecoder(
    object_pairs_hook=_object,
    parse_int=_number,
    parse_float=_number,
    parse_constant=_reject_constant,
)


def read_text(text: str) -> Any:
    """Parse JSON text as ``serde_json::from_str`` reads it (see the module doc).

    Raises :class:`WireError` (with the JSON path and serde-style position)
    for what is an error wherever it appears; returns a JSON value carrying
    :class:`TextObject` and :class:`Unreadable` where the decoder decides.
    """
    if not text.isascii() and _SURROGATE.search(text):
        # A Rust &str cannot hold one; only an escape can spell it.
        raise WireError("text holds a lone surrogate character (not valid UTF-8)")
    if ("\\u" not in text or _SURROGATE_ESCAPE.search(text) is None) and _shallow(text):
        try:
            return _FAST.decode(text)
        except (ValueError, RecursionError):
            pass  # every error is reported by the reference reader below
    return _Reader(text).document()


# ---------------------------------------------------------------------------
# read_text: the reference reader
# ---------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_NUM = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_SIMPLE_STR = re.compile(r'"([^"\\\x00-\x1f]*)"')
_KEY = r'"(?:[^"\\\x00-\x1f{}\[\]]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"'
_OPEN_RUN = re.compile(r"(?:\[[ \t\n\r]*|\{[ \t\n\r]*" + _KEY + r"[ \t\n\r]*:[ \t\n\r]*)+")
_CLOSE_RUN = re.compile(r"[\]}](?:[ \t\n\r]*[\]}])*")
_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}


class _Reader:
    """A recursive-descent reader that builds at most ``DEPTH_LIMIT - 1`` levels."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, message: str, pos: int) -> WireError:
        line = self.text.count("\n", 0, pos) + 1
        column = pos - self.text.rfind("\n", 0, pos)
        return WireError(f"{message} at line {line} column {column}")

    def ws(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        assert m is not None  # matches the empty string
        return m.end()

    def document(self) -> Any:
        value, pos = self.value(0, 0)
        pos = self.ws(pos)
        if pos != len(self.text):
            raise self.error("trailing characters", pos)
        return value

    def value(self, pos: int, depth: int) -> tuple[Any, int]:
        text = self.text
        pos = self.ws(pos)
        if pos >= len(text):
            raise self.error("EOF while parsing a value", pos)
        ch = text[pos]
        if ch == '"':
            return self.string(pos)
        if ch in "{[":
            if depth + 1 >= DEPTH_LIMIT:
                return TOO_DEEP, self.skip(pos)
            if ch == "{":
                return self.read_object(pos + 1, depth + 1)
            return self.read_array(pos + 1, depth + 1)
        literal = _LITERALS.get(ch)
        if literal is not None:
            word, result = literal
            if not text.startswith(word, pos):
                raise self.error("expected ident", pos)
            return result, pos + len(word)
        m = _NUM.match(text, pos)
        if m is None:
            raise self.error("expected value", pos)
        end = m.end()
        if end < len(text) and text[end] in ".eE":
            raise self.error("invalid number", end)
        return _number(m.group()), end

    def string(self, pos: int) -> tuple[str, int]:
        m = _SIMPLE_STR.match(self.text, pos)
        if m is not None:
            return m.group(1), m.end()
        try:
            return scanstring(self.text, pos + 1, True)  # type: ignore[no-any-return]
        except json.JSONDecodeError as err:
            raise self.error(err.msg.lower().removesuffix(" at"), err.pos) from None

    def key(self, pos: int) -> tuple[str, int]:
        text = self.text
        pos = self.ws(pos)
        if pos >= len(text):
            raise self.error("EOF while parsing an object", pos)
        if text[pos] != '"':
            raise self.error("key must be a string", pos)
        key, pos = self.string(pos)
        pos = self.ws(pos)
        if text[pos : pos + 1] != ":":
            raise self.error("expected `:`", pos)
        return key, pos + 1

    def after_item(self, pos: int, close: str, what: str) -> tuple[bool, int]:
        """Past one member: (more follow, position)."""
        text = self.text
        pos = self.ws(pos)
        c = text[pos : pos + 1]
        if c == ",":
            nxt = self.ws(pos + 1)
            if text[nxt : nxt + 1] == close:
                raise self.error("trailing comma", nxt)
            return True, pos + 1
        if c == close:
            return False, pos + 1
        if not c:
            raise self.error(f"EOF while parsing {what}", pos)
        raise self.error(f"expected `,` or `{close}`", pos)

    def read_array(self, pos: int, depth: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        pos = self.ws(pos)
        if self.text[pos : pos + 1] == "]":
            return out, pos + 1
        more = True
        while more:
            try:
                item, pos = self.value(pos, depth)
            except WireError as err:
                raise err.at(len(out)) from None
            out.append(item)
            more, pos = self.after_item(pos, "]", "a list")
        return out, pos

    def read_object(self, pos: int, depth: int) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        repeated: list[str] = []
        bad: list[str] = []
        pos = self.ws(pos)
        if self.text[pos : pos + 1] == "}":
            return out, pos + 1
        more = True
        while more:
            key, pos = self.key(pos)
            try:
                item, pos = self.value(pos, depth)
            except WireError as err:
                raise err.at(key) from None
            if key in out:
                repeated.append(key)
            elif _has_surrogate(key):
                bad.append(key)
            out[key] = item
            more, pos = self.after_item(pos, "}", "an object")
        if repeated or bad:
            return TextObject(out, tuple(repeated), tuple(bad)), pos
        return out, pos

    def skip(self, pos: int) -> int:
        """Check the syntax of the container at ``pos`` without building it (any depth).

        serde_json's ``ignore_value``: one byte of stack per level, escapes
        checked but not decoded, numbers checked but not converted. Runs of
        openings (``[[[``, ``{"a":{"a":``) and of closings are taken a regex
        match at a time, so 10^6 levels cost a few passes in C.
        """
        text = self.text
        stack = bytearray()
        state = _VALUE
        while True:
            pos = self.ws(pos)
            if state is not _AFTER:
                c = text[pos : pos + 1]
                if state is _FIRST_MEMBER and c == "]":
                    stack.pop()
                    pos, state = pos + 1, _AFTER
                    continue
                m = _OPEN_RUN.match(text, pos)
                if m is not None:
                    opened = m.group()
                    stack += _NOT_BRACKET.sub("", opened).encode("ascii")
                    pos = m.end()
                    state = _FIRST_MEMBER if opened.rstrip(" \t\n\r")[-1] == "[" else _VALUE
                    continue
                if c == "{":  # an empty object, or a key the run pattern leaves to key()
                    stack.append(123)
                    pos = self.ws(pos + 1)
                    if text[pos : pos + 1] == "}":
                        stack.pop()
                        pos, state = pos + 1, _AFTER
                        continue
                    _, pos = self.key(pos)
                    state = _VALUE
                    continue
                pos, state = self.skip_scalar(pos), _AFTER
                continue
            if not stack:
                return pos
            pos, state = self.skip_after(pos, stack)

    def skip_after(self, pos: int, stack: bytearray) -> tuple[int, object]:
        """Past a skipped value: close containers, or pass a comma (and a key)."""
        text = self.text
        while True:
            m = _CLOSE_RUN.match(text, pos)
            if m is not None:
                run = m.group()
                closers = _NOT_BRACKET.sub("", run).encode("ascii")
                k = min(len(closers), len(stack))
                expected = stack[len(stack) - k :].translate(_CLOSE_OF)[::-1]
                j = k if expected == closers[:k] else _common_prefix(expected, closers)
                if j:  # close the j innermost containers the run matches
                    del stack[len(stack) - j :]
                    return pos + (j if len(run) == len(closers) else _nth_end(run, j)), _AFTER
            c = text[pos : pos + 1]
            close = "]" if stack[-1] == 91 else "}"
            if c == close:
                stack.pop()
                return pos + 1, _AFTER
            if c == ",":
                if stack[-1] == 123:
                    return self.key(pos + 1)[1], _VALUE
                return pos + 1, _VALUE
            what = "a list" if close == "]" else "an object"
            if not c:
                raise self.error(f"EOF while parsing {what}", pos)
            raise self.error(f"expected `,` or `{close}`", pos)

    def skip_scalar(self, pos: int) -> int:
        text = self.text
        pos = self.ws(pos)
        c = text[pos : pos + 1]
        if c == '"':
            end = pos + 1
            while True:  # escapes must be well formed; a lone surrogate is fine here
                m = _SKIP_STR.match(text, end)
                assert m is not None
                end = m.end()
                c = text[end : end + 1]
                if c == '"':
                    return end + 1
                if c == "\\":
                    e = _ESCAPE.match(text, end)
                    if e is None:
                        raise self.error("invalid escape", end)
                    end = e.end()
                    continue
                if not c:
                    raise self.error("EOF while parsing a string", end)
                raise self.error("control character found while parsing a string", end)
        if c in ("]", "}"):
            raise self.error("expected value", pos)
        literal = _LITERALS.get(c)
        if literal is not None:
            if not text.startswith(literal[0], pos):
                raise self.error("expected ident", pos)
            return pos + len(literal[0])
        m = _NUM.match(text, pos)
        if m is None:
            raise self.error("expected value" if c else "EOF while parsing a value", pos)
        end = m.end()
        if end < len(text) and text[end] in ".eE":
            raise self.error("invalid number", end)
        return end


_VALUE, _FIRST_MEMBER, _AFTER = object(), object(), object()
_CLOSE_OF = bytes.maketrans(b"[{", b"]}")
_SKIP_STR = re.compile(r'[^"\\\x00-\x1f]*')
_ESCAPE = re.compile(r'\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})')


def _common_prefix(a: bytes | bytearray, b: bytes) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _nth_end(run: str, j: int) -> int:
    """Offset just past the j-th bracket of a closing run holding whitespace."""
    seen = 0
    for i, ch in enumerate(run):
        if ch in "]}":
            seen += 1
            if seen == j:
                return i + 1
    return len(run)

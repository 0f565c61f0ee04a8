"""Rust standard-library semantics the seeds rely on, where Python differs.

``str::trim`` strips Unicode ``White_Space`` (``char::is_whitespace``).
Python's ``str.strip()``/``str.isspace()`` also treat U+001C..U+001F (the
information separators) as whitespace, so ``"\\x1c".strip()`` is empty in
Python but ``"\\x1c".trim()`` is not in Rust. Seed rules that test for blank
ids or trim names use these helpers, never ``str.strip()``.
"""

from __future__ import annotations

__all__ = ["RUST_WHITESPACE", "rust_is_blank", "rust_trim"]

RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every ``char`` for which Rust's ``char::is_whitespace`` is true."""


def rust_trim(text: str) -> str:
    """Rust ``str::trim``."""
    return text.strip(RUST_WHITESPACE)


def rust_is_blank(text: str) -> bool:
    """Rust ``text.trim().is_empty()``."""
    return not text.strip(RUST_WHITESPACE)

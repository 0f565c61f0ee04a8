"""The error types of lash_spec.

* :class:`WireError` — a JSON value is not what serde would accept for the
  requested Rust type. It names the JSON path of the offending value.
* :class:`LashError` — a rule of the seeds refused its input; it carries the
  seed's stable ``code`` (``runtime_effect_invocation_kind`` …). Messages are
  for people; codes are what conformance compares.
* :class:`OrderLimitError` — a value holds HashMaps whose entry orders are too
  many to enumerate (:func:`lash_spec.wire.codec.all_orders`).
"""

from __future__ import annotations

__all__ = ["LashError", "OrderLimitError", "PathItem", "WireError", "render_path"]

PathItem = str | int


def render_path(path: tuple[PathItem, ...]) -> str:
    """``("a", 0, "b")`` → ``$.a[0].b`` (keys that are not identifiers quoted)."""
    out = ["$"]
    for item in path:
        if isinstance(item, int):
            out.append(f"[{item}]")
        elif item.isidentifier():
            out.append(f".{item}")
        else:
            escaped = item.replace("\\", "\\\\").replace('"', '\\"')
            # a key may hold a lone surrogate (it is why serde refused it): keep it printable
            escaped = escaped.encode("utf-8", "backslashreplace").decode("utf-8")
            out.append(f'["{escaped}"]')
    return "".join(out)


class WireError(ValueError):
    """serde would reject this JSON value; ``path`` says where."""

    code = "decode"

    def __init__(self, message: str, path: tuple[PathItem, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def at(self, *prefix: PathItem) -> WireError:
        """The same error seen from an enclosing value."""
        return WireError(self.message, (*prefix, *self.path))

    @property
    def json_path(self) -> str:
        return render_path(self.path)

    def __str__(self) -> str:
        return f"{self.json_path}: {self.message}"


class LashError(Exception):
    """A seed rule's refusal, with the seed's stable error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"LashError({self.code!r}, {self.message!r})"


class OrderLimitError(ValueError):
    """Rust may write a value in more HashMap orders than lash_spec enumerates.

    ``orders`` is how many there are (the product of ``n!`` over the value's
    HashMaps), ``limit`` the bound. A conformance case over such a value is
    not generated: its ``ok_any`` list would be too long to be useful.
    """

    def __init__(self, orders: int, limit: int) -> None:
        super().__init__(
            f"the value's HashMaps can be written in {orders} orders, more than the"
            f" {limit} lash_spec enumerates"
        )
        self.orders = orders
        self.limit = limit

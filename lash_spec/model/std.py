"""``std::time::Duration`` and ``std::time::SystemTime`` as serde writes them.

Neither type derives its serde impls; serde (``serde_core`` 1.0.228, the
version upstream's ``Cargo.lock`` pins at every seed commit) hand-writes
them in ``de/impls.rs`` / ``ser/impls.rs``. The facts modelled here:

* written as a struct: ``{"secs":u64,"nanos":u32}`` and
  ``{"secs_since_epoch":u64,"nanos_since_epoch":u32}``;
* read from a JSON object *or* a two-element array (``deserialize_struct``);
* unknown keys are rejected (the field visitor knows only the two names),
  both keys are required;
* ``nanos`` of a billion or more is carried into the seconds
  (``Duration::new``), and a carry past ``u64::MAX`` is an error
  ("overflow deserializing Duration"); for ``SystemTime`` the result must
  also fit ``UNIX_EPOCH + duration`` (Linux: seconds ≤ ``i64::MAX``).

Python holds both normalized (``0 <= nanos < 1e9``), so what is written back
is what Rust writes after reading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from lash_spec.wire.codec import Shape, describe
from lash_spec.wire.errors import WireError

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from lash_spec.sampling import Choices

__all__ = ["Duration", "DurationShape", "SystemTime", "SystemTimeShape"]

NANOS_PER_SEC = 1_000_000_000
_U64_MAX = 2**64 - 1
_U32_MAX = 2**32 - 1
_I64_MAX = 2**63 - 1


def _check_u64(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or not 0 <= value <= _U64_MAX:
        raise ValueError(f"{attribute.name} must be a u64, got {value!r}")


def _check_subsec(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or not 0 <= value < NANOS_PER_SEC:
        raise ValueError(f"{attribute.name} must be in 0..1_000_000_000, got {value!r}")


def _check_epoch_secs(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or not 0 <= value <= _I64_MAX:
        raise ValueError(f"{attribute.name} must be in 0..=i64::MAX, got {value!r}")


def _normalize(secs: int, nanos: int, what: str) -> tuple[int, int]:
    """``Duration::new`` after serde's ``check_overflow``."""
    total = secs + nanos // NANOS_PER_SEC
    if total > _U64_MAX:
        raise WireError(f"overflow deserializing {what}")
    return total, nanos % NANOS_PER_SEC


def _read_int(value: Any, lo: int, hi: int, rust: str) -> int:
    if type(value) is not int:
        raise WireError(f"invalid type: {describe(value)}, expected {rust}")
    if not lo <= value <= hi:
        raise WireError(f"invalid value: integer `{value}`, expected {rust}")
    return value


class _TimeShape(Shape):
    """serde's two-field time struct: map or seq, unknown keys denied."""

    struct: ClassVar[str]
    secs_key: ClassVar[str]
    nanos_key: ClassVar[str]

    def _parts(self, value: Any) -> tuple[int, int]:
        expecting = f"struct {self.struct}"
        if type(value) is dict:
            secs: int | None = None
            nanos: int | None = None
            for key, item in value.items():
                try:
                    if key == self.secs_key:
                        secs = _read_int(item, 0, _U64_MAX, "u64")
                    elif key == self.nanos_key:
                        nanos = _read_int(item, 0, _U32_MAX, "u32")
                    else:
                        raise WireError(
                            f"unknown field `{key}`, expected `{self.secs_key}`"
                            f" or `{self.nanos_key}`"
                        )
                except WireError as err:
                    raise err.at(key) from None
            if secs is None:
                raise WireError(f"missing field `{self.secs_key}`")
            if nanos is None:
                raise WireError(f"missing field `{self.nanos_key}`")
            return secs, nanos
        if type(value) is list:
            read: list[int] = []
            for i, (rust, hi) in enumerate((("u64", _U64_MAX), ("u32", _U32_MAX))):
                if i >= len(value):
                    raise WireError(f"invalid length {i}, expected {expecting}")
                try:
                    read.append(_read_int(value[i], 0, hi, rust))
                except WireError as err:
                    raise err.at(i) from None
            secs, nanos = read
            if len(value) > 2:
                raise WireError(f"invalid length {len(value)}, expected 2 elements in sequence")
            return secs, nanos
        raise WireError(f"invalid type: {describe(value)}, expected {expecting}")


class DurationShape(_TimeShape):
    """Wire rules of ``std::time::Duration`` (serde ``impls.rs``)."""

    expecting = "struct Duration"
    struct = "Duration"
    secs_key = "secs"
    nanos_key = "nanos"

    def encode(self, obj: Any) -> Any:
        return {"secs": obj.secs, "nanos": obj.nanos}

    def decode(self, value: Any, content: bool) -> Any:
        secs, nanos = _normalize(*self._parts(value), "Duration")
        return Duration(secs=secs, nanos=nanos)

    def sample(self, c: Choices) -> Any:
        """Normalized durations only (what any read produces)."""
        from lash_spec.sampling import int_sampler

        return Duration(secs=int_sampler(0, _U64_MAX)(c), nanos=c.integer(0, NANOS_PER_SEC - 1))

    def strategy(self) -> SearchStrategy[Any]:
        """Normalized durations only (what any read produces)."""
        from hypothesis import strategies as st

        return st.builds(
            Duration,
            secs=st.integers(0, _U64_MAX),
            nanos=st.integers(0, NANOS_PER_SEC - 1),
        )


class SystemTimeShape(_TimeShape):
    """Wire rules of ``std::time::SystemTime`` (serde ``impls.rs``)."""

    expecting = "struct SystemTime"
    struct = "SystemTime"
    secs_key = "secs_since_epoch"
    nanos_key = "nanos_since_epoch"

    def encode(self, obj: Any) -> Any:
        return {
            "secs_since_epoch": obj.secs_since_epoch,
            "nanos_since_epoch": obj.nanos_since_epoch,
        }

    def decode(self, value: Any, content: bool) -> Any:
        secs, nanos = _normalize(*self._parts(value), "SystemTime epoch offset")
        if secs > _I64_MAX:  # UNIX_EPOCH.checked_add(duration) on a 64-bit time_t
            raise WireError("overflow deserializing SystemTime")
        return SystemTime(secs_since_epoch=secs, nanos_since_epoch=nanos)

    def sample(self, c: Choices) -> Any:
        """Instants from the epoch to the last second a 64-bit ``SystemTime`` holds."""
        from lash_spec.sampling import int_sampler

        return SystemTime(
            secs_since_epoch=int_sampler(0, _I64_MAX)(c),
            nanos_since_epoch=c.integer(0, NANOS_PER_SEC - 1),
        )

    def strategy(self) -> SearchStrategy[Any]:
        """Instants from the epoch to the last second a 64-bit ``SystemTime`` holds."""
        from hypothesis import strategies as st

        return st.builds(
            SystemTime,
            secs_since_epoch=st.integers(0, _I64_MAX),
            nanos_since_epoch=st.integers(0, NANOS_PER_SEC - 1),
        )


@attrs.frozen(kw_only=True)
class Duration:
    """``std::time::Duration``: whole seconds plus sub-second nanoseconds."""

    __wire_shape__: ClassVar[type[Shape]] = DurationShape

    secs: int = attrs.field(validator=_check_u64)
    nanos: int = attrs.field(default=0, validator=_check_subsec)

    @classmethod
    def new(cls, secs: int, nanos: int) -> Duration:
        """``Duration::new``: carries whole seconds out of ``nanos``.

        Raises :class:`OverflowError` where Rust panics (seconds past ``u64``).
        """
        total = secs + nanos // NANOS_PER_SEC
        if total > _U64_MAX:
            raise OverflowError("overflow in Duration::new")
        return cls(secs=total, nanos=nanos % NANOS_PER_SEC)

    @classmethod
    def from_millis(cls, millis: int) -> Duration:
        """``Duration::from_millis``."""
        return cls(secs=millis // 1000, nanos=(millis % 1000) * 1_000_000)

    def as_millis(self) -> int:
        """``Duration::as_millis`` (a ``u128`` in Rust: never truncated)."""
        return self.secs * 1000 + self.nanos // 1_000_000


@attrs.frozen(kw_only=True)
class SystemTime:
    """``std::time::SystemTime`` at or after the Unix epoch (serde cannot write
    earlier instants: "SystemTime must be later than UNIX_EPOCH")."""

    __wire_shape__: ClassVar[type[Shape]] = SystemTimeShape

    secs_since_epoch: int = attrs.field(validator=_check_epoch_secs)
    nanos_since_epoch: int = attrs.field(default=0, validator=_check_subsec)

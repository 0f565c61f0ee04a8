"""Eras: the upstream commits the seeds were taken from.

The seeds come from different upstream commits, and a seed's functions take
and return the types *of its own commit*. An :class:`Era` names one such
commit. Most wire types have one shape at every era; the few that changed
(wire-format §12) exist once per *form*. :data:`ERAS` says which form set each
era reads and writes, and :data:`SEED_ERAS` which era each seed is declared at.
This module is the one place both are written down.

A type differs between eras in one of two ways.

* Form sets: the §12 types changed between ``74941d21`` and ``ceb460d4``
  in several places at once; each form is its own class (``@era_form``).
  The older commit ``e2e0b409`` has the ``74941d21`` forms of them; seed 004
  has no upstream commit and is given the newest forms (it reaches none).
* Era ranges: where only one variant or one field came or went
  (``CausalRef``'s ``trigger_occurrence``, ``AgentFrameSwitch.task``, the
  sans-IO ``SyncExecutionSurface`` rename, ``ExecCode.language``), the type
  stays one class and that variant or field carries an :class:`EraRange`: it
  exists only at the eras in the range.

Either way each era decodes exactly its own commit's shape.
"""

from __future__ import annotations

import attrs

__all__ = [
    "DEFAULT_ERA",
    "ERAS",
    "SEED_ERAS",
    "Era",
    "EraRange",
    "UnknownEraError",
    "era",
    "era_names",
    "era_of_seed",
]


@attrs.frozen(kw_only=True)
class Era:
    """One upstream commit (or, for seed 004, a named stand-in)."""

    name: str  # short sha, or "seed-004"
    commit: str | None  # full sha; None when there is no upstream commit
    date: str | None
    seeds: tuple[str, ...]  # the seeds declared at this era
    forms: str  # the form set of the era-split types ("74941d21" | "ceb460d4")
    note: str = ""


ERAS: tuple[Era, ...] = (
    Era(
        name="e2e0b409",
        commit="e2e0b409cbe7381349ba49c75b6d6d2ff46d3361",
        date="2026-06-08",
        seeds=("003",),
        forms="74941d21",
        note="sans-IO turn machine",
    ),
    Era(
        name="74941d21",
        commit="74941d2186caef7da7ef63a6f3686ca0882dde32",
        date="2026-06-15",
        seeds=("000",),
        forms="74941d21",
        note="runtime-effect envelopes",
    ),
    Era(
        name="ceb460d4",
        commit="ceb460d4a03fad60fd8932d2c4deb6ede88c6ed9",
        date="2026-06-22",
        seeds=("001", "002"),
        forms="ceb460d4",
        note="execution context; turn input and activity",
    ),
    Era(
        name="seed-004",
        commit=None,
        date=None,
        seeds=("004",),
        forms="ceb460d4",
        note="run admission; no identified upstream commit",
    ),
)
"""Every era, oldest commit first."""

SEED_ERAS: dict[str, str] = {s: e.name for e in ERAS for s in e.seeds}
"""Seed number → the era its functions are declared at."""

DEFAULT_ERA = "74941d21"
"""The era of a decode that names none (seed 000's, the wire codec's home)."""

_BY_NAME = {e.name: e for e in ERAS}


def _index(name: str) -> int:
    era(name)  # raises for an unknown name
    return list(_BY_NAME).index(name)


@attrs.frozen
class EraRange:
    """The eras at which an enum variant or a struct field exists: from
    ``since`` (inclusive) to ``before`` (exclusive), in :data:`ERAS` order
    (seed 004, with no commit of its own, counts as the newest)."""

    since: str | None = None
    before: str | None = None

    def _bounds(self) -> tuple[int, int]:
        """The range as indices into :data:`ERAS`: ``lo`` inclusive, ``hi`` exclusive."""
        lo = _index(self.since) if self.since is not None else 0
        hi = _index(self.before) if self.before is not None else len(ERAS)
        return lo, hi

    def __attrs_post_init__(self) -> None:
        lo, hi = self._bounds()
        if lo >= hi:
            raise ValueError(f"empty era range {self}")

    def holds(self, name: str) -> bool:
        """Whether the variant or field exists at era ``name``."""
        lo, hi = self._bounds()
        return lo <= _index(name) < hi

    def eras(self) -> tuple[str, ...]:
        """The names of the eras in the range, oldest first."""
        return tuple(e for e in _BY_NAME if self.holds(e))

    def __str__(self) -> str:
        if self.before is None:
            return f"from {self.since}"
        if self.since is None:
            return f"before {self.before}"
        return f"from {self.since}, before {self.before}"


class UnknownEraError(ValueError):
    """An era name that is not in :data:`ERAS`."""


def era(name: str) -> Era:
    """The era called ``name`` (short sha or ``seed-004``)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(_BY_NAME)
        raise UnknownEraError(f"unknown era {name!r} (known: {known})") from None


def era_names() -> tuple[str, ...]:
    """The names of all eras, oldest first."""
    return tuple(_BY_NAME)


def era_of_seed(seed: str) -> str | None:
    """The era of a seed's functions; ``None`` for ops that belong to no seed."""
    return SEED_ERAS.get(seed)

"""pytest plugin: check another implementation with ``pytest --lash-adapter CMD``.

Registered through the ``pytest11`` entry point, so installing lash-spec makes
it available everywhere — and it does **nothing** unless ``--lash-adapter`` is
given (no collection, no fixture side effects)::

    pytest --lash-adapter "python -m my_impl.adapter" path/to/conformance/

collects every corpus case under the given paths (or ``--lash-corpus PATH``)
as one test item named by its stable case id, runs all selected cases through
one adapter process (pipelined, as ``lash-spec run`` does) on the first item,
and reports each: passed, failed (first difference and JSON path), skipped
(``pytest.skip``) or errored (a failure marked ``errored``).
``--lash-baseline FILE`` marks listed cases ``xfail(strict=True)``: a listed
case that passes fails the run as XPASS(strict), like ``lash-spec run
--baseline``.

The ``lash_adapter`` fixture gives tests of one's own the same adapter
session: ``lash_adapter.check(body)`` returns a
:class:`~lash_spec.harness.runner.CaseOutcome`.

Under pytest-xdist (``pytest -n N``) each worker has its own adapter process
and runs only the cases it is handed: with ``--dist loadfile`` (or
``loadscope``, the same thing here: a corpus file is a scope) a worker owns
whole files and runs each file's cases as one pipelined batch; with the
default ``--dist load`` (or ``worksteal``) cases are spread one by one, so
each is sent on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["LashCaseItem", "LashCorpusFile", "LashSession"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lash-spec", "lash-spec conformance through an adapter")
    group.addoption(
        "--lash-adapter",
        metavar="CMD",
        default=None,
        help="collect lash-spec corpus cases and run them through this adapter command",
    )
    group.addoption(
        "--lash-corpus",
        action="append",
        default=[],
        metavar="PATH",
        help="a corpus file or folder to collect (repeatable; paths given as arguments work too)",
    )
    group.addoption(
        "--lash-timeout", type=float, default=10.0, metavar="S", help="seconds per request"
    )
    group.addoption(
        "--lash-baseline", metavar="FILE", default=None, help="expected failures: xfail(strict)"
    )
    group.addoption(
        "--lash-fuzz",
        action="store_true",
        default=False,
        help="also collect the lash-spec fuzz targets: one Hypothesis test per op (HypoFuzz "
        "runs them too)",
    )
    group.addoption(
        "--lash-fuzz-op",
        action="append",
        default=[],
        metavar="NAME",
        help="with --lash-fuzz: only this op (repeatable; 'decode:*' prefixes allowed)",
    )


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("lash_adapter", default=None))


def pytest_configure(config: pytest.Config) -> None:
    if _enabled(config):
        config.args.extend(str(Path(p)) for p in config.getoption("lash_corpus"))
        if config.getoption("lash_fuzz"):
            _add_fuzz_targets(config)


def _add_fuzz_targets(config: pytest.Config) -> None:
    """Define the fuzz tests and collect their module (alone, when no path was given)."""
    from lash_spec.harness import fuzz_targets

    fuzz_targets.configure(
        config.getoption("lash_adapter"),
        config.getoption("lash_fuzz_op"),
        config.getoption("lash_timeout"),
    )
    module = str(Path(fuzz_targets.__file__))
    if config.args_source != pytest.Config.ArgsSource.ARGS:  # defaulted: only the targets
        config.args[:] = [module]
    else:
        config.args.append(module)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".json" or not _enabled(parent.config):
        return None
    if file_path.name == "index.json" or file_path.parent.name == "schema":
        return None
    file: pytest.Collector = LashCorpusFile.from_parent(parent, path=file_path)
    return file


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    baseline_file = config.getoption("lash_baseline", default=None)
    if not _enabled(config) or not baseline_file:
        return
    from lash_spec.harness.baseline import read_baseline

    baseline = read_baseline(Path(baseline_file))
    for item in items:
        if isinstance(item, LashCaseItem) and item.case.id in baseline:
            item.add_marker(
                pytest.mark.xfail(strict=True, reason="listed in the lash-spec baseline")
            )


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_SESSION, None)
    if session is not None:
        session.close()
    if _enabled(config) and config.getoption("lash_fuzz"):
        from lash_spec.harness import fuzz_targets

        fuzz_targets.close()


class LashSession:
    """One adapter process for the whole pytest session."""

    def __init__(self, config: pytest.Config) -> None:
        from lash_spec.harness.runner import Runner, RunOptions

        self.config = config
        self.runner = Runner(
            config.getoption("lash_adapter"),
            RunOptions(timeout=config.getoption("lash_timeout")),
        )
        self.outcomes: dict[str, Any] = {}

    def outcome_for(self, item: LashCaseItem) -> Any:
        """This item's outcome; the first call runs every selected case at once
        (under xdist: every case this worker is sure to run, see the module doc)."""
        if item.nodeid not in self.outcomes:
            batch = [
                i
                for i in self._batch_candidates(item)
                if isinstance(i, LashCaseItem) and i.nodeid not in self.outcomes
            ]
            if item not in batch:
                batch.append(item)
            result = self.runner.run([i.case for i in batch])
            for i, outcome in zip(batch, result.outcomes, strict=True):
                self.outcomes[i.nodeid] = outcome
        return self.outcomes[item.nodeid]

    def _batch_candidates(self, item: LashCaseItem) -> list[pytest.Item]:
        session_items: list[pytest.Item] = getattr(item.session, "items", None) or [item]
        if not hasattr(self.config, "workerinput"):  # not an xdist worker: all of them
            return session_items
        dist = self.config.getoption("dist", default="no")
        if dist == "each":  # every worker runs every case
            return session_items
        if dist in ("loadfile", "loadscope"):  # this worker owns the whole file
            return [i for i in session_items if i.parent is item.parent]
        return [item]  # load, worksteal, loadgroup: the others may be elsewhere

    def check(self, body: Any, case_id: str = "adhoc") -> Any:
        """Run one case body through the adapter; returns its ``CaseOutcome``."""
        from lash_spec.conformance.check import body_kind
        from lash_spec.harness.cases import HarnessCase

        case = HarnessCase(
            id=case_id,
            file="<fixture>",
            file_id="adhoc",
            seed="-",
            concept="adhoc",
            kind=body_kind(body),
            body=body,
        )
        return self.runner.run([case]).outcomes[0]

    def close(self) -> None:
        self.runner.close()


_SESSION = pytest.StashKey[LashSession]()


def _session(config: pytest.Config) -> LashSession:
    session = config.stash.get(_SESSION, None)
    if session is None:
        session = LashSession(config)
        config.stash[_SESSION] = session
    return session


@pytest.fixture(scope="session")
def lash_adapter(request: pytest.FixtureRequest) -> LashSession:
    """The adapter session of ``--lash-adapter`` (skips the test without it)."""
    if not _enabled(request.config):
        pytest.skip("no --lash-adapter given")
    return _session(request.config)


class LashCaseFailedError(Exception):
    """A case that failed or errored (its outcome is the argument)."""


class LashCorpusFile(pytest.File):
    """A corpus (or fixture) file: one item per case."""

    def collect(self) -> Iterator[pytest.Item]:
        from lash_spec.conformance.runner import load_fixture
        from lash_spec.harness.cases import FixtureError, cases_in

        try:
            doc = load_fixture(self.path)
        except FixtureError as err:
            raise self.CollectError(str(err)) from None
        if not _looks_like_cases(doc):
            return
        for case in cases_in(doc, str(self.path)):
            yield LashCaseItem.from_parent(self, name=case.id, case=case)


def _looks_like_cases(doc: Any) -> bool:
    if isinstance(doc, list):
        return True
    if not isinstance(doc, dict):
        return False
    return any(key in doc for key in ("cases", "body", "call", "steps", "scenario"))


class LashCaseItem(pytest.Item):
    """One corpus case, named by its stable id."""

    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.user_properties.append(("lash_case_id", case.id))

    def runtest(self) -> None:
        outcome = _session(self.config).outcome_for(self)
        if outcome.status == "passed":
            return
        if outcome.status == "skipped":
            pytest.skip(outcome.detail)
        raise LashCaseFailedError(outcome)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, LashCaseFailedError):
            outcome = excinfo.value.args[0]
            where = f" at {outcome.path}" if outcome.path else ""
            return f"{outcome.status}{where}: {outcome.detail}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"lash-spec case {self.case.id}"

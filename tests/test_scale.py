"""Scaling out: ``lash-spec run -j N`` (several adapter instances), and nothing lost
when an instance dies. Multi-process tests here are small and time-bounded."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lash_spec import stable_hash
from lash_spec.cli import main
from lash_spec.harness.cases import HarnessCase, collect
from lash_spec.harness.report import json_report, rate
from lash_spec.harness.runner import CaseOutcome, RunOptions, resolve_jobs, run_adapter

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "conformance"
ADAPTERS = ROOT / "tests" / "adapters"
REFERENCE = [sys.executable, "-m", "lash_spec.harness.adapter"]
TRIGGER = "hostile!"  # tests/adapters/_mini.py misbehaves on this argument

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "index.json").exists(), reason="no generated corpus"
)


def write_file(folder: Path, file_id: str, bodies: dict[str, Any]) -> Path:
    doc = {
        "format": "lash-spec-corpus/1",
        "id": file_id,
        "seed": "000",
        "concept": file_id.split("-", 1)[-1],
        "cases": [{"id": cid, "body": body} for cid, body in bodies.items()],
    }
    path = folder / f"{file_id}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def odd_file(folder: Path) -> Path:
    """Cases that fail, error-expect and skip, so every status shows up in the reports."""
    return write_file(
        folder,
        "000-odd",
        {
            "pass": {"call": "stable_hash", "args": ["a"], "ok": stable_hash("a")},
            "fail": {"call": "stable_hash", "args": ["a"], "ok": "0" * 64},
            "skip": {"call": "NoSuch::op", "args": [], "ok": None},
            "int-vs-float": {"call": "stable_hash", "args": [1], "ok": stable_hash(1.0)},
            "stable-json-wrong": {"call": "stable_json", "args": [1e16], "ok": "1e16"},
        },
    )


def _without_timing(report: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in report.items()
        if k not in ("seconds", "startup_seconds", "cases_per_second")
    }


def _junit_without_time(text: str) -> str:
    return re.sub(r' time="[0-9.]+"', "", text)


@needs_corpus
def test_run_j2_gives_the_same_reports_as_j1_on_the_whole_corpus(tmp_path: Path) -> None:
    paths = [str(CORPUS), str(odd_file(tmp_path))]
    adapter = shlex.join(REFERENCE)
    texts = {}
    for jobs in ("1", "2"):
        report, junit, baseline = (tmp_path / f"{name}-{jobs}" for name in ("r", "j", "b"))
        code = main(
            [
                *("run", "--adapter", adapter, "-q", "-j", jobs, "--start-timeout", "60"),
                *("--report", str(report), "--junit", str(junit)),
                *("--write-baseline", str(baseline), *paths),
            ]
        )
        assert code == 1  # the odd file fails on purpose
        texts[jobs] = (
            _without_timing(json.loads(report.read_text())),
            _junit_without_time(junit.read_text()),
            baseline.read_text(),
        )
    one, two = texts["1"], texts["2"]
    assert one[0]["summary"]["total"] > 5000
    assert one[0]["summary"]["failed"] == 3 and one[0]["summary"]["skipped"] == 1
    assert one[0]["adapter_events"] == []
    assert one == two


def test_jobs_spread_cases_and_keep_case_order(tmp_path: Path) -> None:
    """More instances than cases is fine; outcomes stay in case order; each
    instance takes a share (the adapter's pid, seen through a per-process op)."""
    cases = collect([odd_file(tmp_path)]) * 20
    one = run_adapter(REFERENCE, cases, RunOptions(start_timeout=60))
    many = run_adapter(REFERENCE, cases, RunOptions(start_timeout=60, jobs=3, pipeline=2))
    key = [(o.id, o.status, o.detail, o.path) for o in one.outcomes]
    assert key == [(o.id, o.status, o.detail, o.path) for o in many.outcomes]
    assert many.hello is not None and many.events == []


def test_skipped_cases_do_not_count_towards_the_rate(tmp_path: Path) -> None:
    bodies = {f"s{i}": {"call": "NoSuch::op", "args": [], "ok": None} for i in range(300)}
    bodies["real"] = {"call": "stable_hash", "args": ["a"], "ok": stable_hash("a")}
    cases = collect([write_file(tmp_path, "000-skips", bodies)])
    result = run_adapter(REFERENCE, cases, RunOptions(start_timeout=60))
    assert [o.status for o in result.outcomes].count("skipped") == 300
    assert result.adapter_cases == 1
    busy = result.seconds - result.startup_seconds
    assert rate(result) == pytest.approx(1 / busy)
    assert json_report(result, "x")["cases_per_second"] == round(1 / busy, 1)


def test_resolve_jobs() -> None:
    assert resolve_jobs("3") == 3
    assert resolve_jobs("auto") == len(os.sched_getaffinity(0))
    with pytest.raises(ValueError, match="at least 1"):
        resolve_jobs("0")


def test_cli_rejects_a_bad_job_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--adapter", "x", "-j", "none"])
    assert exit_.value.code == 2
    assert "expected a count >= 1 or auto" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# one bad instance does not hold up the others
# ---------------------------------------------------------------------------


def hostile_cases(tmp_path: Path, n: int = 12) -> list[HarnessCase]:
    values: list[Any] = [f"v{i}" for i in range(n)]
    values[2] = TRIGGER
    bodies = {
        f"v{i}": {"call": "stable_hash", "args": [v], "ok": stable_hash(v)}
        for i, v in enumerate(values)
    }
    return collect([write_file(tmp_path, "000-hostile", bodies)])


def test_a_hung_instance_does_not_stall_the_others(tmp_path: Path) -> None:
    cases = hostile_cases(tmp_path)
    seen: list[tuple[str, str, float]] = []
    began = time.monotonic()

    def progress(outcome: CaseOutcome) -> None:
        seen.append((outcome.id, outcome.status, time.monotonic() - began))

    options = RunOptions(timeout=3.0, start_timeout=30.0, pipeline=1, jobs=2)
    result = run_adapter(
        [sys.executable, str(ADAPTERS / "hang.py"), "trigger"], cases, options, progress
    )
    statuses = {o.id: o.status for o in result.outcomes}
    assert statuses.pop("000-hostile/v2") == "errored"
    assert set(statuses.values()) == {"passed"}
    # Every other case finished on the other instance while the hung one waited
    # out its timeout: the hung case is the last outcome, seconds after the rest.
    assert seen[-1][:2] == ("000-hostile/v2", "errored")
    assert seen[-1][2] - max(t for _, _, t in seen[:-1]) > 1.5
    assert "no reply within 3 s" in result.outcomes[2].detail


_BARRIER_THEN_DIE = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, ADAPTERS)
from _mini import is_trigger, serve
folder = Path(sys.argv[1])
if (folder / "died").exists():  # as die_mid_run.py with a flag: never starts again
    sys.exit(5)
(folder / f"started-{os.getpid()}").touch()
deadline = time.monotonic() + 20
while len(list(folder.glob("started-*"))) < 2 and time.monotonic() < deadline:
    time.sleep(0.01)  # both instances are up before either meets the trigger

def hook(request, out):
    if is_trigger(request):
        (folder / "died").touch()
        os._exit(7)
    return False

serve(hook)
"""


def test_an_instance_that_gives_up_leaves_its_cases_to_the_others(tmp_path: Path) -> None:
    """The instance that meets the trigger dies and cannot start again; the
    other instance runs everything else."""
    cases = hostile_cases(tmp_path)
    script = _BARRIER_THEN_DIE.replace("ADAPTERS", repr(str(ADAPTERS)))
    options = RunOptions(timeout=5.0, start_timeout=30.0, pipeline=1, jobs=2, give_up_after=2)
    result = run_adapter([sys.executable, "-c", script, str(tmp_path)], cases, options)
    statuses = {o.id: o.status for o in result.outcomes}
    assert statuses.pop("000-hostile/v2") == "errored"
    assert set(statuses.values()) == {"passed"}
    # It died (7); whether it then tried to start again (and exited 5) depends on
    # whether cases were still queued at that moment, which is a race by design.
    assert [e.exit_status for e in result.events] in ([7], [7, 5])


# ---------------------------------------------------------------------------
# nothing lost: an adapter process killed mid-run
# ---------------------------------------------------------------------------


def _adapter_children() -> list[int]:
    """Pids of this process's children running the reference adapter (Linux /proc)."""
    out = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and b"lash_spec.harness.adapter" in cmdline:
            out.append(int(entry.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@needs_corpus
@pytest.mark.parametrize("jobs", [1, 2])
def test_an_adapter_killed_mid_run_loses_only_a_case_in_flight(jobs: int) -> None:
    cases = collect([CORPUS])
    killed: list[int] = []

    def progress(outcome: CaseOutcome) -> None:
        if len(killed) == 0 and outcome.case is cases[min(1000, len(cases) - 1)]:
            pids = _adapter_children()
            assert len(pids) == jobs
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    options = RunOptions(start_timeout=60, jobs=jobs, pipeline=16)
    result = run_adapter(REFERENCE, cases, options, progress)
    assert killed, "the kill never happened"
    assert len(result.outcomes) == len(cases)
    assert [o.id for o in result.outcomes] == [c.id for c in cases]
    errored = [o for o in result.outcomes if o.status != "passed"]
    assert len(errored) == 1  # the blamed request's case; the rest of its window re-ran
    (lost,) = errored
    assert lost.status == "errored"
    assert "the adapter exited (exit status -9)" in lost.detail
    (event,) = result.events
    assert event.case == lost.id and event.exit_status == -9


# ---------------------------------------------------------------------------
# pytest -n N (pytest-xdist) gives the per-case results of a serial run
# ---------------------------------------------------------------------------


def run_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "lash_spec.harness.pytest_plugin"),
            *("-p", "xdist.plugin", "-p", "no:cacheprovider", "--rootdir", str(cwd), "-q"),
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def junit_results(path: Path) -> dict[tuple[str, str], list[tuple[str, str | None]]]:
    """(file, case id) → what JUnit says happened (tag and message of each child)."""
    out = {}
    for case in ET.parse(path).iter("testcase"):
        children = [(c.tag, c.get("message")) for c in case if c.tag != "properties"]
        out[(case.get("classname", ""), case.get("name", ""))] = children
    return out


def per_case_results(tmp_path: Path, name: str, *args: str) -> dict[Any, Any]:
    junit = tmp_path / f"{name}.xml"
    proc = run_pytest(
        tmp_path, "--lash-adapter", shlex.join(REFERENCE), *args, f"--junitxml={junit}"
    )
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]  # the odd file fails
    return junit_results(junit)


@needs_corpus
def test_pytest_xdist_matches_a_serial_run_on_the_whole_corpus(tmp_path: Path) -> None:
    paths = (str(CORPUS), str(odd_file(tmp_path)))
    serial = per_case_results(tmp_path, "serial", *paths)
    spread = per_case_results(tmp_path, "n2", "-n", "2", *paths)
    assert len(serial) > 5000
    outcomes = [kids[0][0] if kids else "passed" for kids in serial.values()]
    assert (outcomes.count("failure"), outcomes.count("skipped")) == (3, 1)
    assert spread == serial


@pytest.mark.parametrize("dist", ["loadfile", "loadscope", "each"])
def test_pytest_xdist_batched_modes_match_a_serial_run(tmp_path: Path, dist: str) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    odd_file(folder)
    write_file(
        folder,
        "000-more",
        {
            f"v{i}": {"call": "stable_json", "args": [i / 2], "ok": json.dumps(i / 2)}
            for i in range(30)
        },
    )
    serial = per_case_results(tmp_path, "serial", str(folder))
    spread = per_case_results(tmp_path, dist, "-n", "2", "--dist", dist, str(folder))
    assert spread == serial


# ---------------------------------------------------------------------------
# lash-spec fuzz: workers, a shared example database, nothing lost
# ---------------------------------------------------------------------------

MUTANTS = ROOT / "tests" / "adapters" / "mutants"
HASH_MUTANT = shlex.join([sys.executable, str(MUTANTS / "hash_python_json.py")])
FUZZ_OPS = ["stable_hash", "stable_json", "decode:RuntimeScope", "RuntimeScope::for_turn"]


def test_fuzz_workers_give_each_op_the_outcome_of_one_process() -> None:
    from lash_spec.harness.fuzz import FuzzOptions, fuzz

    options = FuzzOptions(max_examples=20, seed=5)
    one = fuzz(shlex.split(HASH_MUTANT), FUZZ_OPS, options)
    two = fuzz(shlex.split(HASH_MUTANT), FUZZ_OPS, FuzzOptions(max_examples=20, seed=5, jobs=2))
    # The same outcome per op; how far past max_examples the last batch of cases
    # reaches is not part of an outcome (batch sizes are drawn).
    assert [(o.op, o.status) for o in two.ops] == [(o.op, o.status) for o in one.ops]
    assert all(o.examples >= 20 for o in two.ops if o.status == "passed")
    assert [o.op for o in two.ops] == FUZZ_OPS
    assert [d.body for d in two.divergences] == [d.body for d in one.divergences]
    assert [d.op for d in two.divergences] == ["stable_hash"]
    assert two.hello is not None and two.seed == 5


def _fuzz_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lash_spec.cli", "fuzz", "-q", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


@pytest.fixture(params=["directory", "redis"])
def example_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A shared example database: a directory, or a Redis server (fakeredis's,
    over TCP in this process, so separate processes reach it as machines would).
    Yields ``--database``'s argument and a function telling whether it holds
    anything."""
    if request.param == "directory":
        folder = tmp_path / "db"
        yield str(folder), lambda: any(folder.rglob("*"))
        return
    import threading

    import redis
    from fakeredis import TcpFakeServer

    server = TcpFakeServer(("127.0.0.1", 0), server_type="redis")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    url = f"redis://{host}:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        yield url, lambda: bool(client.keys("*"))
    finally:
        client.close()
        server.shutdown()
        server.server_close()


def test_two_workers_share_one_example_database(
    tmp_path: Path, example_database: tuple[str, Any]
) -> None:
    """A campaign in miniature: two worker processes (standing in for machines)
    share one example database and one fixture file. The first finds and shrinks a
    divergence; the second, with another seed and a single example, could not find
    it on its own (checked) but replays it from the database first; the fixture
    holds the case once."""
    database, stored = example_database
    fixture = tmp_path / "found.json"
    common = ("--adapter", HASH_MUTANT, "--op", "stable_hash", "--out", str(fixture))
    first = _fuzz_cli(tmp_path, *common, "--database", database, "--seed", "1")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "DIVERGED stable_hash" in first.stdout
    cases = json.loads(fixture.read_text())["cases"]
    assert len(cases) == 1
    assert stored(), "nothing was stored in the database"

    alone = ("--max-examples", "1", "--batch", str(8), "--seed", "2")
    control = _fuzz_cli(
        tmp_path,
        *alone,
        "--adapter",
        HASH_MUTANT,
        "--op",
        "stable_hash",
        "--out",
        str(tmp_path / "control.json"),
    )
    assert control.returncode == 0, control.stdout  # one fresh example does not find it

    second = _fuzz_cli(
        tmp_path, *common, *alone, "--database", database, "--report", "r2.json"
    )
    assert second.returncode == 1, second.stdout + second.stderr
    report = json.loads((tmp_path / "r2.json").read_text())
    (found,) = report["divergences"]
    assert found["id"] == cases[0]["id"]  # the same shrunk case, replayed
    assert report["examples"] <= 1
    assert json.loads(fixture.read_text())["cases"] == cases  # written once


def test_a_killed_fuzz_worker_loses_only_its_op(tmp_path: Path) -> None:
    """Kill one fuzz worker mid-run: the op it was on is reported errored with the
    reason; every op that finished, and every divergence found, is kept and written."""
    import multiprocessing

    from lash_spec.harness.fuzz import FuzzOptions, FuzzResult, fuzz, write_fixture

    killed: list[int] = []

    def progress(what: str, result: FuzzResult) -> None:
        if killed or not result.ops:
            return
        for child in multiprocessing.active_children():
            if child.pid is not None:
                os.kill(child.pid, signal.SIGKILL)  # the first worker still alive
                killed.append(child.pid)
                return

    ops = [*FUZZ_OPS, "decode:RuntimeInvocation", "ProcessCommand::effect_id"]
    options = FuzzOptions(max_examples=150, seed=3, jobs=2)
    result = fuzz(shlex.split(HASH_MUTANT), ops, options, progress)
    assert killed
    statuses = {o.op: (o.status, o.reason) for o in result.ops}
    assert set(statuses) == set(ops)  # every op is accounted for
    lost = [op for op, (status, _) in statuses.items() if status == "errored"]
    assert len(lost) <= 1
    for op in lost:
        assert "the fuzz worker died (exit status -9)" in statuses[op][1]
    assert result.exit_status == 1
    if "stable_hash" not in lost:
        assert [d.op for d in result.divergences] == ["stable_hash"]
        out = tmp_path / "found.json"
        assert write_fixture(out, result) == 1
        assert [c["id"] for c in json.loads(out.read_text())["cases"]] == [
            result.divergences[0].case_id
        ]


def test_pytest_lash_fuzz_collects_one_hypothesis_test_per_op(tmp_path: Path) -> None:
    proc = run_pytest(
        tmp_path,
        *("--lash-adapter", HASH_MUTANT, "--lash-fuzz", "-rA"),
        *("--lash-fuzz-op", "stable_*", "--lash-fuzz-op", "decode:RuntimeScope"),
        "-p",
        "no:xdist",
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "1 failed, 2 passed" in proc.stdout
    assert "FAILED" in proc.stdout and "test_stable_hash" in proc.stdout
    assert "stable_hash failed at $" in proc.stdout
    # shrunk to a one-case batch, as lash-spec fuzz does
    drawn = re.search(r"Draw 1 \(drawn\): (\[\[.*\]\])\n", proc.stdout)
    assert drawn is not None, proc.stdout[-3000:]
    assert len(ast.literal_eval(drawn.group(1))) == 1
    from lash_spec.harness import fuzz_targets

    test = getattr(fuzz_targets, "test_stable_hash", None) or fuzz_targets.make_test("stable_hash")
    assert test is not None and hasattr(test, "hypothesis")  # a plain Hypothesis test


class _RecordingRunner:
    """A stand-in adapter for the fuzz targets: reads ``eras``, passes every case."""

    def __init__(self, ops: list[str], eras: list[str] | None) -> None:
        from lash_spec.harness.protocol import parse_hello

        hello = {"name": "rec", "version": "1", "language": "py"}
        hello |= {"protocol": "lash-spec-adapter/1", "ops": ops}
        self.hello = parse_hello(hello if eras is None else {**hello, "eras": eras})
        self.cases: list[HarnessCase] = []

    def ensure_started(self) -> None:
        return None

    def run(self, cases: list[HarnessCase]) -> Any:
        from lash_spec.harness.runner import RunResult

        self.cases += cases
        outcomes = [CaseOutcome(case=c, status="passed") for c in cases]
        return RunResult(outcomes=outcomes, hello=self.hello, events=[], seconds=0.0)


@pytest.mark.parametrize(
    ("op", "eras"),
    [("decode:ProcessCommand", ["ceb460d4"]), ("decode:ProcessIdentity", None)],
)
def test_lash_fuzz_targets_draw_inside_the_ops_era(
    monkeypatch: pytest.MonkeyPatch, op: str, eras: list[str] | None
) -> None:
    """The inputs are drawn once the adapter has named its eras: at ceb460d4, an
    era-split field holds the ceb460d4 form, so the model decodes every drawn
    input (drawn at the default era, about half of ProcessCommand's were refused
    as `decode` errors); and a type that exists only at ceb460d4 is fuzzed there
    when the adapter names no eras (it was fuzzed at the default era, where the
    op does not exist, so every input was rejected)."""
    from hypothesis import settings

    from lash_spec.harness import fuzz_targets

    runner = _RecordingRunner([op], eras)
    monkeypatch.setitem(fuzz_targets._STATE, "runner", runner)
    test = fuzz_targets.make_test(op)
    assert test is not None
    held = test._hypothesis_internal_use_settings  # type: ignore[attr-defined]
    test._hypothesis_internal_use_settings = settings(  # type: ignore[attr-defined]
        held, max_examples=15, derandomize=True, database=None
    )
    test()
    bodies = [c.body for c in runner.cases]
    assert len(bodies) >= 15
    assert all(c.eras == ("ceb460d4",) for c in runner.cases)
    assert [b for b in bodies if "ok" not in b] == []


def test_lash_fuzz_targets_meet_what_hypofuzz_collects(monkeypatch: pytest.MonkeyPatch) -> None:
    """HypoFuzz fuzzes a collected test only when it is a plain Hypothesis test that
    keeps the run's database and derandomize setting, generates, does not suppress
    ``nested_given``, and takes nothing from pytest (hypofuzz.collection, 25.11.1).
    HypoFuzz is not installed here (docs/fuzzing.md says why), so these are its rules,
    checked on the targets; then each runs as HypoFuzz would call it, without pytest."""
    import inspect

    from hypothesis import HealthCheck, Phase, settings

    from lash_spec.harness import fuzz_targets

    for key in ("command", "timeout", "runner"):  # restored afterwards
        monkeypatch.setitem(fuzz_targets._STATE, key, fuzz_targets._STATE.get(key))
    names = fuzz_targets.configure(shlex.join(REFERENCE), ["stable_json", "turn_trace"])
    assert names == ["test_turn_trace", "test_stable_json"]
    try:
        for name in names:
            test = getattr(fuzz_targets, name)
            assert hasattr(test, "hypothesis")  # is_hypothesis_test
            held = test._hypothesis_internal_use_settings
            assert held.database == settings().database
            assert held.derandomize == settings().derandomize
            assert Phase.generate in held.phases
            assert HealthCheck.nested_given not in held.suppress_health_check
            assert inspect.signature(test).parameters == {}  # no fixture to supply
            test._hypothesis_internal_use_settings = settings(
                held, max_examples=5, derandomize=True, database=None
            )
            test()
    finally:
        fuzz_targets.close()
        for name in names:
            delattr(fuzz_targets, name)

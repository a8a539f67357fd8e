"""The worker pool: a file that takes too long is cut off, its worker replaced, and the others go on."""

from __future__ import annotations

import asyncio

import pytest

from pakta_cli.serve import app as app_module
from pakta_cli.serve.pool import Busy, TimedOut, WorkerDied, WorkerPool
from tests.serve import tasks
from tests.serve.conftest import Pacts, client


def _run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def test_a_worker_past_its_time_limit_is_killed_and_replaced() -> None:
    async def scenario() -> tuple[object, list[tuple[int, int]], int]:
        pool: WorkerPool[tuple[int, int]] = WorkerPool(tasks.echo, None, workers=1, timeout=2.0, backlog=4)
        pool.start()
        try:
            before = await pool.run(b"abc", "a")
            stuck = await asyncio.gather(pool.run(b"sleep", "s"), return_exceptions=True)
            after = await pool.run(b"abcd", "b")
            return stuck[0], [before, after], pool.replaced
        finally:
            pool.close()

    stuck, answers, replaced = _run(scenario())
    assert isinstance(stuck, TimedOut)
    assert [length for length, _ in answers] == [3, 4]
    assert answers[0][1] != answers[1][1]  # another process answers after the kill
    assert replaced == 1


def test_a_worker_that_dies_is_replaced() -> None:
    async def scenario() -> tuple[object, tuple[int, int]]:
        pool: WorkerPool[tuple[int, int]] = WorkerPool(tasks.echo, None, workers=1, timeout=30.0, backlog=4)
        pool.start()
        try:
            died = await asyncio.gather(pool.run(b"crash", "c"), return_exceptions=True)
            return died[0], await pool.run(b"ok", "o")
        finally:
            pool.close()

    died, answer = _run(scenario())
    assert isinstance(died, WorkerDied)
    assert answer[0] == 2


def test_a_full_line_is_turned_away_at_once() -> None:
    async def scenario() -> list[object]:
        pool: WorkerPool[tuple[int, int]] = WorkerPool(tasks.echo, None, workers=1, timeout=2.0, backlog=1)
        pool.start()
        try:
            busy = asyncio.ensure_future(pool.run(b"sleep", "s"))  # holds the only worker
            await asyncio.sleep(0)
            waiting = asyncio.ensure_future(pool.run(b"x", "w"))  # waits: the line holds one
            await asyncio.sleep(0)
            turned_away = await asyncio.gather(pool.run(b"y", "t"), return_exceptions=True)
            return [*await asyncio.gather(busy, waiting, return_exceptions=True), turned_away[0]]
        finally:
            pool.close()

    stuck, waited, turned_away = _run(scenario())
    assert isinstance(stuck, TimedOut)
    assert waited == (1, waited[1])  # type: ignore[index]
    assert isinstance(turned_away, Busy)


def test_the_page_says_fail_for_a_file_that_took_too_long(pacts: Pacts, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "verify_upload", tasks.slow_verify)
    with client(pacts, timeout=2.0) as c:
        api = c.post("/api/verify", files={"file": ("hostile.pdf", b"sleep%PDF-", "application/pdf")})
        page = c.post("/", files={"file": ("hostile.pdf", b"sleep%PDF-", "application/pdf")})
        after = c.post("/api/verify", files={"file": ("valid.pdf", pacts.valid.read_bytes(), "application/pdf")})
    assert api.json()["status"] == "FAIL" and api.json()["reasons"][0]["key"] == "timeout"
    assert 'data-status="FAIL"' in page.text and "batas waktu 2 detik" in page.text
    assert after.json()["status"] == "VALID"


def test_a_busy_server_answers_503_with_retry_after(pacts: Pacts, monkeypatch: pytest.MonkeyPatch) -> None:

    async def always_busy(self: WorkerPool[object], data: bytes, name: str) -> object:
        raise Busy()

    monkeypatch.setattr(WorkerPool, "run", always_busy)
    with client(pacts) as c:
        api = c.post("/api/verify", files={"file": ("a.pdf", b"%PDF-", "application/pdf")})
        page = c.post("/", files={"file": ("a.pdf", b"%PDF-", "application/pdf")})
    assert api.status_code == 503 and api.headers["retry-after"] and api.json()["error"]["key"] == "busy"
    assert page.status_code == 503 and "Server sedang sibuk" in page.text


def test_a_slow_file_runs_at_the_least_priority_on_a_worker_then_replaced() -> None:
    async def scenario() -> list[tuple[int, int]]:
        pool: WorkerPool[tuple[int, int]] = WorkerPool(tasks.nap, None, workers=1, timeout=30.0, backlog=4,
                                                       slow_after=1.0)
        pool.start()
        try:
            await pool.run(b"quick", "warm")  # the worker has started: a busy machine's start-up is not a slow file
            return [await pool.run(b"quick", "q"), await pool.run(b"nap", "n"), await pool.run(b"quick", "q")]
        finally:
            pool.close()

    quick, slow, after = _run(scenario())
    assert slow[0] == 19 and quick[0] == after[0] < 19  # lowered while slow; the next file is not
    assert quick[1] == slow[1] != after[1]  # the lowered worker was replaced once it answered


def test_every_worker_starts_with_the_renderer_warm() -> None:
    """verify re-renders each pact: a cold worker's first re-rendering took longer than `slow_after`, so
    each fresh worker was set aside as slow and replaced by another cold one (the page served a tenth
    of what `pakta verify` does). Workers fork from a forkserver that has rendered in every font."""
    async def scenario() -> tuple[bool, list[str]]:
        pool: WorkerPool[tuple[bool, list[str]]] = WorkerPool(tasks.warmth, None, workers=1, timeout=30.0,
                                                              backlog=4)
        pool.start()
        try:
            return await pool.run(b"", "w")
        finally:
            pool.close()

    loaded, fonts = _run(scenario())
    assert loaded  # imported in the forkserver, before the task
    assert {"pakta-arial-regular", "pakta-times-regular", "pakta-bookman-regular"} <= set(fonts), fonts

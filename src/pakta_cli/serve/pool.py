"""Verification in worker processes, each request under a time limit, so one hostile file stalls nobody.

Why not `concurrent.futures.ProcessPoolExecutor`: it cannot stop one task. A task that outlives its
time limit would keep its worker busy, and a few such uploads would hold every worker. Here each
worker is a process of its own with a pipe; a worker that does not answer within the limit is
killed and replaced, and its request is told so (`TimedOut`). A worker that dies (out of memory,
a crash in a C library) is replaced the same way (`WorkerDied`).

A file that is still being verified after `slow_after` seconds (an honest pact takes a few tens of
milliseconds) is set aside: its worker's CPU priority is lowered to the least (nice 19), so it runs
on what the other requests leave, and a fresh worker takes its place in line at once. On a machine
of two cores a hostile file would otherwise take a whole core, and a few of them every worker, from
everyone. A process may lower its priority but not raise it again, so a worker set aside ends when
its file does. At most as many workers as the pool holds are set aside at once.

Requests wait for a free worker in a bounded line: when `backlog` requests already wait, the next
is turned away at once (`Busy`) instead of queueing without end. The time limit runs from the moment
a worker takes the request, so a busy server slows requests down but never fails them for it.

Workers are forked from a forkserver that has already imported the verifier: a replacement is
ready in milliseconds, and no worker inherits the web server's threads or sockets.

The data travels over the pipe and lives only in the two processes' memory: nothing is written to disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

R = TypeVar("R")
Task = Callable[[bytes, str, Any], R]  # (data, name, context) -> result; a module-level function
MEMORY_LIMIT = 4 << 30  # address space of a worker: far above a pact's needs, far below the machine's
PRELOAD = ["pakta_cli.serve.worker", "pakta_cli.serve.warm"]  # the verifier, and the renderer warm
LEAST_PRIORITY = 19  # nice value of a worker busy with a slow file


class Busy(Exception):
    """Every worker is busy and `backlog` requests already wait."""


class TimedOut(Exception):
    """The worker did not answer within the time limit; it was killed and replaced."""


class WorkerDied(Exception):
    """The worker ended without answering (it was replaced)."""


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _work(conn: Connection, task: Task[Any], context: Any) -> None:
    """A worker's life: take (name, data), answer task(data, name, context), until the pipe closes."""
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit is already in force: keep it
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    while True:
        try:
            name = conn.recv()
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        conn.send(task(data, name, context))


class _Worker:
    def __init__(self, task: Task[Any], context: Any) -> None:
        mp = _context()
        self.conn, child = mp.Pipe()
        self.process = mp.Process(target=_work, args=(child, task, context), daemon=True, name="pakta-verify")
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.conn.close()
        self.process.kill()
        self.process.join(5)


class WorkerPool(Generic[R]):
    """`workers` processes answering `task(data, name, context)`; see the module docstring."""

    def __init__(self, task: Task[R], context: Any, *, workers: int, timeout: float, backlog: int,
                 slow_after: float = 0.5) -> None:
        self.task, self.context = task, context
        self.size, self.timeout, self.backlog, self.slow_after = max(workers, 1), timeout, backlog, slow_after
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._waiting = 0
        self._set_aside = 0  # slow workers running beside the pool, a fresh one in their place
        # a thread carries each request to its worker and waits for the answer, off the event loop:
        # one per worker, and one per worker set aside
        self._threads = ThreadPoolExecutor(2 * self.size, thread_name_prefix="pakta-pool")
        self.replaced = 0  # workers killed (time limit), found dead, or slow, since start
        self._closed = False

    def start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._idle.put_nowait(self._spawn())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
        self._threads.shutdown(wait=False, cancel_futures=True)

    @property
    def waiting(self) -> int:
        return self._waiting

    def _spawn(self) -> _Worker:
        worker = _Worker(self.task, self.context)
        with self._lock:
            self._all.add(worker)
            if self._closed:  # the server stopped while this request was out: end the new worker too
                self._all.discard(worker)
                worker.stop()
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
            self.replaced += 1
        worker.stop()

    async def run(self, data: bytes, name: str) -> R:
        """The task's answer for `data`; raises Busy, TimedOut or WorkerDied."""
        if self._idle is None:
            raise RuntimeError("the pool is not started")
        if self._idle.empty() and self._waiting >= self.backlog:
            raise Busy()
        self._waiting += 1
        try:
            worker = await self._idle.get()
        finally:
            self._waiting -= 1
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(self._threads, self._exchange, worker, data, name, loop)
        if isinstance(answer, Exception):
            raise answer
        result: R = answer
        return result

    def _exchange(self, worker: _Worker, data: bytes, name: str, loop: asyncio.AbstractEventLoop) -> Any:
        """In a thread: hand `data` to the worker, wait for its answer (at most the time limit), and put
        a worker back in line: this one, or a fresh one when this one was slow, killed or died.

        The thread puts the worker back, not the request, so a request cancelled meanwhile (its client
        went away) never returns a worker that is still busy. Returns the answer, or the exception
        that stands for it.

        A slow file's worker is set aside at the least priority and a fresh worker takes its place in
        line at once, so slow files never take the pool's workers from the others (at most `size`
        workers are set aside at a time; past that a slow worker keeps its place until it ends).
        """

        def give_back(fresh: _Worker) -> None:
            if self._idle is not None:
                with contextlib.suppress(RuntimeError):  # the loop is closed: the server is stopping
                    loop.call_soon_threadsafe(self._idle.put_nowait, fresh)

        deadline = time.monotonic() + self.timeout
        slow = set_aside = False
        answer: Any
        try:
            worker.conn.send(name)
            worker.conn.send_bytes(data)
            if not worker.conn.poll(min(self.slow_after, self.timeout)):
                slow = True
                pid = worker.process.pid
                if pid:  # (never 0: that would be this process)
                    with contextlib.suppress(OSError):  # the worker may have just ended
                        os.setpriority(os.PRIO_PROCESS, pid, LEAST_PRIORITY)
                with self._lock:
                    set_aside = self._set_aside < self.size
                    self._set_aside += set_aside
                if set_aside:
                    give_back(self._spawn())
            answer = (worker.conn.recv() if worker.conn.poll(max(deadline - time.monotonic(), 0))
                      else TimedOut())
        except (EOFError, OSError):
            answer = WorkerDied()
        if not slow and not isinstance(answer, Exception):
            give_back(worker)
            return answer
        self._retire(worker)
        if set_aside:
            with self._lock:
                self._set_aside -= 1
        else:
            give_back(self._spawn())
        return answer

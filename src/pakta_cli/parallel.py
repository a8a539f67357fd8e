"""Work over all cores: a process pool that yields results as they come, in bounded memory.

Shared by render (a roster), sign (many pacts) and verify (a province's folder); it knows nothing
of pacts, so none of them loads another's libraries to use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

MAX_JOBS_PER_CORE = 4
T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_parallel(
    func: Callable[[T], R], items: Sequence[T], *, jobs: int, chunk: int = 8
) -> Iterator[tuple[int, R]]:
    """Yield (index, result) as work completes; in-process when jobs == 1 (no pickling cost)."""
    if jobs <= 1 or len(items) <= 1:
        for index, item in enumerate(items):
            yield index, func(item)
        return
    # the pool's modules (multiprocessing and its kin) only when there is a pool: `pakta verify
    # one.pdf` runs in-process, and tests/test_startup.py holds it to that
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    chunks = [list(range(start, min(start + chunk, len(items)))) for start in range(0, len(items), chunk)]
    # no more processes than chunks of work, nor far more than cores: the pool starts every worker
    # at once, and `--jobs 100000` must not start a hundred thousand processes
    jobs = min(jobs, max(2, len(chunks)), MAX_JOBS_PER_CORE * default_jobs())
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: dict[Future[list[R]], list[int]] = {}
        queue = iter(chunks)
        for indices in queue:
            pending[pool.submit(_run_chunk, func, [items[i] for i in indices])] = indices
            if len(pending) >= jobs * 3:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                indices = pending.pop(future)
                for index, result in zip(indices, future.result(), strict=True):
                    yield index, result
                nxt = next(queue, None)
                if nxt is not None:
                    pending[pool.submit(_run_chunk, func, [items[i] for i in nxt])] = nxt


def _run_chunk(func: Callable[[T], R], items: list[T]) -> list[R]:
    return [func(item) for item in items]

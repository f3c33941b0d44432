"""Running one function over many clinics, in this process or in a pool of worker processes.

Each worker is a long-lived process that builds many sites, so MkDocs' imports, the compiled theme
templates and the theme's file listing stay warm in it (see generator/site/builder.py). Tasks are handed out
a few at a time, lazily: the caller's task iterator may change what it yields next (a run that has
met a data problem only validates the clinics left). Results come back as they finish; what a site
contains never depends on which worker built it.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_IN_WORKER = False


def in_worker() -> bool:
    """Whether this process is one of the pool's workers."""
    return _IN_WORKER


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    global _IN_WORKER
    _IN_WORKER = True
    if initializer:
        initializer(*initargs)


def _context() -> Any:
    # fork: workers start at once with the parent's imports; spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run(fn: Callable[[T], R], tasks: Iterable[T], workers: int,
        initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> Iterator[R]:
    """fn(task) for every task, as each finishes. With workers <= 1, in this process, in order."""
    if workers <= 1:
        if initializer:
            initializer(*initargs)
        for task in tasks:
            yield fn(task)
        return
    from concurrent.futures import (  # only for a pool
        FIRST_COMPLETED,
        ProcessPoolExecutor,
        wait,
    )

    queue = iter(tasks)
    pending: set[Future] = set()
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_start_worker,
                                   initargs=(initializer, initargs))
    try:
        def fill() -> None:
            while len(pending) < 2 * workers:  # a few ahead, so that no worker waits for the next task
                try:
                    task = next(queue)
                except StopIteration:
                    return
                pending.add(executor.submit(fn, task))

        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                yield future.result()
            fill()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)

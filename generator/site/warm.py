"""A worker forked before the plan is made, so that what a build imports is imported on the other core
while this process checks every clinic's inputs.

Editing one clinic of a thousand costs mostly the check of the thousand (their files, their kept sites)
and the import of what builds a site (the data model, the notices, MkDocs and Material): each about a
fifth of a second, one after the other in one process. `Warm` forks a process at once that imports the
pipeline and waits; when the plan builds one clinic, that process builds it (as a pool's worker would:
generator/site/parallel.py) and this one never imports the pipeline. Otherwise it is sent away unused.

The worker is sent its one task through a pipe and sends back the result (or the error the build
raised); if it dies first, the caller builds the clinic itself. It holds no descriptor of the caller's
but its own pipes, dies with its parent (Linux), and is reaped when the `with` block ends.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
from typing import Any, Callable

from . import parallel

_HEADER = struct.Struct("<Q")


def _die_with_parent() -> None:
    """Ask Linux to end this process if the one that forked it ends (a build killed midway leaves no
    worker writing into its staging folder); elsewhere nothing."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve(tasks: int, results: int, prepare: Callable[[], None]) -> None:
    prepare()
    data = _read_all(tasks)
    if not data:
        return  # sent away
    fn, task, initializer, initargs = pickle.loads(data)
    parallel._start_worker(initializer, initargs)
    try:
        outcome: tuple[str, Any] = ("result", fn(task))
    except Exception as exc:  # noqa: BLE001  # handed to the caller, who raises it as a build in it would
        outcome = ("error", exc)
    try:
        payload = pickle.dumps(outcome)
    except Exception as exc:  # noqa: BLE001  # an error that does not pickle: its message does
        payload = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    _write_all(results, _HEADER.pack(len(payload)) + payload)


class Warm:
    """The worker, forked by `start` if `wanted` and forking is safe then (no other thread); `prepare` is
    what it runs first."""

    def __init__(self, wanted: bool, prepare: Callable[[], None]) -> None:
        self.wanted = wanted
        self.prepare = prepare
        self._pid: int | None = None
        self._tasks: int | None = None
        self._results: int | None = None

    def start(self) -> None:
        if not self.wanted or self._pid is not None or not hasattr(os, "fork") or threading.active_count() > 1:
            return
        self.wanted = False  # once
        prepare = self.prepare
        pipes: list[int] = []
        try:
            pipes += os.pipe()
            pipes += os.pipe()
            pid = os.fork()
        except OSError:
            for fd in pipes:
                os.close(fd)
            return
        task_read, task_write, result_read, result_write = pipes
        if pid == 0:  # the worker
            try:
                os.close(task_write)
                os.close(result_read)
                _die_with_parent()
                _serve(task_read, result_write, prepare)
            finally:
                os._exit(0)
        os.close(task_read)
        os.close(result_write)
        self._pid, self._tasks, self._results = pid, task_write, result_read

    @property
    def ready(self) -> bool:
        return self._pid is not None

    def run(self, fn: Callable[[Any], Any], task: Any, initializer: Callable[..., None], initargs: tuple) -> Any:
        """fn(task) in the worker, after initializer(*initargs) there; raises what fn raised. None when the
        worker is gone without an answer (the caller then runs it itself)."""
        assert self._tasks is not None and self._results is not None
        try:
            _write_all(self._tasks, pickle.dumps((fn, task, initializer, initargs)))
        except (OSError, pickle.PicklingError, AttributeError, TypeError):  # gone, or a task it cannot be sent
            self.close()
            return None
        os.close(self._tasks)
        self._tasks = None
        data = _read_all(self._results)
        self.close()
        if len(data) < _HEADER.size or len(data) != _HEADER.size + _HEADER.unpack_from(data)[0]:
            return None
        kind, value = pickle.loads(data[_HEADER.size:])
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Send the worker away (if it has not been used) and reap it."""
        for fd in (self._tasks, self._results):
            if fd is not None:
                os.close(fd)
        self._tasks = self._results = None
        if self._pid is not None:
            pid, self._pid = self._pid, None
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)

    def __enter__(self) -> "Warm":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

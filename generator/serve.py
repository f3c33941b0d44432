"""`notices serve`: a live preview. Serve a built site, rebuild it when its inputs change.

The CLI passes `build_once`, which builds the preview (drafts shown) into a folder of its own, outside
the watched folders, and returns that folder. This module serves the folder with the standard library's
HTTP server in a thread, and polls the modification times of clinics/, groups/, templates/ and
mkdocs.yml (no extra dependency). On a change it rebuilds; a build that fails is reported through
`on_error` and the last good build stays in service, so a typo never takes the preview down.

Stop it with `stop_event` (tests, or the CLI's Ctrl-C handling: a KeyboardInterrupt also stops it
cleanly). Nothing here prints: the CLI turns the callbacks into messages.
"""

from __future__ import annotations

import html
import os
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import NoticesError
from .load import Project

Snapshot = dict[str, tuple[int, int]]
_IGNORED_DIRS = {"__pycache__", ".git", "node_modules"}


def watched_paths(project: Project, slugs: Iterable[str] | None = None) -> list[Path]:
    """What a preview depends on: the named clinics' folders (all of clinics/ when none are named, so a
    new clinic shows up), every group file, the templates and the shared MkDocs base."""
    names = list(slugs or [])
    clinics = [project.clinic_dir(s) for s in names] if names else [project.clinics_dir]
    return [*clinics, project.groups_dir, project.templates_dir, project.mkdocs_base]


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """Modification time and size of every file under `paths`; editor backups and hidden files aside."""
    found: Snapshot = {}
    for top in paths:
        if top.is_file():
            _stat_into(found, top)
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in _IGNORED_DIRS and not d.startswith("."))
            for name in files:
                if not _ignored(name):
                    _stat_into(found, Path(folder) / name)
    return found


def _ignored(name: str) -> bool:
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def _stat_into(found: Snapshot, path: Path) -> None:
    try:
        st = path.stat()
    except OSError:  # removed between listing and stat: the next poll sees it gone
        return
    found[str(path)] = (st.st_mtime_ns, st.st_size)


@dataclass
class _State:
    root: Path | None = None        # the folder being served: the last good build
    error: str | None = None        # why the last build failed, while there is no good build yet
    builds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: _State):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        super().__init__(address, _Handler)


class _Handler(SimpleHTTPRequestHandler):
    server: _Server

    def __init__(self, request: object, client_address: object, server: _Server):
        # The folder is read once per request, so a rebuild that returns a new folder takes over at once.
        root = server.state.root
        super().__init__(request, client_address, server, directory=str(root) if root else os.devnull)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        if self._unavailable():
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if self._unavailable():
            return
        super().do_HEAD()

    def _unavailable(self) -> bool:
        state = self.server.state
        if state.root is not None:
            return False
        message = (f"The preview could not be built:\n\n{state.error}\n\nFix it and save: the preview rebuilds."
                   if state.error else "Building the preview…")
        body = ("<!doctype html><meta charset=utf-8><title>Preview</title>"
                f"<pre>{html.escape(message)}</pre>").encode()
        self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Retry-After", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return True

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a preview is never cached: reload shows the rebuild
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the core never prints


def serve(project: Project, slugs: Iterable[str] | None, host: str = "127.0.0.1", port: int = 8000, *,
          build_once: Callable[[], Path], stop_event: threading.Event | None = None, poll: float = 0.5,
          on_ready: Callable[[str], None] | None = None,
          on_built: Callable[[Path], None] | None = None,
          on_error: Callable[[Exception], None] | None = None) -> None:
    """Serve the preview on http://host:port/ until `stop_event` is set (or KeyboardInterrupt).

    `build_once()` builds the preview and returns the folder to serve. It runs once at start and again
    after every change to the watched files; whatever it raises goes to `on_error` (the last good build
    stays in service; before the first good one, pages answer 503 with the error). `on_ready(url)` is
    called once listening (port 0 picks a free port: the URL says which), `on_built(folder)` after
    each good build. Raises NoticesError if the address cannot be listened on."""
    stop = stop_event or threading.Event()
    state = _State()
    paths = watched_paths(project, slugs)
    try:
        server = _Server((host, port), state)
    except OSError as exc:
        raise NoticesError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                           "choose another port with --port, or stop what is using it") from exc
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": min(poll, 0.5)},
                              name="notices-serve", daemon=True)
    thread.start()
    try:
        if on_ready:
            on_ready(_url(host, server.server_address[1]))
        seen = snapshot(paths)
        _rebuild(build_once, state, on_built, on_error)
        while not stop.wait(poll):
            now = snapshot(paths)
            if now == seen:
                continue
            # Let a burst of saves settle (editors write in steps), then build what is on disk.
            while not stop.wait(min(poll, 0.2)):
                again = snapshot(paths)
                if again == now:
                    break
                now = again
            if stop.is_set():
                break
            seen = now  # taken before the build: a save during the build triggers the next one
            _rebuild(build_once, state, on_built, on_error)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _rebuild(build_once: Callable[[], Path], state: _State, on_built: Callable[[Path], None] | None,
             on_error: Callable[[Exception], None] | None) -> None:
    try:
        folder = Path(build_once())
        if not folder.is_dir():
            raise NoticesError(f"the preview build returned {folder}, which is not a folder")
    except Exception as exc:  # noqa: BLE001 -- a preview reports every failure and keeps serving
        with state.lock:
            if state.root is None:
                state.error = str(exc) or type(exc).__name__
        if on_error:
            on_error(exc)
        return
    with state.lock:
        state.root, state.error = folder, None
        state.builds += 1
    if on_built:
        on_built(folder)


def _url(host: str, port: int) -> str:
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"

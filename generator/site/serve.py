"""`notices serve`: a live preview. Serve a built site, rebuild it when its inputs change.

`preview_builder` builds the preview (drafts shown) into a fresh folder of its own for every build,
outside the watched folders, so a clinic deleted since is gone from it. `serve` serves the folder with
the standard library's HTTP server, and polls the modification times of clinics/, groups/, templates/
and mkdocs.yml (no extra dependency). On a change it rebuilds.

Nothing stale is shown as if fresh: from the moment a change is seen until its build is done, a
request waits for the build; a build that fails replaces every page with its problems (file, line,
key), reported through `on_error` too, until a build succeeds again. The error page reloads itself.

Connections are bounded: at most `max_connections` are served at once, each by its own thread, and an
idle one is closed after `idle_timeout` seconds; one over the limit is answered 503 and closed.

Stop it with `stop_event` (tests, or the CLI's Ctrl-C handling: a KeyboardInterrupt also stops it
cleanly). Nothing here prints: the CLI turns the callbacks into messages.
"""

from __future__ import annotations

import html
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..data.load import LoadedClinic, Project
from ..errors import DataErrors, NoticesError

Snapshot = dict[str, tuple[int, int]]
_IGNORED_DIRS = {"__pycache__", ".git", "node_modules"}
MAX_CONNECTIONS = 32  # a browser opens about six per host
IDLE_TIMEOUT = 10.0  # seconds a connection may wait for its request
WAIT_FOR_BUILD = 60.0  # seconds a request waits for a build under way before it is told to retry


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
    root: Path | None = None        # the folder being served: the last build, if it succeeded
    error: str | None = None        # why the last build failed: shown instead of any page
    stale: bool = False             # a change was seen and its build is not done: requests wait
    builds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], state: _State, max_connections: int = MAX_CONNECTIONS,
                 idle_timeout: float = IDLE_TIMEOUT, wait_for_build: float = WAIT_FOR_BUILD):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.idle_timeout, self.wait_for_build = idle_timeout, wait_for_build
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        # One thread per connection, but never more than max_connections of them.
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
                                b"Connection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):  # type: ignore[no-untyped-def]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class _Handler(SimpleHTTPRequestHandler):
    server: _Server

    def __init__(self, request: object, client_address: object, server: _Server):
        self.timeout = server.idle_timeout  # an idle connection gives its thread back
        # The folder is read once per request, after any build under way: a new build takes over at once.
        state = server.state
        with state.changed:
            state.changed.wait_for(lambda: not state.stale, timeout=server.wait_for_build)
            self._root, self._error, self._stale = state.root, state.error, state.stale
        directory = str(self._root) if self._root and not self._stale else os.devnull
        super().__init__(request, client_address, server, directory=directory)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        if self._unavailable():
            return
        self.path = sources_path(self.path)
        super().do_GET()

    def do_HEAD(self) -> None:
        if self._unavailable():
            return
        super().do_HEAD()

    def _unavailable(self) -> bool:
        if self._root is not None and not self._stale:
            return False
        if self._error and not self._stale:
            message = f"The preview could not be built:\n\n{self._error}\n\nFix it and save: the preview rebuilds."
        else:
            message = "Building the preview…"
        body = ("<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=2><title>Preview</title>"
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
          on_error: Callable[[Exception], None] | None = None,
          max_connections: int = MAX_CONNECTIONS, idle_timeout: float = IDLE_TIMEOUT,
          wait_for_build: float = WAIT_FOR_BUILD) -> None:
    """Serve the preview on http://host:port/ until `stop_event` is set (or KeyboardInterrupt).

    `build_once()` builds the preview and returns the folder to serve. It runs once at start and again
    after every change to the watched files; whatever it raises goes to `on_error`, and every page then
    answers 503 with the error until a build succeeds (nothing stale is served). `on_ready(url)` is
    called once listening (port 0 picks a free port: the URL says which), `on_built(folder)` after
    each good build. Raises NoticesError if the address cannot be listened on."""
    stop = stop_event or threading.Event()
    state = _State()
    paths = watched_paths(project, slugs)
    try:
        server = _Server((host, port), state, max_connections, idle_timeout, wait_for_build)
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
            with state.changed:  # what is served no longer shows what is on disk: requests wait
                state.stale = True
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
        with state.changed:
            state.stale = False
            state.changed.notify_all()
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
        with state.changed:  # the problem replaces every page: nothing from an older build is shown
            state.root, state.error, state.stale = None, describe(exc), False
            state.changed.notify_all()
        if on_error:
            on_error(exc)
        return
    with state.changed:
        state.root, state.error, state.stale = folder, None, False
        state.builds += 1
        state.changed.notify_all()
    if on_built:
        on_built(folder)


def describe(exc: BaseException) -> str:
    """A failed build as the preview shows it: each problem on its line (file:line:col: key: what)."""
    if isinstance(exc, DataErrors):
        return "\n".join(str(p) for p in exc.problems)
    if isinstance(exc, NoticesError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def sources_path(path: str) -> str:
    """`/privacy/?sources` asks for the page of that notice's sources, written beside it by the preview."""
    base, _, query = path.partition("?")
    if "sources" not in query.split("&"):
        return path
    return (base if base.endswith("/") else base + "/") + "sources.html"


def write_sources_pages(project: Project, loaded: LoadedClinic, site_dir: Path) -> None:
    """For the preview only: `<notice>/sources.html` in each language's site, every sentence with its source."""
    from ..checks import RULES
    from ..notices import explain

    laws = {r.id: r.citation for r in RULES}
    for i, lang in enumerate(loaded.clinic.languages):
        for notice in loaded.clinic.notices:
            folder = site_dir / (lang if i else "") / notice
            folder.mkdir(parents=True, exist_ok=True)
            page = explain.to_html(explain.explain(project, loaded, notice, laws, lang))
            (folder / "sources.html").write_text(page, encoding="utf-8")


def preview_builder(project: Project, slugs: Iterable[str] | None, out: Path,
                    as_of: date | None = None) -> Callable[[], Path]:
    """`build_once` for `serve`: every clinic named (all by default) built as a draft preview into a
    new folder under `out`, the folders of older builds removed. Returns the clinic's site when
    there is one clinic, else the folder holding one site per clinic."""
    names = list(slugs or [])
    count = 0

    def build_once() -> Path:
        nonlocal count
        from ..notices import render
        from . import builder as site
        from .prepare import prepare, site_spec

        render.environment.cache_clear()  # labels and templates may have changed
        day = as_of or date.today()
        prepared = prepare(project, names or None, day)
        if not prepared:
            raise NoticesError(f"there is no clinic in {project.rel(project.clinics_dir)}/ to preview; "
                               "create one with `notices new SLUG`")
        count += 1
        folder = out / f"build-{count}"
        base = site.base_config(project.mkdocs_base)
        try:
            for p in prepared:
                spec = site_spec(project, p, day, preview=True)
                site.build_site(base, project.templates_dir / "assets", spec, folder / p.loaded.slug)
                write_sources_pages(project, p.loaded, folder / p.loaded.slug)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        for old in out.glob("build-*"):  # a request still reading an older build gets a 404 at worst
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        return folder / prepared[0].loaded.slug if len(prepared) == 1 else folder

    return build_once


def _url(host: str, port: int) -> str:
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"

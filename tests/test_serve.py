"""The live preview: serves the build, rebuilds when a watched file changes, survives a failed build."""

from __future__ import annotations

import os
import queue
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.errors import NoticesError
from generator.site.serve import serve, snapshot, watched_paths
from tests.conftest import MINIMAL

TIMEOUT = 10.0


class FakeBuild:
    """Writes index.html saying which build it is; fails when told to."""

    def __init__(self, out: Path):
        self.out = out
        self.count = 0
        self.fail: str | None = None

    def __call__(self) -> Path:
        self.count += 1
        if self.fail:
            raise NoticesError(self.fail)
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "index.html").write_text(f"<p>build {self.count}</p>", encoding="utf-8")
        return self.out


class Preview:
    def __init__(self, project, build: FakeBuild, slugs=None):
        self.ready: queue.Queue[str] = queue.Queue()
        self.built: queue.Queue[Path] = queue.Queue()
        self.errors: queue.Queue[Exception] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=serve, args=(project, slugs, "127.0.0.1", 0), kwargs={
            "build_once": build, "stop_event": self.stop, "poll": 0.05, "on_ready": self.ready.put,
            "on_built": self.built.put, "on_error": self.errors.put}, daemon=True)

    def __enter__(self) -> Preview:  # noqa: PYI034
        self.thread.start()
        self.url = self.ready.get(timeout=TIMEOUT)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "serve did not stop"

    def get(self, path: str = "") -> tuple[int, str, dict]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=TIMEOUT) as response:
                return response.status, response.read().decode("utf-8"), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8"), dict(exc.headers)


def touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    later = time.time() + 2  # mtime granularity is coarse on some file systems: move it on for sure
    os.utime(path, (later, later))


def test_serves_the_build_and_rebuilds_on_change(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build = FakeBuild(tmp_path / "preview")
    with Preview(project, build) as preview:
        assert preview.url.startswith("http://127.0.0.1:")
        preview.built.get(timeout=TIMEOUT)
        status, body, headers = preview.get()
        assert (status, body) == (200, "<p>build 1</p>")
        assert headers.get("Cache-Control") == "no-store"

        touch(project.clinic_dir("t") / "clinic.yaml", MINIMAL + "legal_name: Test LLC\n")
        preview.built.get(timeout=TIMEOUT)
        assert preview.get()[1] == "<p>build 2</p>"

        touch(project.templates_dir / "en" / "labels.yaml",
              (project.templates_dir / "en" / "labels.yaml").read_text(encoding="utf-8") + "\n")
        preview.built.get(timeout=TIMEOUT)
        assert preview.get()[1] == "<p>build 3</p>"
    # Stopped: the port no longer answers.
    with pytest.raises(OSError):
        urllib.request.urlopen(preview.url, timeout=2)


def test_a_failed_build_replaces_every_page_with_its_problem(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build = FakeBuild(tmp_path / "preview")
    with Preview(project, build) as preview:
        preview.built.get(timeout=TIMEOUT)
        build.fail = "clinics/t/clinic.yaml:1:1: name: is required"
        touch(project.clinic_dir("t") / "clinic.yaml", "practice: physician_practice\n")
        error = preview.errors.get(timeout=TIMEOUT)
        assert isinstance(error, NoticesError) and "name: is required" in str(error)
        # Nothing of the last good build is shown as if it were current: the problem is, on every page.
        for path in ("", "index.html", "privacy/"):
            status, body, headers = preview.get(path)
            assert status == 503 and "clinics/t/clinic.yaml:1:1: name: is required" in body
            assert "build 1" not in body and headers.get("Cache-Control") == "no-store"

        build.fail = None
        touch(project.clinic_dir("t") / "clinic.yaml", MINIMAL)
        preview.built.get(timeout=TIMEOUT)
        assert preview.get()[:2] == (200, f"<p>build {build.count}</p>")
        assert preview.errors.empty()


def test_before_a_first_good_build_pages_answer_503_with_the_escaped_error(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build = FakeBuild(tmp_path / "preview")
    build.fail = "bad <b>value</b>"
    with Preview(project, build) as preview:
        preview.errors.get(timeout=TIMEOUT)
        status, body, _ = preview.get()
        assert status == 503 and "bad &lt;b&gt;value&lt;/b&gt;" in body and "<b>" not in body


def test_a_busy_port_is_a_clear_error(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build = FakeBuild(tmp_path / "preview")
    with Preview(project, build) as preview:
        port = int(preview.url.rsplit(":", 1)[1].strip("/"))
        with pytest.raises(NoticesError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(project, None, "127.0.0.1", port, build_once=build, stop_event=threading.Event())


def test_watched_files(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL, "clinics/u/clinic.yaml": MINIMAL,
                            "groups/g.yaml": "{}\n", "clinics/t/.clinic.yaml.swp": "x", "clinics/t/x~": "x"})
    paths = watched_paths(project, ["t"])
    assert project.clinic_dir("t") in paths and project.clinic_dir("u") not in paths
    assert {project.groups_dir, project.templates_dir, project.mkdocs_base} <= set(paths)
    files = {Path(p).relative_to(project.root).as_posix() for p in snapshot(paths)}
    assert {"clinics/t/clinic.yaml", "groups/g.yaml", "mkdocs.yml", "templates/en/labels.yaml"} <= files
    assert not any(f.endswith(("~", ".swp")) or "clinics/u/" in f for f in files)
    assert project.clinics_dir in watched_paths(project)


class SlowBuild(FakeBuild):
    """A build that waits for `release` once it has started, after the first one."""

    def __init__(self, out: Path):
        super().__init__(out)
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self) -> Path:
        if self.count:
            self.started.set()
            assert self.release.wait(TIMEOUT)
        return super().__call__()


def test_a_request_during_a_rebuild_waits_for_it_rather_than_get_the_old_pages(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build = SlowBuild(tmp_path / "preview")
    with Preview(project, build) as preview:
        preview.built.get(timeout=TIMEOUT)
        touch(project.clinic_dir("t") / "clinic.yaml", MINIMAL + "legal_name: Test LLC\n")
        assert build.started.wait(TIMEOUT)
        answers: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: answers.put(preview.get()), daemon=True).start()
        with pytest.raises(queue.Empty):
            answers.get(timeout=0.5)  # not answered with build 1 while build 2 is under way
        build.release.set()
        assert answers.get(timeout=TIMEOUT)[:2] == (200, "<p>build 2</p>")


def _threads_now() -> int:
    return threading.active_count()


def test_idle_connections_do_not_each_hold_a_thread(make_project, tmp_path):
    import socket

    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build = FakeBuild(tmp_path / "preview")
    with Preview(project, build) as preview:
        preview.built.get(timeout=TIMEOUT)
        port = int(preview.url.rsplit(":", 1)[1].strip("/"))
        before = _threads_now()
        idle = [socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) for _ in range(300)]
        try:
            time.sleep(1.0)  # the server accepts each of them meanwhile
            assert _threads_now() - before <= 32 + 2, _threads_now() - before
        finally:
            for sock in idle:
                sock.close()
        deadline = time.monotonic() + TIMEOUT  # their threads end as the server sees them closed
        while _threads_now() > before + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert preview.get()[:2] == (200, "<p>build 1</p>")


def test_an_idle_connection_is_closed_and_one_over_the_limit_is_told_to_retry(make_project, tmp_path):
    import socket

    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build = FakeBuild(tmp_path / "preview")
    stop = threading.Event()
    ready: queue.Queue[str] = queue.Queue()
    built: queue.Queue[Path] = queue.Queue()
    thread = threading.Thread(target=serve, args=(project, None, "127.0.0.1", 0), kwargs={
        "build_once": build, "stop_event": stop, "poll": 0.05, "on_ready": ready.put, "on_built": built.put,
        "max_connections": 2, "idle_timeout": 0.5}, daemon=True)
    thread.start()
    try:
        url = ready.get(timeout=TIMEOUT)
        built.get(timeout=TIMEOUT)
        port = int(url.rsplit(":", 1)[1].strip("/"))
        first, second = (socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) for _ in range(2))
        third = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        assert third.recv(100).startswith(b"HTTP/1.0 503")  # over the limit: answered at once, and closed
        third.close()
        started = time.monotonic()
        assert first.recv(100) == b"" and second.recv(100) == b""  # idle: closed by the server
        assert time.monotonic() - started < 5
        first.close()
        second.close()
        deadline = time.monotonic() + TIMEOUT  # their threads give their places back as they end
        while True:
            try:
                with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                    assert response.read() == b"<p>build 1</p>"
                break
            except urllib.error.HTTPError as exc:
                assert exc.code == 503 and time.monotonic() < deadline
                time.sleep(0.05)
    finally:
        stop.set()
        thread.join(TIMEOUT)


class Command:
    """`notices serve` as its own process, as a person runs it; its log read line by line."""

    def __init__(self, project, *args: str):
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator.cli", "serve", *args, "--port", "0", "--root", str(project.root)],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for("serving on ").split()[2]

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            self.log.append(line)
            assert "Traceback" not in line, self.log
            if text in line:
                return line

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=120) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def stop(self) -> None:
        import signal

        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except Exception:  # noqa: BLE001
            self.process.kill()
            self.process.wait(30)


def test_the_command_shows_an_invalid_edit_and_a_deleted_clinic_never_the_old_pages(make_project):
    project = make_project({f"clinics/{slug}/clinic.yaml": MINIMAL for slug in ("t", "u", "v")})
    command = Command(project)
    try:
        command.wait_for("rebuilt")
        assert command.get("u/privacy/")[0] == 200
        status, page = command.get("t/privacy/")
        assert status == 200 and "Test Clinic" in page

        # An invalid edit: the problem, with file, line and key, in the log and on every page.
        mark = len(command.log)
        touch(project.clinic_dir("t") / "clinic.yaml", MINIMAL + "bogus_key: 1\n")
        problem = command.wait_for("bogus_key")
        assert problem.startswith("clinics/t/clinic.yaml:7:1: bogus_key: unknown key 'bogus_key'")
        command.wait_for("not rebuilt: the preview shows these problems")
        assert "rebuilt" not in command.log[mark:]
        for path in ("t/privacy/", "u/privacy/", ""):
            status, page = command.get(path)
            assert status == 503, path
            assert "clinics/t/clinic.yaml:7:1: bogus_key: unknown key &#x27;bogus_key&#x27;" in page

        # Fixed, and a clinic deleted: its pages are gone, not kept from an earlier build.
        touch(project.clinic_dir("t") / "clinic.yaml", MINIMAL)
        import shutil

        shutil.rmtree(project.clinic_dir("u"))
        command.wait_for("rebuilt")
        assert command.get("t/privacy/")[0] == 200
        assert command.get("u/privacy/")[0] == 404
    finally:
        command.stop()
    assert command.process.returncode == 0


def test_the_command_serving_a_named_clinic_that_is_deleted_shows_so(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    command = Command(project, "t")
    try:
        command.wait_for("rebuilt")
        assert command.get("privacy/")[0] == 200
        import shutil

        shutil.rmtree(project.clinic_dir("t"))
        command.wait_for("no clinic named 't'")
        status, page = command.get("privacy/")
        assert status == 503 and "clinics/t/clinic.yaml: no clinic named &#x27;t&#x27;" in page
    finally:
        command.stop()

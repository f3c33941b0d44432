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
from generator.serve import serve, snapshot, watched_paths
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


def test_a_failed_build_is_reported_and_the_last_good_one_stays(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build = FakeBuild(tmp_path / "preview")
    with Preview(project, build) as preview:
        preview.built.get(timeout=TIMEOUT)
        build.fail = "clinics/t/clinic.yaml:1:1: name: is required"
        touch(project.clinic_dir("t") / "clinic.yaml", "practice: physician_practice\n")
        error = preview.errors.get(timeout=TIMEOUT)
        assert isinstance(error, NoticesError) and "name: is required" in str(error)
        assert preview.get()[:2] == (200, "<p>build 1</p>")

        build.fail = None
        touch(project.clinic_dir("t") / "clinic.yaml", MINIMAL)
        preview.built.get(timeout=TIMEOUT)
        assert preview.get()[1].startswith("<p>build")
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

"""Old sites emptied after `notices build` has returned (generator/site/trash.py): the command holds
nothing when it returns, the trash is emptied into the folder pool, and nothing there is followed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from generator.site import folders, trash
from generator.site.build import build
from tests.conftest import MINIMAL, tree_bytes
from tests.test_incremental import AS_OF, fresh_build

REPO = Path(__file__).resolve().parent.parent


def _process(project, *args):
    return subprocess.run([sys.executable, "-m", "generator.cli", "build", "--no-pdf", "--as-of", AS_OF.isoformat(),
                           "--root", str(project.root), *args], capture_output=True, text=True, timeout=300, cwd=REPO)


def _emptied(root: Path, timeout: float = 60) -> bool:
    """Whether the trash is empty and no cleaner at work, waiting up to `timeout` seconds."""
    end = time.monotonic() + timeout
    while not trash.idle(root):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def _pooled(root: Path) -> int:
    pool = root / folders.POOL
    return len(os.listdir(pool)) if pool.is_dir() else 0


def test_the_command_leaves_the_old_sites_to_a_cleaner_of_their_own(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL, "clinics/u/clinic.yaml": MINIMAL})
    assert _process(project).returncode == 0
    pooled = _pooled(project.root)
    done = _process(project, "--force")  # both sites switched out: into the trash
    assert done.returncode == 0 and "built 2 sites" in done.stdout, done.stdout + done.stderr
    # The build lock is not held by the cleaner: another build starts at once.
    again = _process(project, "--force")
    assert again.returncode == 0 and "built 2 sites" in again.stdout, again.stdout + again.stderr
    assert _emptied(project.root)
    assert _pooled(project.root) > pooled  # their folders kept for later pages, as a build keeps them
    assert not os.listdir(project.root / ".cache" / "staging")
    assert tree_bytes(project.site_dir) == fresh_build(project, tmp_path)


def _stopped_cleaners(root: Path) -> list[int]:
    """Processes stopped (SIGSTOP) whose command line names this project: the cleaner, forked from a build."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if entry.isdigit() and str(root).encode() in cmdline and state == "T":
            found.append(int(entry))
    return found


def test_the_cleaner_holds_nothing_of_the_build_and_one_killed_is_made_up_for(make_project, tmp_path, monkeypatch):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    assert _process(project).returncode == 0
    monkeypatch.setenv("NOTICES_STOP_AT", "trash-emptying:1")
    done = _process(project, "--force")  # returns while its cleaner is stopped, holding the trash lock
    monkeypatch.delenv("NOTICES_STOP_AT")
    assert done.returncode == 0 and "built 1 site" in done.stdout, done.stdout + done.stderr
    for _ in range(100):
        if cleaners := _stopped_cleaners(project.root):
            break
        time.sleep(0.05)
    assert len(cleaners) == 1, cleaners
    pid = cleaners[0]
    try:
        held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        assert held <= {os.devnull, str(project.root / trash.LOCK)}, held  # no build lock, no pipe
        again = _process(project, "--force")  # not refused: the build lock is free
        assert again.returncode == 0 and "built 1 site" in again.stdout, again.stdout + again.stderr
        assert any((project.root / trash.TRASH).iterdir())  # left: the stopped cleaner holds the lock
    finally:
        os.kill(pid, signal.SIGKILL)
    assert _process(project, "--force").returncode == 0  # its cleaner empties what the killed one left
    assert _emptied(project.root)
    assert tree_bytes(project.site_dir) == fresh_build(project, tmp_path)


def test_a_build_called_in_this_process_empties_the_trash_before_it_returns(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build(project, as_of=AS_OF)
    pooled = _pooled(project.root)
    build(project, as_of=AS_OF)
    assert not (project.root / trash.TRASH).exists() or not any((project.root / trash.TRASH).iterdir())
    assert _pooled(project.root) > pooled


def test_with_other_threads_running_the_trash_is_emptied_at_once(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build(project, as_of=AS_OF)
    build(project, as_of=AS_OF, tidy_later=True)  # no other thread: a cleaner of its own
    assert _emptied(project.root)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        build(project, as_of=AS_OF, tidy_later=True)
        assert not any((project.root / trash.TRASH).iterdir())  # emptied here, before returning
    finally:
        stop.set()
        other.join()


def test_a_link_in_the_trash_is_removed_and_never_followed(tmp_path):
    root = tmp_path / "project"
    outside = tmp_path / "outside"
    (outside / "site").mkdir(parents=True)
    (outside / "site" / "index.html").write_text("keep me")
    (root / trash.TRASH / "batch").mkdir(parents=True)
    os.symlink(outside, root / trash.TRASH / "planted")
    os.symlink(outside / "site", root / trash.TRASH / "batch" / "site")
    (root / trash.TRASH / "batch" / "real").mkdir()
    (root / trash.TRASH / "batch" / "real" / "page.html").write_text("old")
    assert trash.empty(root)
    assert not any((root / trash.TRASH).iterdir())
    assert (outside / "site" / "index.html").read_text() == "keep me"


def test_a_fresh_build_waits_for_a_cleaner_at_work(make_project, tmp_path, monkeypatch):
    """`--fresh` removes the folder pool, which a cleaner fills: it waits for one still at work."""
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    assert _process(project).returncode == 0
    monkeypatch.setenv("NOTICES_STOP_AT", "trash-emptying:1")
    assert _process(project, "--force").returncode == 0
    monkeypatch.delenv("NOTICES_STOP_AT")
    for _ in range(100):
        if cleaners := _stopped_cleaners(project.root):
            break
        time.sleep(0.05)
    (pid,) = cleaners
    fresh = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", "--no-pdf", "--fresh", "--as-of",
                              AS_OF.isoformat(), "--root", str(project.root)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        assert fresh.poll() is None  # waiting for the cleaner, which holds the trash lock
    finally:
        os.kill(pid, signal.SIGKILL)
    out, err = fresh.communicate(timeout=300)
    assert fresh.returncode == 0 and "built 1 site" in out, out + err
    assert _emptied(project.root)
    assert tree_bytes(project.site_dir) == fresh_build(project, tmp_path)


def test_trash_a_killed_cleaner_left_is_emptied_by_a_library_build_too(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build(project, as_of=AS_OF, incremental=True)
    left = project.root / trash.TRASH / "run-1-old-1" / "t"
    (left / "privacy").mkdir(parents=True)
    (left / "privacy" / "index.html").write_text("old")
    assert build(project, as_of=AS_OF, incremental=True) == []  # nothing to switch in: left as it is
    assert left.exists()
    build(project, as_of=AS_OF)  # sites switched in: what is left is emptied before returning
    assert not any((project.root / trash.TRASH).iterdir())

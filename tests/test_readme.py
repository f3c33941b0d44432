"""The README's quick start works as written, in a fresh shell: a newcomer is never stuck."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from tests.conftest import REPO

README = REPO / "README.md"


def quick_start_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert blocks, "the README's quick start has no ```sh block"
    first = [line for line in blocks[0].splitlines() if line.strip()]
    assert [line.split()[:2] for line in first] == [["make", "build"], ["make", "test"]], \
        "the quick start is two commands: one sets up and builds, one runs every test"
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_quick_start_runs_as_written_in_a_fresh_shell(tmp_path):
    lines = quick_start_lines()
    # `make test` is this very test suite: it is checked to be a target `make` knows, not run again.
    runnable = [ln for ln in lines if not ln.startswith("make test")]
    assert len(runnable) == len(lines) - 1, "the quick start should keep its `make test` line"
    assert any(re.match(r"(\.venv/bin/)?notices\b", ln) for ln in runnable), "the quick start runs no notices command"

    # A copy of the project as a fresh clone has it, with this checkout's virtualenv in it. The copy's
    # pyproject.toml is dated before the virtualenv's `notices`, so `make` finds the install done
    # and never reinstalls into (and repoints) the virtualenv that the other tests use.
    root = tmp_path / "clone"
    root.mkdir()
    for name in ("Makefile", "pyproject.toml", "mkdocs.yml", "README.md"):
        shutil.copy2(REPO / name, root / name)
    for name in ("clinics", "groups", "templates", "generator", "schema", "scripts"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    (root / ".venv").symlink_to(REPO / ".venv")
    installed = (REPO / ".venv" / "bin" / "notices").stat().st_mtime
    os.utime(root / "pyproject.toml", (installed - 60, installed - 60))

    # A fresh shell: no virtualenv active, nothing of this test run's PATH.
    env = {"HOME": str(tmp_path), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    script = "set -e\n" + "\n".join(runnable) + "\n"
    done = subprocess.run(["bash", "--noprofile", "--norc", "-c", script], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "command not found" not in done.stderr
    assert (root / "site" / "lux-aesthetics" / "index.html").is_file()
    assert "lux-smiles privacy:" in done.stdout

    known = subprocess.run(["make", "-n", "test"], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert known.returncode == 0 and "pytest" in known.stdout, known.stderr


def test_the_venv_is_needed_and_the_readme_says_how():
    # Without the virtualenv on PATH there is no `notices`; the README must say how to get one.
    text = README.read_text(encoding="utf-8")
    assert ". .venv/bin/activate" in text and ".venv/bin/notices" in text
    onboarding = (REPO / "docs" / "onboarding.md").read_text(encoding="utf-8")
    assert ". .venv/bin/activate" in onboarding and "notices import" in onboarding.split("## 1.")[0]

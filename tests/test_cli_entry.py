"""The `notices` process (generator/cli/entry.py) leaves without tearing the interpreter down: what a
normal exit does that can be seen is still done (exit code, every byte of output, atexit handlers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _notices(*args: str, code: str = "from generator.cli.entry import run; run()") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_all_of_a_long_output_is_written_and_the_exit_code_kept():
    done = _notices("vocab", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) > 10_000 and json.loads(done.stdout)  # cut short, it would not parse
    bad = _notices("check", "no-such-clinic")
    assert bad.returncode == 1 and "no clinic named 'no-such-clinic'" in bad.stderr
    usage = _notices("build", "--workers", "0")
    assert usage.returncode == 2 and "--workers" in usage.stderr


def test_atexit_handlers_still_run(tmp_path):
    mark = tmp_path / "ran"
    code = (f"import atexit, pathlib; atexit.register(pathlib.Path({str(mark)!r}).write_text, 'yes'); "
            "from generator.cli.entry import run; run()")
    done = _notices("vocab", "practice", code=code)
    assert done.returncode == 0 and "practice" in done.stdout
    assert mark.read_text() == "yes"


def test_the_installed_script_and_python_m_take_this_way_out():
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["notices"] == "generator.cli.entry:run"
    assert "from .entry import run" in (REPO / "generator" / "cli" / "__main__.py").read_text()

"""Named points where tests kill a build, to prove that a kill anywhere leaves the output whole.

`NOTICES_CRASH_AT=<point>:<n>` kills the process (SIGKILL, as a CI runner or the OOM killer would) the
n-th time it reaches <point>. Unset, a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

_counts: dict[str, int] = {}


def point(name: str) -> None:
    wanted = os.environ.get("NOTICES_CRASH_AT")
    if not wanted:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if wanted == f"{name}:{_counts[name]}":
        os.kill(os.getpid(), signal.SIGKILL)

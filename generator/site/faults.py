"""Named points where tests kill a build, to prove that a kill anywhere leaves the output whole.

`NOTICES_CRASH_AT=<point>:<n>` kills the process (SIGKILL, as a CI runner or the OOM killer would) the
n-th time it reaches <point>; `NOTICES_STOP_AT=<point>:<n>` stops it there (SIGSTOP), for a test to look
at what it holds. Unset, a point costs two dictionary lookups.
"""

from __future__ import annotations

import os
import signal

_counts: dict[str, int] = {}


def point(name: str) -> None:
    crash, stop = os.environ.get("NOTICES_CRASH_AT"), os.environ.get("NOTICES_STOP_AT")
    if not (crash or stop):
        return
    _counts[name] = _counts.get(name, 0) + 1
    here = f"{name}:{_counts[name]}"
    if crash == here:
        os.kill(os.getpid(), signal.SIGKILL)
    if stop == here:
        os.kill(os.getpid(), signal.SIGSTOP)

"""The `notices` process: the command, then out without tearing the interpreter down.

Freeing a build's objects and modules one by one at exit costs 50-100 ms here, as much as building one
clinic. What a normal exit does that matters is done first: atexit handlers (weakref finalizers and
temporary folders among them) and the flushing of stdout and stderr. Where another thread still runs, the
normal exit is taken, since it waits for such threads.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

from .common import main


# Set when the command runs as its own process, not called in another's (tests): what is left to do after
# it returns may then be left to a process of its own (generator/site/trash.py).
AS_PROCESS = False


def run() -> None:
    global AS_PROCESS
    AS_PROCESS = True
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if threading.active_count() > 1:
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)  # as sys.exit("message") does
        code = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        code = code or 1
    os._exit(code)

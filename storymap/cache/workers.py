"""Worker processes that end with the process that started them.

The build forks helpers: the head start (storymap/cache/head_start.py) and the pool that draws static
maps and formats citations (storymap/cache/renderers.py). A build killed while they work (Ctrl-C in a
terminal that sends SIGKILL to the parent only, a CI job cancelled, an editor's task stopped) left
them running, blocked on a pipe nobody reads, about 200 MB each. Each helper calls
`end_with_parent` first: on Linux the kernel then sends it SIGKILL when its parent ends
(prctl PR_SET_PDEATHSIG), elsewhere a thread watches for the parent to go.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

#: linux/prctl.h: the signal a process gets when its parent ends.
PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> None:
    """In a process forked by `parent` (its pid): end when the parent does, however it ends."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    else:
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent ended before the line above took effect
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)

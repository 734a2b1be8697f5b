"""Pausing Python's cyclic garbage collector around bulk work that makes no cycles.

Why: building a store's 250,000 records, an export's documents or a playbook pass's
20,000 actions allocates so many container objects that the collector runs every few
hundred allocations and rescans the growing heap each time, for nothing: these objects
are acyclic and refcounting frees them. Measured, the pause saves a tenth to a half of
the work's time. It touches no I/O, so the pure core may use it too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze_after: bool = False) -> Iterator[None]:
    """Pause the cyclic collector for the block, then restore it as it was.

    ``freeze_after``: move everything alive at the end into the permanent generation (for
    records that live as long as the process's view of the store), so later collections
    do not walk them again. Nesting and threads are safe: only the outermost pause that
    found the collector on turns it back on, and a pause is never more than a delay.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze_after:
            gc.freeze()
        if enabled:
            gc.enable()

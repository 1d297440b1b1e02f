"""Files a killed process leaves behind: temp uploads, partial store files; found and removed at start-up.

A process that is killed (power cut, ``kill -9``) mid-upload or mid-copy never runs its
cleanup, so its temp files stay. Each kind of temp file is swept by the module that creates it
(``web/uploads.py``, ``ArtefactStore``), by name, with :func:`remove_stale`: a file counts as
left over once it has not been written for :data:`STALE_AFTER`, judged by its mtime against an
injected ``now``, so another process's upload in flight (written every moment) is never removed.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

#: How long a temp file must have gone unwritten before it is taken for a leftover.
STALE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Swept:
    """What a sweep removed: how many files and how many bytes they held."""

    files: int = 0
    bytes: int = 0

    def __add__(self, other: Swept) -> Swept:
        return Swept(self.files + other.files, self.bytes + other.bytes)


def remove_stale(candidates: Iterable[Path], now: datetime, older_than: timedelta = STALE_AFTER) -> Swept:
    """Remove the regular files among ``candidates`` last modified before ``now - older_than``.

    Symbolic links, folders and files that vanish meanwhile (another sweeper) are left alone.
    """
    cutoff = (now - older_than).timestamp()
    files = size = 0
    for path in candidates:
        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_mtime >= cutoff:
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        files, size = files + 1, size + info.st_size
    return Swept(files, size)

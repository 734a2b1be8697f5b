"""Read a file to import, bounded: an ordinary file of at most ``MAX_IMPORT_BYTES``.

Both importers (.ics and CSV) read through here, so neither can be made to read without
end: a symlink to ``/dev/zero``, a FIFO or a device is refused before a byte is read (the
link is followed: what counts is what it points to), and a regular file larger than the
cap is refused from its size. At most ``limit + 1`` bytes are ever read, so a file that
grows between the check and the read is refused too, never read whole.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nurture_tui.domain.errors import ValidationError

#: The largest file either importer accepts (20 MB): a year of a busy rep's calendar or a
#: spreadsheet of every partner in a state is far below it.
MAX_IMPORT_BYTES = 20 * 1024 * 1024

# A FIFO opened for reading would block until a writer appears; O_NONBLOCK makes the open
# return at once, and the fstat then refuses it. (No such flag on Windows, nor FIFOs.)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_bounded(path: Path, *, limit: int = MAX_IMPORT_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Anything else is a ``ValidationError`` naming the file in one line: missing,
    unreadable, not a regular file (device, FIFO, socket, folder), or too large.
    """
    _check(path, _stat(path, follow=True), limit)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with os.fdopen(fd, "rb") as handle:
        _check(path, os.fstat(handle.fileno()), limit)  # what was opened, not what was named
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise _unreadable(path, exc) from None
    if len(data) > limit:
        raise _too_large(path, limit)
    return data


def _stat(path: Path, *, follow: bool) -> os.stat_result:
    try:
        return os.stat(path, follow_symlinks=follow)
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file (or a link to nothing)") from None
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _check(path: Path, info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ValidationError(f"{path} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError(
            f"{path} is not an ordinary file (a device, pipe or socket); only files can be imported"
        )
    if info.st_size > limit:
        raise _too_large(path, limit)


def _too_large(path: Path, limit: int) -> ValidationError:
    return ValidationError(
        f"{path} is larger than {_megabytes(limit)}, the most Nurture imports at once; "
        "split it into smaller files"
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _unreadable(path: Path, exc: OSError) -> ValidationError:
    return ValidationError(f"{path} cannot be read: {exc.strerror or exc}")

"""Writing output files safely: all or nothing, and never over an existing file unless asked."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ketcost.errors import KetcostError


def write_text(path: str, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` (`-`: stdout) atomically: a temporary file in the same folder, then
    a rename. An existing file is left untouched unless `force`; a failed write leaves no file."""
    with atomic_output(path, force=force) as out:
        out.write(text)


@contextlib.contextmanager
def atomic_output(path: str, *, force: bool = False) -> Iterator[TextIO]:
    """A text stream for `path` (`-`: stdout) that appears under its name only when the block
    ends without an error; see write_text."""
    if path == "-":
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise KetcostError(f"{path}: is a folder; give a file name")
    if target.exists() and not force:
        raise KetcostError(f"{path}: already exists; give --force to overwrite it")
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except FileNotFoundError:
        raise KetcostError(f"{path}: the folder {str(folder)!r} does not exist") from None
    except PermissionError:
        raise KetcostError(f"{path}: permission denied") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).chmod(0o666 & ~_umask())
        if force:
            Path(temporary).replace(target)
        else:
            # link() refuses an existing name, so a file that appeared meanwhile is kept.
            os.link(temporary, target)
            Path(temporary).unlink()
    except FileExistsError:
        _remove(temporary)
        raise KetcostError(f"{path}: already exists; give --force to overwrite it") from None
    except BaseException:
        _remove(temporary)
        raise


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        Path(path).unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

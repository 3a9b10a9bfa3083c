"""Reading input files safely and writing output files all or nothing.

Reading: only regular files, at most a size limit, UTF-8 with or without a byte-order mark; a
FIFO or a device is refused before a byte is read, so nothing can hang or read without end.
Writing: a temporary file in the same folder, then a rename; never over an existing file unless
asked, and then only over a regular file, keeping its permission bits. Every failure is one
KetcostError line naming the file; a failed write leaves no file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from ketcost.errors import KetcostError, OutputClosed, OutputFailed

MAX_INPUT_BYTES = 1024 * 1024  # a price sheet or a plan file is a few KB; 1 MiB is generous

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "over the disk quota",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOENT: "the folder does not exist",
    errno.EISDIR: "is a folder",
    errno.ELOOP: "too many symbolic links",
}


def reason(error: OSError) -> str:
    """An OSError in a few plain words."""
    return _REASONS.get(error.errno or 0, (error.strerror or str(error)).lower())


class ReadProblem(ValueError):  # noqa: N818 - reads as what it reports
    """A file that cannot be read as text; the message is one line, without the file's name."""


def read_text(path: str | Path, *, limit: int = MAX_INPUT_BYTES) -> str:
    """The text of a regular file of at most `limit` bytes (UTF-8; a byte-order mark is fine).

    Raises ReadProblem saying what is wrong: no such file, a folder, not a regular file, too
    large, not UTF-8, or an OS error.
    """
    if str(path) == "":
        raise ReadProblem("no file name given")
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not wait forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ReadProblem("no such file") from None
    except IsADirectoryError:
        raise ReadProblem("is a folder, not a file") from None
    except OSError as error:
        raise ReadProblem(f"cannot be read ({reason(error)})") from None
    except (ValueError, UnicodeError):  # a NUL in the path, or text no file name can hold
        raise ReadProblem("not a file name (it holds a NUL or a character no path can)") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ReadProblem("is a folder, not a file")
        raise ReadProblem("is not a regular file (a device, FIFO or socket)")
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(info.st_mode):
            raise ReadProblem("is not a regular file (a device, FIFO or socket)")
        if info.st_size > limit:
            raise ReadProblem(f"is larger than {limit // 1024:,} KiB")
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise ReadProblem(f"cannot be read ({reason(error)})") from None
    if len(data) > limit:
        raise ReadProblem(f"is larger than {limit // 1024:,} KiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadProblem("is not UTF-8 text") from None


def to_stdout(data: str | bytes) -> None:
    """Write to standard output now; a reader that has gone becomes OutputClosed, any other
    failure (a full disk, /dev/full) one KetcostError line."""
    try:
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)
            sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed from None
    except OSError as error:
        raise OutputFailed(f"cannot write to standard output ({reason(error)})") from None


class Sink:
    """Where output goes: a file being written (text or bytes), or standard output."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def binary(self) -> BinaryIO:
        """The file's bytes, for a writer of its own (Parquet); not for standard output."""
        assert self._stream is not None
        self._stream.flush()
        return self._stream.buffer

    def write(self, data: str | bytes) -> None:
        if self._stream is None:
            to_stdout(data)
        elif isinstance(data, bytes):
            self._stream.flush()
            self._stream.buffer.write(data)
        else:
            self._stream.write(data)


def write_text(path: str, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` (`-`: stdout) atomically: a temporary file in the same folder, then
    a rename. An existing file is left untouched unless `force`; a failed write leaves no file."""
    with atomic_output(path, force=force) as out:
        out.write(text)


def _existing(path: str, target: Path, force: bool) -> int | None:
    """The permission bits of the file `force` will replace, or None when there is none."""
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise KetcostError(f"{path}: cannot be written ({reason(error)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise KetcostError(f"{path}: is a folder; give a file name")
    if not force:
        raise KetcostError(f"{path}: already exists; give --force to overwrite it")
    if not stat.S_ISREG(info.st_mode):
        raise KetcostError(f"{path}: is not a regular file; --force replaces only regular files")
    return stat.S_IMODE(info.st_mode)


@contextlib.contextmanager
def atomic_output(path: str, *, force: bool = False) -> Iterator[Sink]:
    """A text stream for `path` (`-`: stdout) that appears under its name only when the block
    ends without an error; see write_text."""
    if path == "-":
        yield Sink(None)
        return
    if not path:
        raise KetcostError("no file name given")
    target = Path(path)
    mode = _existing(path, target, force)
    if mode is None:
        mode = 0o666 & ~_umask()
    folder = target.parent
    try:
        # A short name of its own, so a long target name cannot make the temporary one too long;
        # mkstemp creates it 0600, and it gets its final mode only once it is complete.
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".ketcost-", suffix=".tmp")
    except OSError as error:
        where = "the folder does not exist" if error.errno == errno.ENOENT else reason(error)
        raise KetcostError(f"{path}: cannot be written ({where})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            yield Sink(out)
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), mode)
        if force:
            Path(temporary).replace(target)
        else:
            # link() refuses an existing name, so a file that appeared meanwhile is kept.
            os.link(temporary, target)
            Path(temporary).unlink()
    except FileExistsError:
        _remove(temporary)
        raise KetcostError(f"{path}: already exists; give --force to overwrite it") from None
    except OSError as error:
        _remove(temporary)
        raise KetcostError(f"{path}: cannot be written ({reason(error)})") from None
    except BaseException:
        _remove(temporary)
        raise


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        Path(path).unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

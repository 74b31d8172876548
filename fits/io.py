"""Files the tool writes: output directories checked before any work, every file written atomically, JSON
without NaN or Infinity.

* :func:`prepare_dir` / :func:`prepare_file` run before a command computes anything: the location must be a
  directory (or a new file in one) that can be created and written, else :class:`OutputError`, one line.
* :func:`atomic_write` writes through a temporary file in the same directory and renames it into place, so
  a reader (or a crash) never sees a half-written file.
* :func:`finite_json` replaces every non-finite float by ``null`` and says where and why in the document's
  ``non_finite`` entry; :func:`dumps` refuses to write NaN or Infinity at all.
"""

import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


class OutputError(ValueError):
    """An output location that cannot be used; the message names it and says why."""


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _probe(directory: Path, what: str) -> None:
    """Create and delete a file in ``directory`` (root ignores permission bits, so os.access is not enough)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".jaxtmm-probe-", dir=directory)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise OutputError(f"cannot write to {what} '{directory}': {_why(exc)}") from None


def prepare_dir(
    path,
    *,
    force: bool = False,
    resume: bool = False,
    option: str = "output directory",
    hint: str = "pass force=True to overwrite",
) -> Path:
    """Check (and create) an output directory before any work.

    Refuses: a path that exists and is not a directory, a path through a file, a location that cannot be
    created or written, and a non-empty directory unless ``force`` (overwrite) or ``resume``."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{option} '{path}' exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not (force or resume):
        raise OutputError(f"output directory '{path}' exists and is not empty; {hint}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"cannot create {option} '{path}': a part of the path is a file") from None
    except OSError as exc:
        raise OutputError(f"cannot create {option} '{path}': {_why(exc)}") from None
    _probe(path, option)
    return path


def prepare_file(path, *, force: bool = False, option: str = "output file", hint: str = "") -> Path:
    """Check an output file before any work: its directory exists and is writable, and it does not exist
    already (unless ``force``)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{option} '{path}' is a directory; give a file name")
    if path.exists() and not force:
        raise OutputError(f"'{path}' exists{hint}")
    parent = path.parent
    if not parent.exists():
        raise OutputError(f"cannot write '{path}': directory '{parent}' does not exist")
    if not parent.is_dir():
        raise OutputError(f"cannot write '{path}': '{parent}' is not a directory")
    _probe(parent, "directory")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path):
    """``with atomic_path(p) as tmp: write(tmp)`` for writers that want a file name: ``tmp`` (in the same
    directory) is renamed to ``p`` on success and removed on failure, leaving ``p`` untouched."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the file gets the mode a plain open would give
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


@contextmanager
def atomic_write(path, mode: str = "wb"):
    """``with atomic_write(p) as fh: ...`` writes ``p`` through a temporary file renamed into place on
    success; on failure the temporary file is removed and ``p`` is untouched."""
    with atomic_path(path) as tmp:
        with open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())


def write_text(path, text: str) -> None:
    with atomic_write(path, "w") as fh:
        fh.write(text)


def save_figure(fig, path, dpi: int) -> None:
    """A matplotlib figure written atomically as PNG."""
    with atomic_write(path) as fh:
        fig.savefig(fh, format="png", dpi=dpi)


def finite_json(obj, reason: str = "not a finite number"):
    """A copy of ``obj`` (dicts, lists, numbers) with every non-finite float replaced by ``None``, and the
    list of ``(path, reason)`` for each replacement."""
    found = []

    def walk(x, where):
        if isinstance(x, dict):
            return {k: walk(v, f"{where}.{k}" if where else str(k)) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(x)]
        if isinstance(x, float) and not math.isfinite(x):
            found.append((where, f"{reason} ({x})"))
            return None
        return x

    return walk(obj, ""), found


def dumps(obj, **kw) -> str:
    """JSON text of ``obj`` with non-finite floats as ``null`` plus a ``non_finite`` entry (path -> reason)
    when ``obj`` is a dict; never NaN or Infinity."""
    clean, found = finite_json(obj)
    if found and isinstance(clean, dict):
        clean = {**clean, "non_finite": {**clean.get("non_finite", {}), **dict(found)}}
    return json.dumps(clean, allow_nan=False, **kw)

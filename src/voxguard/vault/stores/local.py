"""Blob store on a local directory (the embedded default)."""

import contextlib
import logging
import os
import secrets
from pathlib import Path

from voxguard.vault.durable import fsync_dir
from voxguard.vault.errors import BlobNotFoundError, BlobStoreError
from voxguard.vault.stores.keys import validate_key, validate_prefix

log = logging.getLogger(__name__)

_TMP_PREFIX = ".tmp-"
_DIR_MODE = 0o700
_FILE_MODE = 0o600


class LocalBlobStore:
    """Stores each blob as one file under ``root``; key ``a/b/c`` is the file ``root/a/b/c``.

    Writes are atomic and durable: a temporary file in the target directory is written,
    fsynced and renamed over the target, then the directory is fsynced. A crash leaves either
    the old blob or the new one, never a partial file. Files are 0600, directories 0700.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
        except OSError as exc:
            raise BlobStoreError(
                f"cannot create blob directory {self.root}: {exc.strerror or exc}"
            ) from None
        if not self.root.is_dir():
            raise BlobStoreError(f"blob store root {self.root} is not a directory")

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def _make_parents(self, directory: Path) -> None:
        missing: list[Path] = []
        current = directory
        while current != self.root and not current.is_dir():
            missing.append(current)
            current = current.parent
        for new_dir in reversed(missing):
            try:
                new_dir.mkdir(mode=_DIR_MODE)
            except FileExistsError:
                if not new_dir.is_dir():
                    raise BlobStoreError(
                        f"{new_dir} exists and is not a directory; a blob key cannot be "
                        "both a blob and a folder"
                    ) from None
                continue
            # A new directory entry is only durable once its parent is fsynced.
            fsync_dir(new_dir.parent)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        self._make_parents(path.parent)
        if path.is_dir():
            raise BlobStoreError(f"cannot store blob {key!r}: {path} is a directory")
        tmp = path.with_name(f"{_TMP_PREFIX}{path.name}-{secrets.token_hex(6)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(path.parent)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BlobNotFoundError(f"no blob stored under {key!r}") from None

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            return
        except IsADirectoryError:
            return  # a folder is not a blob; nothing stored under this exact key
        fsync_dir(path.parent)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self, prefix: str) -> list[str]:
        validate_prefix(prefix)
        found = []
        for dirpath, _dirs, filenames in os.walk(self.root):
            for name in filenames:
                if name.startswith("."):
                    continue  # temporary files of interrupted writes
                key = (Path(dirpath) / name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)

    def delete_prefix(self, prefix: str) -> int:
        """Delete every blob whose key starts with ``prefix``; return how many were deleted.

        Stray temporary files from interrupted writes under the prefix go too; they are
        not counted. Folders left empty are removed.
        """
        validate_prefix(prefix)
        head, _, name_start = prefix.rpartition("/")
        base = self.root.joinpath(*head.split("/")) if head else self.root
        if not base.is_dir():
            return 0
        deleted = 0
        touched_dirs: set[Path] = set()
        for entry in sorted(base.iterdir()):
            if not entry.name.startswith(name_start):
                continue
            if entry.is_dir() and not entry.is_symlink():
                deleted += self._delete_tree(entry, touched_dirs)
            else:
                deleted += self._unlink(entry, touched_dirs)
        for directory in sorted(touched_dirs, key=lambda p: len(p.parts)):
            with contextlib.suppress(FileNotFoundError):
                fsync_dir(directory)
        self._prune_empty(base)
        return deleted

    def _unlink(self, path: Path, touched: set[Path]) -> int:
        try:
            path.unlink()
        except FileNotFoundError:
            return 0
        except OSError as exc:
            log.warning("could not delete %s: %s", path, exc)
            return 0
        touched.add(path.parent)
        return 0 if path.name.startswith(".") else 1

    def _delete_tree(self, directory: Path, touched: set[Path]) -> int:
        deleted = 0
        for dirpath, dirnames, filenames in os.walk(directory, topdown=False):
            current = Path(dirpath)
            for name in filenames:
                deleted += self._unlink(current / name, touched)
            for name in dirnames:
                sub = current / name
                if sub.is_symlink():
                    deleted += self._unlink(sub, touched)
                    continue
                try:
                    sub.rmdir()
                    touched.add(current)
                except OSError:
                    pass
        try:
            directory.rmdir()
            touched.add(directory.parent)
        except OSError:
            pass
        touched.discard(directory)
        return deleted

    def _prune_empty(self, directory: Path) -> None:
        # Remove folders emptied by the deletion, up to (not including) the root.
        current = directory
        while current != self.root and self.root in current.parents:
            try:
                current.rmdir()
            except OSError:
                return
            current = current.parent

"""ObjectStore: LEAN's key → file storage (Common/Storage/ObjectStore.cs, LocalObjectStore.cs), on a local folder.

The lean CLI mounts `<workspace>/storage` as the store; a key is a relative path inside it ("models/a.json"),
optionally written with a leading "/". Text is UTF-8. Keys may not leave the root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from ..naming import DualCase


class ObjectStoreError(KeyError):
    """A missing or invalid key; the message names the key and the store root."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class StoredObject(NamedTuple):
    """One entry when iterating the store (LEAN enumerates KeyValuePair<string, byte[]>)."""

    key: str
    value: bytes

    @property
    def Key(self) -> str:  # noqa: N802 - LEAN's spelling
        return self.key

    @property
    def Value(self) -> bytes:  # noqa: N802 - LEAN's spelling
        return self.value


class ObjectStore(DualCase):
    """Read and write objects under `root` by key; both spellings (`save`/`Save`, `read_bytes`/`ReadBytes`…)."""

    root: Path

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    # ---- key handling ---------------------------------------------------------------------------------------
    def _normalise(self, key: str) -> str:
        if not isinstance(key, str) or not key.strip():
            raise ObjectStoreError(f"object store: a key must be a non-empty string, got {key!r}")
        parts = PurePosixPath(key.replace("\\", "/").lstrip("/")).parts
        if not parts or any(part == ".." for part in parts):
            raise ObjectStoreError(f"object store: key {key!r} must stay inside the store root {self.root}")
        return "/".join(parts)

    def get_file_path(self, key: str) -> str:
        """The file backing `key` (created folders included), as LEAN's GetFilePath returns it."""
        path = self.root / self._normalise(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)

    def _path(self, key: str) -> Path:
        return self.root / self._normalise(key)

    # ---- queries --------------------------------------------------------------------------------------------
    def contains_key(self, key: str) -> bool:
        return self._path(key).is_file()

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.contains_key(key)

    @property
    def keys(self) -> list[str]:
        """Every stored key (forward slashes, relative to the root), sorted."""
        return sorted(self._iter_keys())

    def __iter__(self) -> Iterator[StoredObject]:
        """(key, bytes) pairs of every stored object, in key order."""
        for key in self.keys:
            yield StoredObject(key, self.read_bytes(key))

    def _iter_keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder, _, files in os.walk(self.root):
            for name in files:
                yield (Path(folder) / name).relative_to(self.root).as_posix()

    # ---- read / write ---------------------------------------------------------------------------------------
    def read_bytes(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise ObjectStoreError(f"object store: no object with key {key!r} under {self.root}")
        return path.read_bytes()

    def read(self, key: str) -> str:
        """The object as UTF-8 text (LEAN's Read / ReadString)."""
        return self.read_bytes(key).decode("utf-8")

    read_string = read

    def save_bytes(self, key: str, contents: bytes | bytearray) -> bool:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(contents))
        return True

    def save(self, key: str, text: str | bytes | None = None) -> bool:
        """Store text (UTF-8) or bytes under `key`; LEAN's Save(key) with no value persists an existing file."""
        if text is None:
            return self.contains_key(key)
        if isinstance(text, bytes | bytearray):
            return self.save_bytes(key, text)
        return self.save_bytes(key, str(text).encode("utf-8"))

    save_string = save

    def delete(self, key: str) -> bool:
        """Remove `key`; False when it was not there."""
        path = self._path(key)
        if not path.is_file():
            return False
        path.unlink()
        return True

    def __repr__(self) -> str:
        return f"ObjectStore({self.root})"

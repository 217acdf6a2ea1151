"""ObjectStore on a folder: text and bytes round trips, keys, deletion, both spellings, keys kept inside the root."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.engine.object_store import ObjectStore, ObjectStoreError


def test_text_round_trip_and_file_layout(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "storage")
    assert store.save("models/weights.json", '{"a": 1.5, "ü": true}')
    assert store.read("models/weights.json") == '{"a": 1.5, "ü": true}'
    # the object is a plain UTF-8 file under the root, as the lean CLI's mounted storage folder holds it
    assert (tmp_path / "storage" / "models" / "weights.json").read_bytes() == '{"a": 1.5, "ü": true}'.encode()
    assert store.contains_key("models/weights.json") and store.contains_key("/models/weights.json")
    assert "models/weights.json" in store


def test_bytes_keys_and_delete(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    store.save_bytes("b.bin", bytes(range(256)))
    store.save("a.txt", "x")
    assert store.read_bytes("b.bin") == bytes(range(256))
    assert store.keys == ["a.txt", "b.bin"]
    assert store.delete("a.txt") and not store.delete("a.txt")
    assert not store.contains_key("a.txt") and store.keys == ["b.bin"]


def test_get_file_path_creates_folders(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    path = Path(store.get_file_path("deep/er/file.csv"))
    assert path == tmp_path.resolve() / "deep" / "er" / "file.csv" and path.parent.is_dir()
    path.write_text("1,2\n")
    assert store.read("deep/er/file.csv") == "1,2\n"


def test_pascal_case_spelling(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    store.Save("k", "v")
    assert store.Read("k") == "v" and store.ContainsKey("k") and store.Keys == ["k"]
    store.SaveBytes("b", b"\x00\x01")
    assert store.ReadBytes("b") == b"\x00\x01"
    assert store.Delete("k") and Path(store.GetFilePath("b")).is_file()


def test_bad_keys_name_the_key_and_root(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path / "storage")
    with pytest.raises(ObjectStoreError, match="no object with key 'missing'"):
        store.read("missing")
    with pytest.raises(ObjectStoreError, match="must stay inside the store root"):
        store.save("../escape.txt", "x")
    with pytest.raises(ObjectStoreError, match="non-empty string"):
        store.save("", "x")
    assert not (tmp_path / "escape.txt").exists()
    assert store.keys == []  # a root that does not exist yet holds nothing


@settings(max_examples=25, deadline=None)
@given(text=st.text(), key=st.from_regex(r"[a-z0-9_]{1,12}(/[a-z0-9_]{1,12}){0,2}\.txt", fullmatch=True))
def test_any_text_round_trips(tmp_path_factory: pytest.TempPathFactory, text: str, key: str) -> None:
    store = ObjectStore(tmp_path_factory.mktemp("store"))
    store.save(key, text)
    assert store.read(key) == text


def test_iteration_yields_key_value_pairs(tmp_path: Path) -> None:
    store = ObjectStore(tmp_path)
    store.save("b/x.txt", "2")
    store.save("a.txt", "1")
    assert [(item.key, item.value) for item in store] == [("a.txt", b"1"), ("b/x.txt", b"2")]
    assert [(item.Key, item.Value) for item in store][0] == ("a.txt", b"1")

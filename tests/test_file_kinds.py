"""Tests of the table of file signatures, on files written by their own libraries.

Each expected kind comes from the library that wrote the file (Pillow,
pickle, joblib, the standard compressors, zipfile), not from the table.
"""

import bz2
import gzip
import io
import lzma
import pickle
import zipfile
import zlib

import joblib
import numpy as np
import pytest
from PIL import Image

from sknotes._file_kinds import FILE_KINDS, HEAD_SIZE, file_kind, read_head


def image_bytes(format):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 30)).save(buffer, format=format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("format", "name"),
    [
        ("JPEG", "a JPEG image"),
        ("PNG", "a PNG image"),
        ("GIF", "a GIF image"),
        ("TIFF", "a TIFF image"),
        ("BMP", "a BMP image"),
        ("WEBP", "a WebP image"),
    ],
)
def test_images_written_by_pillow(format, name):
    kind = file_kind(image_bytes(format)[:HEAD_SIZE])
    assert (kind.name, kind.family) == (name, "image")


def test_both_tiff_byte_orders_and_both_gif_versions():
    little = io.BytesIO()
    Image.new("L", (2, 2)).save(little, format="TIFF")
    assert little.getvalue()[:2] == b"II"
    # the same header written big endian, and the two GIF versions
    big = b"MM\x00*" + little.getvalue()[4:HEAD_SIZE]
    for head in [big, b"GIF87a" + bytes(10), b"GIF89a" + bytes(10)]:
        assert file_kind(head).family == "image"


@pytest.mark.parametrize(
    ("data", "family"),
    [
        (pickle.dumps([1, 2], protocol=2), "pickle"),
        (pickle.dumps([1, 2], protocol=pickle.HIGHEST_PROTOCOL), "pickle"),
        (zlib.compress(b"data"), "compressed"),
        (gzip.compress(b"data"), "compressed"),
        (bz2.compress(b"data"), "compressed"),
        (lzma.compress(b"data"), "compressed"),  # xz
        (lzma.compress(b"data", format=lzma.FORMAT_ALONE), "compressed"),
    ],
)
def test_pickles_and_the_compressions_joblib_writes(data, family):
    assert file_kind(data[:HEAD_SIZE]).family == family


@pytest.mark.parametrize("compress", [0, "zlib", "gzip", "bz2", "xz", "lzma"])
def test_joblib_dump_is_a_pickle(tmp_path, compress):
    path = tmp_path / "model.joblib"
    joblib.dump({"weights": np.arange(3.0)}, path, compress=compress)
    assert file_kind(read_head(path)).family in ("pickle", "compressed")


def test_a_zip_archive(tmp_path):
    path = tmp_path / "model.skops"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schema.json", "{}")
    assert file_kind(read_head(path)).family == "zip"


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello, world\n",
        b"<!doctype html>",
        b"BM" + b"\x01" * 14,  # "BM" alone is not a BMP: reserved bytes are zero
        b"RIFF\x00\x00\x00\x00WAVE",  # a RIFF file that is not WebP
        b"\x89PNG",  # cut short
    ],
)
def test_other_starts_are_no_kind(head):
    assert file_kind(head) is None


def test_every_kind_fits_in_the_head_and_is_named():
    for kind in FILE_KINDS:
        assert kind.name.startswith(("a ", "an "))
        assert kind.family in ("image", "pickle", "compressed", "zip")
        assert all(at + len(mark) <= HEAD_SIZE for at, mark in kind.marks)


def test_read_head(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(image_bytes("PNG"))
    assert read_head(path) == image_bytes("PNG")[:HEAD_SIZE]
    assert read_head(tmp_path / "missing") is None
    assert read_head(tmp_path) is None  # a folder cannot be read


@pytest.mark.parametrize(
    "head",
    [
        b"x = 1\n",  # text that starts as zlib's first byte does
        b"xml version\n",
        b"x^2 + y^2 = z^2\n",  # a valid zlib header, then no deflate data
        b"\x80 euro sign",  # pickle's first byte, no protocol after it
        b"\x80\x09 no such protocol",
        b"BZhx not bz2",  # no block size digit
        b"\x1f\x8b\x01 not deflate",  # gzip's magic, an unknown method
    ],
)
def test_a_short_signature_alone_is_not_enough(head):
    assert file_kind(head) is None


@pytest.mark.parametrize("level", [1, 3, 6, 9])
def test_zlib_streams_of_every_level(level):
    data = zlib.compress(bytes(range(256)) * 4, level)
    assert file_kind(data[:HEAD_SIZE]).name == "a zlib stream"


@pytest.mark.parametrize("level", [1, 9])
def test_bz2_streams_of_any_block_size(level):
    data = bz2.compress(b"data", compresslevel=level)
    assert file_kind(data[:HEAD_SIZE]).name == "a bz2 stream"

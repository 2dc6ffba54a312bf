# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Firmware image files: combined or plain (protocol.md 8), the package for a platform, the version line,
the checksum, and a slice that streams one package without reading it into memory."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _firmware_image as image_file

from images import HEADER, combined, plain  # tests/unit/simulator, on sys.path through conftest

VERSION = "20250321.14.Rel"


def three_boards() -> bytes:
    return combined([("h616", plain(VERSION, b"A" * 3000)), ("h6os", plain(VERSION, b"B" * 5000)),
                     ("h3", plain(VERSION, b"C" * 700))])


def test_a_combined_image_lists_each_package_with_its_offset_from_the_file_start():
    data = three_boards()
    image = image_file.inspect(io.BytesIO(data))
    assert image.combined and image.size == len(data)
    assert image.platforms() == ["h616", "h6os", "h3"]
    first, second, third = image.packages
    assert (first.offset, second.offset, third.offset) == (HEADER, HEADER + first.size, HEADER + first.size + second.size)
    assert first.chip == "chip-h616"
    assert data[second.offset:second.offset + second.size] == plain(VERSION, b"B" * 5000)


def test_the_package_is_chosen_by_the_platform_lower_cased_and_a_missing_one_is_none():
    image = image_file.inspect(io.BytesIO(three_boards()))
    assert image_file.package_for(image, "H6OS").platform == "h6os"
    assert image_file.package_for(image, "h616").platform == "h616"
    assert image_file.package_for(image, "H616X") is None
    assert image_file.package_for(image, "h") is None


def test_a_truncated_header_is_a_plain_image():
    data = three_boards()[:HEADER - 1]
    assert not image_file.inspect(io.BytesIO(data)).combined


def test_a_data_size_beyond_the_file_is_a_plain_image():
    data = combined([("h616", plain(VERSION))], data_size=10 ** 6)
    assert not image_file.inspect(io.BytesIO(data)).combined


@pytest.mark.parametrize("count", [0, 65, 2 ** 32 - 1])
def test_a_package_count_out_of_range_is_a_plain_image(count):
    data = combined([("h616", plain(VERSION))], count=count)
    assert not image_file.inspect(io.BytesIO(data)).combined


def test_a_plain_image_has_no_packages_and_its_version_line_is_read():
    stream = io.BytesIO(plain(VERSION))
    image = image_file.inspect(stream)
    assert not image.combined and image.packages == ()
    assert image_file.read_version(stream) == VERSION
    assert stream.tell() == 0


@pytest.mark.parametrize("data, expected", [
    (b"WMFW 20250321.14.Rel\r\nrest", VERSION),
    (b"WMFW 20251209.16.Rel2", "20251209.16.Rel2"),
    (b"WMFW \n", None),
    (b"WMFW has spaces\n", None),
    (b"wmfw 20250321.14.Rel\n", None),
    (b"\x7fELF\x02\x01\x01" + b"\0" * 200, None),
    (b"WMFW " + b"9" * 100 + b"\n", None),
])
def test_the_version_line(data, expected):
    assert image_file.read_version(io.BytesIO(data)) == expected


def test_each_package_has_its_own_version_line():
    data = combined([("h616", plain("20250321.14.Rel")), ("h6os", plain("20250101.10.Rel"))])
    stream = io.BytesIO(data)
    image = image_file.inspect(stream)
    found = [image_file.read_version(stream, p.offset, p.size) for p in image.packages]
    assert found == ["20250321.14.Rel", "20250101.10.Rel"]


def test_a_package_outside_the_file_is_damage():
    data = combined([("h616", plain(VERSION, b"A" * 100))])
    image = image_file.inspect(io.BytesIO(data))
    package = image.packages[0]
    assert image_file.damage(image, package) is None
    short = image_file.Image(package.offset + package.size - 1, image.packages)
    assert "outside the file" in image_file.damage(short, package)
    assert "empty" in image_file.damage(image, image_file.Package("c", "h616", HEADER, 0))


@pytest.mark.parametrize("text", ["sha256:" + "ab" * 32, " sha256:" + "AB" * 32 + " "])
def test_a_checksum_is_sha256_and_64_hex_digits(text):
    assert image_file.parse_checksum(text) == "ab" * 32


@pytest.mark.parametrize("text", ["ab" * 32, "md5:" + "ab" * 16, "sha256:" + "ab" * 31, "sha256:" + "zz" * 32, ""])
def test_other_checksums_are_refused(text):
    with pytest.raises(ValueError, match="sha256:"):
        image_file.parse_checksum(text)


def test_sha256_of_reads_the_whole_file_and_rewinds(tmp_path):
    data = os.urandom(3 * image_file.READ_CHUNK + 17)
    path = tmp_path / "image.bin"
    path.write_bytes(data)
    with open(path, "rb") as stream:
        assert image_file.sha256_of(stream) == hashlib.sha256(data).hexdigest()
        assert stream.tell() == 0


def test_a_slice_reads_seeks_and_tells_inside_its_package_only():
    data = three_boards()
    stream = io.BytesIO(data)
    package = image_file.inspect(stream).packages[1]
    piece = image_file.Slice(stream, package.offset, package.size)
    assert piece.seek(0, os.SEEK_END) == package.size
    assert piece.seek(0) == 0 and piece.tell() == 0
    got = b""
    while True:
        chunk = piece.read(1000)
        if not chunk:
            break
        got += chunk
    assert got == data[package.offset:package.offset + package.size]
    assert piece.handed == package.size and piece.read() == b""
    piece.seek(5)
    assert piece.read(3) == got[5:8] and piece.tell() == 8
    with pytest.raises(ValueError):
        piece.seek(-1)

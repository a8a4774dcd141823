"""Images: files and data URLs become checked data URLs; every problem is an ImageError."""

from __future__ import annotations

import base64
import os
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odyssey_dsl import ImageLoader, compile_source
from odyssey_dsl.diagnostics import CATALOGUE
from odyssey_dsl.semantics.images import (
    MAX_IMAGE_BYTES,
    SUPPORTED_MIME_TYPES,
    ImageError,
    resolve_image,
    sniff_image_type,
)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def real_png_1x1() -> bytes:
    """A complete, valid 1×1 RGB PNG (one red pixel)."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", len(body) + 4) + body + b"\x00" * 8


PADDING = b"\x00" * 16

HEADERS: list[tuple[str, bytes]] = [
    ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + PADDING),
    ("image/png", real_png_1x1()),
    ("image/gif", b"GIF87a\x01\x00\x01\x00" + PADDING),
    ("image/gif", b"GIF89a\x01\x00\x01\x00" + PADDING),
    ("image/webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + PADDING),
    ("image/heic", ftyp(b"heic", b"mif1", b"heic")),
    ("image/heic", ftyp(b"heix")),
    ("image/heic", ftyp(b"heim")),
    ("image/heic", ftyp(b"heis")),
    ("image/heic", ftyp(b"HEIC")),
    ("image/heif", ftyp(b"mif1", b"heic")),
    ("image/heif", ftyp(b"msf1")),
    ("image/avif", ftyp(b"avif", b"mif1")),
    ("image/avif", ftyp(b"avis")),
    ("image/heif", ftyp(b"hevc", b"msf1", b"hevc")),
    ("image/bmp", b"BM" + b"\x3a\x00\x00\x00" + PADDING),
    ("image/tiff", b"II*\x00\x08\x00\x00\x00" + PADDING),
    ("image/tiff", b"MM\x00*\x00\x00\x00\x08" + PADDING),
]


def payload_of(url: str) -> bytes:
    return base64.b64decode(url.split(",", 1)[1], validate=True)


@pytest.mark.parametrize(("mime", "data"), HEADERS)
def test_file_is_embedded_with_mime_from_magic_bytes(
    tmp_path: Path, mime: str, data: bytes
) -> None:
    # The extension is deliberately wrong: only the content decides.
    (tmp_path / "picture.txt").write_bytes(data)
    url = resolve_image("picture.txt", tmp_path)
    assert url.startswith(f"data:{mime};base64,")
    assert payload_of(url) == data


@pytest.mark.parametrize(("mime", "data"), HEADERS)
def test_data_url_of_each_type_is_accepted_unchanged(mime: str, data: bytes) -> None:
    url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    assert resolve_image(url, Path("/nonexistent")) == url


def test_every_supported_type_is_detected() -> None:
    assert {mime for mime, _ in HEADERS} == set(SUPPORTED_MIME_TYPES)


def test_path_relative_to_base_dir_and_absolute_path(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "cat.png").write_bytes(real_png_1x1())
    relative = resolve_image("img/cat.png", tmp_path)
    absolute = resolve_image(str(tmp_path / "img" / "cat.png"), Path("/elsewhere"))
    assert relative == absolute
    assert payload_of(relative) == real_png_1x1()


def test_missing_file_names_the_absolute_path_tried(tmp_path: Path) -> None:
    with pytest.raises(ImageError) as caught:
        resolve_image("missing.png", tmp_path)
    assert caught.value.code == "E401"
    assert str(tmp_path / "missing.png") in caught.value.message
    assert caught.value.help is not None and str(tmp_path) in caught.value.help


def test_folder_and_non_regular_file_are_unreadable(tmp_path: Path) -> None:
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ImageError) as caught:
        resolve_image("dir.png", tmp_path)
    assert caught.value.code == "E401"
    assert "folder" in caught.value.message
    os.mkfifo(tmp_path / "pipe.png")  # opening it would block: must be refused before
    with pytest.raises(ImageError) as caught:
        resolve_image("pipe.png", tmp_path)
    assert caught.value.code == "E401"
    assert "not a regular file" in caught.value.message


def test_broken_symlink_and_empty_and_nul_paths(tmp_path: Path) -> None:
    (tmp_path / "link.png").symlink_to(tmp_path / "gone.png")
    for value in ("link.png", "", "   ", "a\x00b.png"):
        with pytest.raises(ImageError) as caught:
            resolve_image(value, tmp_path)
        assert caught.value.code == "E401", value


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as file:  # sparse: the size comes from stat, nothing is read
        file.write(real_png_1x1())
        file.truncate(MAX_IMAGE_BYTES + 1)
    with pytest.raises(ImageError) as caught:
        resolve_image("big.png", tmp_path)
    assert caught.value.code == "E403"
    assert "25.0 MiB" in caught.value.message
    assert f"{MAX_IMAGE_BYTES + 1:,} bytes" in caught.value.message
    assert "limit is 25 MiB" in caught.value.message


def test_exactly_the_limit_is_accepted(tmp_path: Path) -> None:
    edge = tmp_path / "edge.png"
    with edge.open("wb") as file:
        file.write(real_png_1x1())
        file.truncate(MAX_IMAGE_BYTES)
    url = resolve_image("edge.png", tmp_path)
    assert url.startswith("data:image/png;base64,")
    assert len(url) > MAX_IMAGE_BYTES


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty file"),
        (b"hello, this is just some text\n", "contains text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + PADDING, "PDF document"),
        (ftyp(b"isom", b"isom", b"mp41"), "MP4"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + PADDING, "'WAVE'"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"\x89PNG\r\n\x1a\n", "too short"),
        (b"PK\x03\x04" + PADDING, "ZIP"),
    ],
)
def test_not_an_image_says_what_was_found(tmp_path: Path, content: bytes, words: str) -> None:
    (tmp_path / "thing.png").write_bytes(content)
    with pytest.raises(ImageError) as caught:
        resolve_image("thing.png", tmp_path)
    assert caught.value.code == "E402"
    assert words in caught.value.message
    assert "'thing.png'" in caught.value.message


def test_unrecognisable_binary_is_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "noise.png").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImageError) as caught:
        resolve_image("noise.png", tmp_path)
    assert caught.value.code == "E402"
    assert "looks like" not in caught.value.message


PNG_B64 = base64.b64encode(real_png_1x1()).decode()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"DATA:IMAGE/PNG;BASE64,{PNG_B64}", f"data:image/png;base64,{PNG_B64}"),
        (f"data:image/png;name=x.png;base64,{PNG_B64}", f"data:image/png;base64,{PNG_B64}"),
        (
            "data:image/jpg;base64," + base64.b64encode(HEADERS[0][1]).decode(),
            "data:image/jpeg;base64," + base64.b64encode(HEADERS[0][1]).decode(),
        ),
    ],
)
def test_data_url_is_normalised(url: str, expected: str) -> None:
    assert resolve_image(url, Path(".")) == expected


@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        ("data:image/png;base64,QUFB@@@", "E404", "'@' (character 5 of the data)"),
        ("data:image/png;base64,aGVsbG8", "E404", "multiple of 4"),
        (f"data:image/png;base64,{PNG_B64[:8]} {PNG_B64[8:]}", "E404", "' '"),
        (f"data:image/png;base64,{PNG_B64}\n", "E404", "'\\n'"),
        ("data:image/png;base64,aGVsbG8=QUFB", "E404", "after the '=' padding"),
        ("data:image/png;base64,aGVsbG8=é", "E404", "non-ASCII"),
        ("data:image/png;base64", "E404", "no ','"),
        (f"data:image/png,{PNG_B64}", "E404", "not base64"),
        (f"data:;base64,{PNG_B64}", "E404", "no MIME type"),
        (f"data:text/plain;base64,{PNG_B64}", "E402", "not an image"),
        (f"data:image/svg+xml;base64,{PNG_B64}", "E402", "does not accept"),
        ("data:image/png;base64,aGVsbG8=", "E402", "contains text"),
        ("data:image/png;base64,", "E402", "empty"),
        (
            "data:image/png;base64," + base64.b64encode(HEADERS[0][1]).decode(),
            "E402",
            "says image/png but its content is a JPEG image",
        ),
    ],
)
def test_bad_data_urls(url: str, code: str, words: str) -> None:
    with pytest.raises(ImageError) as caught:
        resolve_image(url, Path("."))
    assert caught.value.code == code
    assert words in caught.value.message
    assert caught.value.code in CATALOGUE


def test_mismatched_data_url_help_names_the_right_type() -> None:
    with pytest.raises(ImageError) as caught:
        resolve_image(
            "data:image/png;base64," + base64.b64encode(HEADERS[0][1]).decode(), Path(".")
        )
    assert caught.value.help == "write data:image/jpeg;base64,..."


def test_heif_family_names_are_interchangeable_in_data_urls() -> None:
    heic = base64.b64encode(ftyp(b"heic")).decode()
    assert resolve_image(f"data:image/heif;base64,{heic}", Path(".")).startswith("data:image/heif")


def test_huge_data_url_is_refused_without_decoding() -> None:
    url = "data:image/png;base64," + "A" * (MAX_IMAGE_BYTES // 3 * 4 + 16)
    with pytest.raises(ImageError) as caught:
        resolve_image(url, Path("."))
    assert caught.value.code == "E403"
    assert "limit is 25 MiB" in caught.value.message


def test_catalogue_examples_agree() -> None:
    for code in ("E402", "E404"):
        example = CATALOGUE[code].example
        url = example.split('with image "', 1)[1].split('"', 1)[0]
        with pytest.raises(ImageError) as caught:
            resolve_image(url, Path("."))
        assert caught.value.code == code


def test_sniff_needs_twelve_bytes_like_the_sdk() -> None:
    assert sniff_image_type(b"\xff\xd8\xff" + b"\x00" * 8) is None
    assert sniff_image_type(b"\xff\xd8\xff" + b"\x00" * 9) == "image/jpeg"


IMAGE_CODES = {"E401", "E402", "E403", "E404"}


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_arbitrary_file_bytes_give_a_data_url_or_an_image_error(
    tmp_path: Path, data: bytes
) -> None:
    (tmp_path / "any.bin").write_bytes(data)
    try:
        url = resolve_image("any.bin", tmp_path)
    except ImageError as error:
        assert error.code in IMAGE_CODES
        assert error.message
    else:
        assert sniff_image_type(data) is not None
        assert payload_of(url) == data
        assert resolve_image(url, tmp_path) == url


@settings(max_examples=200)
@given(st.text(max_size=80) | st.text(max_size=60).map(lambda t: "data:" + t))
def test_arbitrary_values_give_a_data_url_or_an_image_error(value: str) -> None:
    try:
        url = resolve_image(value, Path("/nonexistent-odyc-test-dir"))
    except ImageError as error:
        assert error.code in IMAGE_CODES
    else:
        assert url.startswith("data:image/")


@settings(max_examples=150)
@given(st.sampled_from(HEADERS), st.binary(max_size=200))
def test_data_url_roundtrip(header: tuple[str, bytes], tail: bytes) -> None:
    mime, prefix = header
    data = prefix + tail
    url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    resolved = resolve_image(url, Path("."))
    assert resolved == url
    assert payload_of(resolved) == data


# --- the loader: a cache keyed by path, size and modification time ------------------------

IMAGE_SCENE = 'at 0s: start "a" with image "cat.png"\nat 1s: end\n'


def test_a_reused_loader_reads_a_file_once_until_it_changes(tmp_path: Path) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(real_png_1x1())
    loader = ImageLoader()
    first = compile_source(IMAGE_SCENE, base_dir=tmp_path, images=loader)
    second = compile_source(IMAGE_SCENE, base_dir=tmp_path, images=loader)
    assert first.job is not None and second.job is not None
    assert first.job == second.job
    assert loader.files_read == 1
    jpeg = HEADERS[0][1]
    image.write_bytes(jpeg)
    os.utime(image, ns=(time.time_ns(), time.time_ns() + 10**9))  # a later modification time
    third = compile_source(IMAGE_SCENE, base_dir=tmp_path, images=loader)
    assert loader.files_read == 2
    assert third.job is not None and third.job.script is not None
    start = third.job.script[0].start
    assert start is not None and start.image is not None
    assert start.image.startswith("data:image/jpeg;base64,")


def test_without_a_loader_each_compile_reads_afresh_and_a_loop_reads_once(
    tmp_path: Path,
) -> None:
    (tmp_path / "cat.png").write_bytes(real_png_1x1())
    loader = ImageLoader()
    looped = 'repeat 3 every 2s:\n  start "a" with image "cat.png"\n  after 1s: end\n'
    result = compile_source("at 0s " + looped, base_dir=tmp_path, images=loader)
    assert result.job is not None and loader.files_read == 1


def test_problems_are_not_cached(tmp_path: Path) -> None:
    loader = ImageLoader()
    missing = compile_source(IMAGE_SCENE, base_dir=tmp_path, images=loader)
    assert [d.code.code for d in missing.diagnostics] == ["E401"]
    (tmp_path / "cat.png").write_bytes(real_png_1x1())
    found = compile_source(IMAGE_SCENE, base_dir=tmp_path, images=loader)
    assert found.ok


def test_the_cache_keeps_at_most_its_budget(tmp_path: Path) -> None:
    data = real_png_1x1()
    url_length = len(
        resolve_image("data:image/png;base64," + base64.b64encode(data).decode(), tmp_path)
    )
    loader = ImageLoader(max_cached_chars=url_length)  # room for one data URL
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes(data)
    for name in ("a.png", "b.png", "b.png", "a.png"):
        loader.data_url(name, tmp_path)
    assert loader.files_read == 3  # b was kept after a was dropped; then a was read again


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_an_image_swapped_for_a_fifo_never_hangs_the_compile(tmp_path: Path) -> None:
    """Another process keeps replacing the image with a FIFO and back; every compile must
    end at once with the image or a clear E401, never wait on the FIFO for a writer."""
    png = tmp_path / "png"
    png.write_bytes(real_png_1x1())
    swapper = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import os, shutil, sys
                folder = sys.argv[1]
                target = os.path.join(folder, "cat.png")
                while True:
                    fifo = os.path.join(folder, "fifo.tmp")
                    os.mkfifo(fifo)
                    os.replace(fifo, target)
                    copy = os.path.join(folder, "copy.tmp")
                    shutil.copyfile(os.path.join(folder, "png"), copy)
                    os.replace(copy, target)
                """
            ),
            str(tmp_path),
        ]
    )
    compiler = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from odyssey_dsl import compile_source
        from odyssey_dsl.semantics.images import ImageError, resolve_image
        folder = Path(sys.argv[1])
        for _ in range(10_000):  # the window between looking and opening is short: try often
            try:
                resolve_image("cat.png", folder)
            except ImageError as error:
                assert error.code == "E401", error
                assert "not a regular file" in error.message, error.message
        scene = 'at 0s: start "a" with image "cat.png"\\nat 1s: end\\n'
        for _ in range(50):
            codes = [d.code.code for d in compile_source(scene, base_dir=folder).diagnostics]
            assert codes in ([], ["E401"]), codes
        """
    )
    try:
        while not (tmp_path / "cat.png").exists():
            time.sleep(0.01)
        run = subprocess.run(
            [sys.executable, "-c", compiler, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        swapper.kill()
        swapper.wait()
    assert run.returncode == 0, run.stderr

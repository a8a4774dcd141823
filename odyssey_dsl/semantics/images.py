"""Images of `start "..." with image "..."`: a file or a data URL, checked and embedded.

The API takes an image as a base64 data URL. A scene names either a file (relative to the
scene's folder) that is read and encoded here, or a `data:image/...;base64,...` URL that is
checked as it is. The MIME type is detected from the content's magic bytes, never from a
file name, with the same rules as the official JavaScript SDK (JPEG, PNG, GIF, WebP,
HEIC/HEIF/AVIF, BMP, TIFF) and the same 25 MiB limit.

`ImageLoader.data_url` returns the data URL or raises `ImageError` carrying a catalogue code
(E401-E404); the compiler turns that into a diagnostic at the image string. A loader keeps
what it has read, keyed by the file's path, size and modification time, so that a caller
that compiles the same scene again and again (a language server, watch mode) reads each
image once; `compile_source` makes a new loader per call unless it is given one.

A file is opened without blocking, and what was opened is checked (`fstat`) to be a regular
file before anything is read: a path swapped for a FIFO or a device after it was looked at
gives E401 at once instead of a compile that never ends.
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import stat
import threading
from collections import OrderedDict
from pathlib import Path

MAX_IMAGE_BYTES = 25 * 1024 * 1024
"""The SDK's limit on an image's size (25 MiB); exactly this size is still accepted."""

SUPPORTED_MIME_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/heif",
    "image/avif",
    "image/bmp",
    "image/tiff",
)
"""Every MIME type the API accepts for an image, in the order of the documentation."""

_MIME_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
"""Non-standard names the SDK also accepts, mapped to the standard one."""

_HEIF_FAMILY = frozenset({"image/heic", "image/heif", "image/avif"})
"""ISO-BMFF images: sniffing tells them apart only by brand, so a data URL may name any."""

_HEIC_BRANDS = frozenset({"heic", "heix", "heim", "heis"})
_HEIF_BRANDS = frozenset({"mif1", "msf1"})
_AVIF_BRANDS = frozenset({"avif", "avis"})
_IMAGE_BRANDS = _HEIC_BRANDS | _HEIF_BRANDS | _AVIF_BRANDS

_SUPPORTED_WORDS = "a JPEG, PNG, GIF, WebP, HEIC, HEIF, AVIF, BMP or TIFF image"

_KIND_NAMES = {
    "image/jpeg": "a JPEG image",
    "image/png": "a PNG image",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "image/heic": "a HEIC image",
    "image/heif": "a HEIF image",
    "image/avif": "an AVIF image",
    "image/bmp": "a BMP image",
    "image/tiff": "a TIFF image",
}


class ImageError(Exception):
    """An image that cannot be used; `code` is the catalogue code (E401-E404)."""

    def __init__(self, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help

    def __repr__(self) -> str:
        return f"ImageError({self.code!r}, {self.message!r}, {self.help!r})"


DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
"""How many characters of data URLs an `ImageLoader` keeps by default (256 Mi)."""


class ImageLoader:
    """Turns image values into data URLs, keeping the results for the next compile.

    A file's data URL is kept under its absolute path, size and modification time, and is
    read again when any of them changes; a data URL is kept under its own text. The
    least recently used results are dropped beyond `max_cached_chars`. Problems are not
    kept: a missing file is looked for again next time. One loader may be shared by
    threads.
    """

    def __init__(self, max_cached_chars: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_cached_chars = max_cached_chars
        self._cache: OrderedDict[tuple[object, ...], str] = OrderedDict()
        self._cached_chars = 0
        self._lock = threading.Lock()
        self.files_read = 0
        """How many image files this loader has read (a cache hit reads none)."""

    def data_url(self, value: str, base_dir: Path) -> str:
        """The data URL for an image value: a `data:` URL checked as is, or a file path
        (relative to `base_dir`) read and encoded. Raises `ImageError` for any problem."""
        if value[:5].lower() == "data:":
            key: tuple[object, ...] = ("data", value)
            cached = self._cached(key)
            if cached is None:
                cached = self._keep(key, _check_data_url(value))
            return cached
        path, info = _find_image_file(value, base_dir)
        key = ("file", path, info.st_size, info.st_mtime_ns)
        cached = self._cached(key)
        if cached is None:
            data, opened = _read_image_file(value, path)
            with self._lock:
                self.files_read += 1
            key = ("file", path, opened.st_size, opened.st_mtime_ns)
            cached = self._keep(key, image_data_url(data))
        return cached

    def _cached(self, key: tuple[object, ...]) -> str | None:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def _keep(self, key: tuple[object, ...], url: str) -> str:
        with self._lock:
            if key not in self._cache and len(url) <= self.max_cached_chars:
                self._cache[key] = url
                self._cached_chars += len(url)
                while self._cached_chars > self.max_cached_chars:
                    _, dropped = self._cache.popitem(last=False)
                    self._cached_chars -= len(dropped)
        return url


def resolve_image(value: str, base_dir: Path) -> str:
    """The data URL for an image value, read without a cache (see `ImageLoader.data_url`)."""
    return ImageLoader(max_cached_chars=0).data_url(value, base_dir)


def sniff_image_type(data: bytes) -> str | None:
    """The MIME type of an image from its first bytes, or None if it is not one that the
    API accepts. Like the SDK, at least 12 bytes are needed."""
    if len(data) < 12:
        return None
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return _sniff_iso_media(data)
    if data[:2] == b"BM":
        return "image/bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return None


def image_data_url(data: bytes) -> str:
    """Encode image bytes as a data URL; raises `ImageError` (E402) if they are not an image."""
    mime = sniff_image_type(data)
    if mime is None:
        raise _not_an_image("the data", data, "only image files can be embedded")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _sniff_iso_media(data: bytes) -> str | None:
    """HEIC/HEIF/AVIF from an ISO-BMFF `ftyp` box.

    The major brand decides, as in the SDK. Where the SDK would call every other `ftyp`
    file HEIF, we do so only if one of its compatible brands is an image brand: an MP4 or
    MOV video also starts with `ftyp` and is not an image.
    """
    major = data[8:12].decode("latin-1").lower()
    if major in _HEIC_BRANDS:
        return "image/heic"
    if major in _HEIF_BRANDS:
        return "image/heif"
    if major in _AVIF_BRANDS:
        return "image/avif"
    if _compatible_brands(data) & _IMAGE_BRANDS:
        return "image/heif"
    return None


def _compatible_brands(data: bytes) -> set[str]:
    box_size = int.from_bytes(data[0:4], "big")
    end = min(box_size, len(data)) if box_size >= 16 else 16
    return {data[offset : offset + 4].decode("latin-1").lower() for offset in range(16, end - 3, 4)}


def _describe(data: bytes) -> str | None:
    """Words for what non-image content seems to be, if it is recognisable."""
    if not data:
        return "an empty file"
    signatures: list[tuple[bytes, str]] = [
        (b"%PDF-", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive (or a document stored as one)"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"ID3", "an MP3 audio file"),
        (b"OggS", "an Ogg media file"),
        (b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"),
        (b"8BPS", "a Photoshop document"),
        (b"\x00\x00\x01\x00", "an ICO icon"),
        (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
        (b"\xff\x0a", "a JPEG XL image"),
        (b"\x00\x00\x00\x0cJXL ", "a JPEG XL image"),
    ]
    for magic, name in signatures:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and len(data) >= 12:
        return f"a RIFF file of type {data[8:12].decode('latin-1')!r}, not WebP"
    if data[4:8] == b"ftyp" and len(data) >= 12:
        brand = data[8:12].decode("latin-1").strip()
        return f"an ISO media file of brand {brand!r}, such as an MP4 or MOV video"
    if len(data) < 12 and sniff_image_type(data + bytes(12)) is not None:
        return f"only {len(data)} bytes long, too short to be an image"
    head = data[:512].lstrip()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096]:
        return "an SVG drawing (vector images are not accepted; convert it to PNG)"
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError as error:
        if len(data) <= 4096 or error.start < 4090:  # not a character cut at byte 4096
            return None
        text = data[: error.start].decode("utf-8")
    if all(ch.isprintable() or ch in "\t\r\n" for ch in text):
        return "text"
    return None


def _not_an_image(subject: str, data: bytes, help: str) -> ImageError:
    found = _describe(data)
    detail = f": it looks like {found}" if found and found != "text" else ""
    if found == "text":
        detail = ": it contains text"
    return ImageError(
        "E402",
        f"{subject} is not {_SUPPORTED_WORDS}{detail}",
        help,
    )


def _find_image_file(value: str, base_dir: Path) -> tuple[str, os.stat_result]:
    """The absolute path of an image file and what `stat` says of it; raises `ImageError`
    unless it is a regular file of at most 25 MiB."""
    if not value.strip():
        raise ImageError(
            "E401",
            "the image path is empty",
            "give a path relative to the scene's folder (the current directory for a scene read "
            "from standard input), or a data:image/...;base64,... URL",
        )
    path = os.path.abspath(os.path.join(base_dir, value))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ImageError(
            "E401",
            f"image file {value!r} not found (looked for {path})",
            f"image paths are relative to {os.path.abspath(base_dir)} (the scene's folder; the "
            "current directory for a scene read from standard input)",
        ) from None
    except (OSError, ValueError) as error:
        raise _unreadable(value, path, error) from None
    _require_regular_file(value, path, info)
    return path, info


def _require_regular_file(value: str, path: str, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ImageError(
            "E401", f"image path {value!r} is a folder, not a file (looked for {path})"
        )
    if not stat.S_ISREG(info.st_mode):
        raise ImageError("E401", f"image path {value!r} is not a regular file (looked for {path})")
    if info.st_size > MAX_IMAGE_BYTES:
        raise _too_large(f"image file {value!r}", info.st_size)


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
"""Opening never waits (a FIFO would wait for a writer) and never takes a terminal.
Symbolic links are followed on purpose: images are often linked into a scene's folder."""


def _read_image_file(value: str, path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of the image file at `path` and what `fstat` says of the file opened."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError) as error:
        raise _unreadable(value, path, error) from None
    with os.fdopen(descriptor, "rb", buffering=0) as file:
        try:
            opened = os.fstat(file.fileno())
            _require_regular_file(value, path, opened)  # the path may have been swapped
            data = _read_at_most(file, MAX_IMAGE_BYTES + 1)
        except OSError as error:
            raise _unreadable(value, path, error) from None
    if len(data) > MAX_IMAGE_BYTES:  # the file grew after fstat
        raise _too_large(f"image file {value!r}", len(data))
    if sniff_image_type(data) is None:
        raise _not_an_image(
            f"{value!r}", data, "the type is detected from the content, not from the file name"
        )
    return data, opened


def _read_at_most(file: io.RawIOBase, limit: int) -> bytes:
    """Up to `limit` bytes, reading until the end of the file (reads may come back short)."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = file.read(min(remaining, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _unreadable(value: str, path: str, error: BaseException) -> ImageError:
    return ImageError("E401", f"cannot read image {value!r}: {_reason(error)} (looked for {path})")


def _check_data_url(value: str) -> str:
    comma = value.find(",")
    if comma == -1:
        raise ImageError(
            "E404",
            "the image data URL has no ',' before its data",
            "write it as data:image/png;base64,<base64 data>",
        )
    header, payload = value[5:comma], value[comma + 1 :]
    mime, *parameters = (part.strip().lower() for part in header.split(";"))
    mime = _MIME_ALIASES.get(mime, mime)
    if not parameters or parameters[-1] != "base64":
        raise ImageError(
            "E404",
            "the image data URL is not base64-encoded",
            f"write it as data:{mime or 'image/png'};base64,<base64 data>",
        )
    if not mime:
        raise ImageError(
            "E404",
            "the image data URL has no MIME type",
            "write it as data:image/png;base64,<base64 data>",
        )
    if mime not in SUPPORTED_MIME_TYPES:
        what = (
            "an image type the API does not accept" if mime.startswith("image/") else "not an image"
        )
        raise ImageError(
            "E402",
            f"the data URL's type {mime} is {what}",
            "accepted types: " + ", ".join(SUPPORTED_MIME_TYPES),
        )
    if len(payload) // 4 * 3 > MAX_IMAGE_BYTES + 3:
        raise _too_large("the data URL's image", len(payload) // 4 * 3)
    try:
        data = binascii.a2b_base64(payload, strict_mode=True)
    except (binascii.Error, ValueError) as error:
        raise ImageError(
            "E404",
            f"the image data URL's base64 is invalid: {_base64_reason(payload, error)}",
            "base64 uses A-Z a-z 0-9 + / with '=' padding to a multiple of 4 characters, "
            "and no spaces or line breaks",
        ) from None
    if len(data) > MAX_IMAGE_BYTES:
        raise _too_large("the data URL's image", len(data))
    found = sniff_image_type(data)
    if found is None:
        raise _not_an_image(
            "the data URL's content", data, "the data must be the base64 of an image file"
        )
    if found != mime and not {found, mime} <= _HEIF_FAMILY:
        raise ImageError(
            "E402",
            f"the data URL says {mime} but its content is {_KIND_NAMES[found]}",
            f"write data:{found};base64,...",
        )
    return f"data:{mime};base64,{payload}"


def _too_large(subject: str, size: int) -> ImageError:
    return ImageError(
        "E403",
        f"{subject} is {_mebibytes(size)} ({size:,} bytes); the limit is 25 MiB",
        "make the file smaller, for example by scaling it down or saving it as JPEG",
    )


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[:1].lower() + error.strerror[1:]
    return str(error) or type(error).__name__


def _base64_reason(payload: str, error: BaseException) -> str:
    if not payload.isascii():
        return "it contains non-ASCII characters"
    stray = next((i for i, ch in enumerate(payload) if not (ch.isalnum() or ch in "+/=")), None)
    if stray is not None:
        return (
            f"it contains {payload[stray]!r} (character {stray + 1} of the data), "
            "which is not a base64 character"
        )
    text = str(error)
    if "padding" in text.lower() and "excess" not in text.lower():
        return "its length is not a multiple of 4 (missing '=' padding?)"
    if "excess" in text.lower():
        return "there is data after the '=' padding"
    return text[:1].lower() + text[1:]

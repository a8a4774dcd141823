"""A tiny baseline JPEG encoder for one thing only: a solid grey placeholder thumbnail.

A uniform image has nothing but a DC coefficient in each 8×8 block, so the whole file is a
handful of headers, two one-symbol-ish Huffman tables and two or four bits per block. Written
here so that the emulator's thumbnails open in any image viewer without an imaging library.
"""

from __future__ import annotations

import struct


def solid_jpeg(width: int, height: int, shade: int = 128) -> bytes:
    """A greyscale JPEG of `width`×`height` pixels, all of brightness `shade` (0–255)."""
    if width < 1 or height < 1:
        raise ValueError("a JPEG needs at least one pixel")
    shade = max(0, min(255, shade))
    dc = 8 * (shade - 128)  # the DCT's DC term of a uniform 8x8 block, quantised by 1
    category = abs(dc).bit_length()
    dc_symbols = [0, category] if category else [0, 1]
    blocks = ((width + 7) // 8) * ((height + 7) // 8)

    bits = _BitWriter()
    for block in range(blocks):
        if block == 0 and category:
            bits.write(0b01, 2)  # DC symbol `category` (code 01) ...
            magnitude = dc if dc > 0 else dc + (1 << category) - 1
            bits.write(magnitude, category)  # ... and the difference's bits
        else:
            bits.write(0b00, 2)  # DC symbol 0: no change from the previous block
        bits.write(0b00, 2)  # AC: end of block

    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xDB, b"\x00" + b"\x01" * 64),
            _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
            _segment(0xC4, b"\x00" + _code_counts(2, len(dc_symbols)) + bytes(dc_symbols)),
            _segment(0xC4, b"\x10" + _code_counts(2, 1) + b"\x00"),
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            bits.stuffed_bytes(),
            b"\xff\xd9",
        ]
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _code_counts(length: int, count: int) -> bytes:
    """The 16 code-length counts of a Huffman table whose `count` codes all have `length` bits."""
    counts = [0] * 16
    counts[length - 1] = count
    return bytes(counts)


class _BitWriter:
    def __init__(self) -> None:
        self._value = 0
        self._size = 0

    def write(self, value: int, size: int) -> None:
        self._value = (self._value << size) | (value & ((1 << size) - 1))
        self._size += size

    def stuffed_bytes(self) -> bytes:
        """The bits padded with ones to a whole byte, with every 0xFF byte followed by 0x00."""
        padding = -self._size % 8
        value = (self._value << padding) | ((1 << padding) - 1)
        raw = value.to_bytes((self._size + padding) // 8, "big")
        return raw.replace(b"\xff", b"\xff\x00")

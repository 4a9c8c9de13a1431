"""Plain text reader: detects the encoding, streams lines as blocks.

Encoding detection order:
1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32);
2. UTF-16 without BOM, recognised by the pattern of zero bytes;
3. strict UTF-8 on a sample;
4. charset-normalizer (a maintained detector) on a sample; GBK/GB2312 answers are widened to GB18030,
   its superset, so that rare characters still decode.

Binary junk (control bytes, undecodable data) raises :class:`InputError` instead of producing garbage
clauses. The file is decoded incrementally, so memory does not grow with the file size.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..model import Block

SAMPLE = 256 * 1024
CHUNK = 1024 * 1024

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]

_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "hz": "gb18030", "big5": "big5hkscs"}


def _utf16_without_bom(sample: bytes) -> str | None:
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    n = min(len(even), len(odd))
    if n == 0:
        return None
    z_even = even.count(0) / n
    z_odd = odd.count(0) / n
    # ASCII-heavy UTF-16 has zeros in every other byte; CJK-heavy UTF-16 has few zeros, so also try a decode
    if z_odd > 0.3 and z_even < 0.05:
        return "utf-16-le"
    if z_even > 0.3 and z_odd < 0.05:
        return "utf-16-be"
    if b"\x00" in sample:  # CJK-heavy UTF-16 (only the ASCII characters carry zero bytes): decide by decoding
        best, best_score = None, 0.0
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = codecs.getincrementaldecoder(enc)(errors="strict").decode(sample[: len(sample) // 2 * 2])
            except UnicodeDecodeError:
                continue
            score = len(_PLAUSIBLE.findall(text)) / max(1, len(text))
            if score > best_score:
                best, best_score = enc, score
        if best_score > 0.95:
            return best
    return None


# characters real text is made of: ASCII, Latin, Greek, Cyrillic, punctuation, letter-like symbols and
# arrows (℃ №), maths (≤ ≥), enclosed numbers (①), box/shapes (■ ●), CJK punctuation, kana, CJK, Hangul,
# full-width forms
_PLAUSIBLE = re.compile(r"[\t\n\r\f\x20-\x7e\u00a0-\u04ff\u2000-\u22ff\u2460-\u27bf\u3000-\u30ff\u3400-\u4dbf"
                        r"\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _decodes(sample: bytes, enc: str) -> bool:
    dec = codecs.getincrementaldecoder(enc)(errors="strict")
    try:
        dec.decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        return False


def detect_encoding(sample: bytes) -> str:
    """Return a Python codec name for ``sample`` (the start of a file). Raises ``ValueError`` for binary data."""
    for bom, enc in _BOMS:
        if sample.startswith(bom):
            return enc
    enc16 = _utf16_without_bom(sample)
    if enc16:
        return enc16
    if b"\x00" in sample:
        raise ValueError("binary data (NUL bytes), not text")
    if _decodes(sample, "utf-8"):
        return "utf-8"
    # on short samples charset-normalizer often names Big5, UTF-16 or a Korean/Arabic code page for GBK bytes:
    # text that is valid GB2312 (and has no zero bytes, so it is not UTF-16) is read as GB18030, and the
    # detector (several ms per file) is asked only about the rest
    if _decodes(sample, "gb2312"):
        return "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        # last resort for Chinese text: GB18030 decodes any byte sequence that looks like text
        if _decodes(sample, "gb18030"):
            return "gb18030"
        raise ValueError("unknown encoding (not UTF-8, UTF-16, GB18030 or anything charset-normalizer recognises)")
    enc = best.encoding.lower().replace("_", "-")
    enc = _WIDEN.get(enc.replace("-", ""), _WIDEN.get(enc, enc))
    if enc.startswith("utf-16") or enc.startswith("utf-32"):
        return enc
    # charset-normalizer sometimes names a single-byte code page for Chinese bytes: prefer GB18030 when it decodes
    if enc not in ("gb18030", "big5hkscs", "utf-8") and _decodes(sample, "gb18030"):
        text = sample.decode("gb18030", errors="ignore")
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        if cjk > len(text) * 0.2:
            return "gb18030"
    return enc


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def _check_text(path: Path, text: str) -> None:
    if not text.strip():
        return
    bad = len(_CONTROL.findall(text))
    if bad > max(8, len(text) * 0.02):
        raise InputError(path, "binary data, not text (control characters throughout)")


def decode_stream(path: Path) -> Iterator[str]:
    """Yield decoded text chunks of ``path`` with the detected encoding."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE)
        if not sample.strip(b" \t\r\n\x00"):
            raise InputError(path, "empty file (white space only)")
        try:
            enc = detect_encoding(sample)
        except ValueError as e:
            raise InputError(path, str(e)) from None
        dec = codecs.getincrementaldecoder(enc)(errors="strict")
        data = sample
        first = True
        ascii_so_far = enc == "utf-8"  # an all-ASCII start says nothing about the encoding of the rest
        offset = 0
        while True:
            try:
                text = dec.decode(data, final=not data)
            except UnicodeDecodeError as e:
                if not (ascii_so_far and data):
                    raise InputError(path, f"not valid {enc} text at byte {offset + e.start}") from None
                # the first non-ASCII bytes come after the sample: detect the encoding again on them
                try:
                    enc = detect_encoding(data)
                    dec = codecs.getincrementaldecoder(enc)(errors="strict")
                    text = dec.decode(data, final=False)
                except (ValueError, UnicodeDecodeError):
                    raise InputError(path, f"not valid {enc} text at byte {offset + e.start}") from None
            if ascii_so_far:
                ascii_so_far = data.isascii()
            offset += len(data)
            if first:
                _check_text(path, text)
                first = False
            if text:
                yield text
            if not data:
                break
            data = fh.read(CHUNK)


def iter_lines(path: Path) -> Iterator[str]:
    """Decoded lines of a file, streamed, without line terminators (\\r\\n, \\r, \\n, \\f handled)."""
    rest = ""
    for chunk in decode_stream(path):
        buf = rest + chunk
        tail = ""
        if buf.endswith("\r"):  # may be the first half of a CRLF split across chunks: decide with the next chunk
            buf, tail = buf[:-1], "\r"
        # == re.split(r"\r\n|\r|\n", buf) (replace() and the regex both take the leftmost "\r\n" first), 3x faster
        if "\r" in buf:
            buf = buf.replace("\r\n", "\n").replace("\r", "\n")
        parts = buf.split("\n")
        rest = parts.pop() + tail
        yield from parts
    if rest.endswith("\r"):
        yield rest[:-1]
    elif rest:
        yield rest


def read_txt(path) -> Iterator[Block]:
    """Yield one block per line of a text file (blank lines become empty blocks: they carry layout).

    A form feed (page break in exported text) yields a ``break``-free page increment; pages matter for
    repeated header/footer detection.
    """
    p = Path(path)
    page = 1
    src = str(p)
    for n, line in enumerate(iter_lines(p), start=1):
        if "\f" in line:
            pieces = line.split("\f")
            for i, piece in enumerate(pieces):
                if i:
                    page += 1
                if piece.strip():
                    yield Block(text=piece, line=n, page=page, source=src)
            continue
        # positional (text, kind, level, label, page, line, font_size, bold, source): one block per line, and
        # keyword arguments cost measurably more
        yield Block(line, "para", None, None, page, n, None, False, src)

"""Readers turn a file into a stream of :class:`stdkb.model.Block`.

``read_blocks(path)`` picks the reader by content and extension. Every reader raises only
:class:`stdkb.errors.InputError` (one line naming the file and the reason) for bad input.

One module per format: ``txt`` (plain text, any encoding), ``markdown``, ``docx``, ``pdf``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Optional

from ..errors import InputError, StdkbError
from ..model import Block

TEXT_EXTS = {".txt", ".text", ""}
MD_EXTS = {".md", ".markdown"}
DOCX_EXTS = {".docx", ".docm"}
PDF_EXTS = {".pdf"}
SUPPORTED_EXTS = TEXT_EXTS | MD_EXTS | DOCX_EXTS | PDF_EXTS

#: Files larger than this are refused with a clear error (override with ``max_bytes`` / ``--max-size``).
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


def sniff_format(path: Path, head: bytes) -> str:
    ext = path.suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if ext in DOCX_EXTS or ext not in TEXT_EXTS | MD_EXTS | PDF_EXTS:
            return "docx"
        return "docx"  # a zip with a .txt name: let the docx reader say it is not a DOCX
    if ext in PDF_EXTS:
        return "pdf"
    if ext in DOCX_EXTS:
        return "docx"
    if ext in MD_EXTS:
        return "markdown"
    return "txt"


def read_blocks(path, *, password: Optional[str] = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Block]:
    """Yield the blocks of one file. Raises :class:`InputError` for anything that is not a readable standard."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file")
    if p.is_dir():
        raise InputError(p, "is a directory")
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError as e:
        raise InputError(p, f"cannot open: {e.strerror or e}") from None
    if size == 0:
        raise InputError(p, "empty file")
    if max_bytes and size > max_bytes:
        raise InputError(p, f"file too large ({size / 1048576:.0f} MB > {max_bytes / 1048576:.0f} MB limit; raise it with --max-size)")
    fmt = sniff_format(p, head)
    try:
        if fmt == "pdf":
            from .pdf import read_pdf
            yield from read_pdf(p, password=password)
        elif fmt == "docx":
            from .docx import read_docx
            yield from read_docx(p)
        elif fmt == "markdown":
            from .markdown import read_markdown
            yield from read_markdown(p)
        else:
            from .txt import read_txt
            yield from read_txt(p)
    except StdkbError:
        raise
    except MemoryError:
        raise InputError(p, "out of memory while reading") from None
    except Exception as e:  # a reader bug or a library choking on malformed input: never escape raw
        raise InputError(p, f"unreadable {fmt} file ({type(e).__name__}: {e})") from None


def iter_input_files(paths) -> Iterator[Path]:
    """Expand files and directories (recursively, sorted) into the files stdkb can read.

    Paths that do not exist are yielded as they are, so the caller reports them per file.
    Hidden files and directories are skipped.
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    f = Path(root) / name
                    if f.suffix.lower() in SUPPORTED_EXTS and name.lower() not in {"readme.md", "license", "license.txt"}:
                        yield f
        else:
            yield p

"""The whole job as plain functions: read -> split into documents -> segment -> extract -> mark duplicates.

    process_path(path)            documents of one file (generator)
    process_paths(paths, ...)     documents of many files and directories; bad files are reported, not fatal
    process_text(text, source)    documents of a string (tests, library users)
    process_blocks(blocks, src)   documents of an already-read block stream

Documents are streamed: the pipeline never holds more than one source file's documents at a time, except
the fingerprints kept for near-duplicate detection (a few hundred bytes per document).
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .errors import InputError, StdkbError
from .model import Block, Document


def process_blocks(blocks: Iterable[Block], source: str, *, extract: bool = True, dedupe=None,
                   source_sha256: Optional[str] = None) -> Iterator[Document]:
    from .documents import DuplicateIndex, split_documents
    from .segment import segment_document

    if dedupe is None:
        dedupe = DuplicateIndex()
    extractor = None
    if extract:
        from .extract import extract_document as extractor
    for doc in split_documents(blocks, source):
        doc.source_sha256 = source_sha256
        segment_document(doc)
        dedupe.mark(doc)
        if extractor is not None:
            extractor(doc)
        yield doc


def file_sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def process_path(path, *, extract: bool = True, password: Optional[str] = None, max_bytes: Optional[int] = None,
                 dedupe=None) -> Iterator[Document]:
    """Documents of one file. Raises :class:`InputError` (only) for unreadable input."""
    from .readers import DEFAULT_MAX_BYTES, read_blocks

    p = Path(path)
    blocks = read_blocks(p, password=password, max_bytes=DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
    sha = file_sha256(p) if p.is_file() else None
    produced = False
    try:
        for doc in process_blocks(blocks, str(p), extract=extract, dedupe=dedupe, source_sha256=sha):
            produced = True
            yield doc
    except StdkbError:
        raise
    except RecursionError:
        raise InputError(p, "document structure too deeply nested") from None
    if not produced:
        raise InputError(p, "no text found (nothing that looks like a standard)")


def process_paths(paths, *, extract: bool = True, password: Optional[str] = None, max_bytes: Optional[int] = None,
                  on_error: Optional[Callable[[InputError], None]] = None,
                  on_file: Optional[Callable[[Path], None]] = None) -> Iterator[Document]:
    """Documents of many files and directories, in order. A file that fails is passed to ``on_error`` (default:
    re-raise) and the batch goes on. Documents of a failing file are only yielded when the whole file was read,
    so a consumer never sees half a file."""
    import gc

    from .documents import DuplicateIndex
    from .readers import iter_input_files

    dedupe = DuplicateIndex()
    # a batch allocates many small objects that live until their document is written: collecting the young
    # generation less often saves ~5% and changes nothing else (restored when the batch ends)
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 20000), threshold[1], threshold[2])
    try:
        for f in iter_input_files(paths):
            if on_file:
                on_file(f)
            try:
                docs = list(process_path(f, extract=extract, password=password, max_bytes=max_bytes, dedupe=dedupe))
            except InputError as e:
                if on_error is None:
                    raise
                on_error(e)
                continue
            yield from docs
    finally:
        gc.set_threshold(*threshold)


def process_text(text: str, source: str = "<text>", *, extract: bool = True) -> list[Document]:
    """Documents of a string, as if it were a text file."""
    blocks = (Block(text=line, line=n, page=1, source=source) for n, line in enumerate(text.splitlines(), start=1))
    return list(process_blocks(blocks, source, extract=extract))

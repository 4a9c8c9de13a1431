"""stdkb: turn standards documents into a knowledge base.

Every stage is a plain function:

    >>> import stdkb
    >>> docs = list(stdkb.process_paths(["corpus/"]))        # read + split + segment + extract, many files
    >>> from stdkb import read_blocks, split_documents, segment_document, extract_document   # the stages

The heavy libraries (spaCy, sqlite-utils, datasette, networkx, pdfplumber) are imported lazily inside the
functions that need them, so that ``import stdkb`` and ``stdkb --help`` stay fast.
"""
__version__ = "0.1.0"

from .errors import StdkbError, InputError  # noqa: F401
from .model import Block, Clause, Document, Obligation, Threshold, Phrase, Reference  # noqa: F401


def __getattr__(name):  # lazy re-exports, keep start-up fast
    if name in {"process_path", "process_paths", "process_text", "process_blocks"}:
        from . import pipeline
        return getattr(pipeline, name)
    if name == "read_blocks":
        from .readers import read_blocks
        return read_blocks
    if name == "split_documents":
        from .documents import split_documents
        return split_documents
    if name == "segment_document":
        from .segment import segment_document
        return segment_document
    if name == "extract_document":
        from .extract import extract_document
        return extract_document
    raise AttributeError(name)

"""Extraction: fill each clause's obligations, thresholds, phrases and references.

Contract (used by the pipeline, the store and the checklist):

    extract_document(doc: Document) -> Document
        Fills ``clause.obligations / thresholds / phrases / references`` of every clause of ``doc`` in place
        (lists of :mod:`stdkb.model` dataclasses) and returns ``doc``. Context such as the heading chain
        (``clause.path`` and the ``title`` of ancestor headings, e.g. a "禁忌用语" heading) is available through
        ``doc.clauses`` and ``clause.parent``.

Implemented in the per-concern modules of this package; see their docstrings.
"""

"""The data model shared by every stage.

Readers yield :class:`Block` s; :func:`stdkb.documents.split_documents` groups them into documents;
:func:`stdkb.segment.segment` turns a document's blocks into :class:`Clause` s; the extractors fill each
clause's ``obligations``, ``thresholds``, ``phrases`` and ``references``.

``Document.to_dict()`` is the project's stable machine interface (``stdkb extract --format json``),
described by ``schema/extract.schema.json``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional


@dataclass(slots=True)
class Block:
    """One unit of text a reader found, with the layout hints it could recover.

    kind:
      ``para``      an ordinary paragraph or line of text
      ``heading``   a heading known from layout (DOCX heading style, Markdown ``#``, larger/bold PDF text);
                    ``level`` is its depth (1 = top)
      ``list_item`` an item of a numbered list whose number is not in the text (DOCX automatic numbering,
                    Markdown ordered list); the rendered number is in ``label``
      ``table_row`` one row of a table, cells joined with `` | ``
      ``title``     a document title known from layout (DOCX Title style)
      ``break``     a hard document boundary (e.g. a form feed); carries no text
    """

    text: str
    kind: str = "para"
    level: Optional[int] = None
    label: Optional[str] = None
    page: Optional[int] = None
    line: Optional[int] = None
    font_size: Optional[float] = None
    bold: bool = False
    source: Optional[str] = None


@dataclass
class Obligation:
    modality: str  # obligation | prohibition | recommendation | permission
    text: str
    actor: Optional[str] = None
    action: Optional[str] = None
    condition: Optional[str] = None
    exception: Optional[str] = None
    strength: Optional[str] = None
    confidence: float = 1.0
    rule: Optional[str] = None


@dataclass
class Threshold:
    value: Optional[float]
    unit: Optional[str]
    comparator: str  # <= >= < > = range
    text: str
    max: Optional[float] = None
    quantity: Optional[str] = None
    per: Optional[str] = None
    si_value: Optional[float] = None
    si_unit: Optional[str] = None
    si_max: Optional[float] = None
    confidence: float = 1.0
    rule: Optional[str] = None


@dataclass
class Phrase:
    kind: str  # prohibited | required
    text: str
    confidence: float = 1.0
    rule: Optional[str] = None


@dataclass
class Reference:
    kind: str  # document | clause | law
    target: str
    text: str
    resolved: Optional[str] = None  # clause id inside the same document, when found
    confidence: float = 1.0
    rule: Optional[str] = None


@dataclass(slots=True)
class Clause:
    id: str
    label: Optional[str]
    path: list
    kind: str  # heading | clause | text (unnumbered text before the first clause)
    level: int
    parent: Optional[str]
    text: str
    raw_label: Optional[str] = None  # the number as written ("（一）", "1、")
    scheme: Optional[str] = None  # numbering scheme key, e.g. "decimal", "cn_paren"
    title: Optional[str] = None  # heading text for headings ("禁忌用语")
    line: Optional[int] = None
    page: Optional[int] = None
    obligations: list = field(default_factory=list)
    thresholds: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    references: list = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "path": list(self.path),
            "kind": self.kind,
            "level": self.level,
            "parent": self.parent,
            "text": self.text,
            "title": self.title,
            "scheme": self.scheme,
            "line": self.line,
            "page": self.page,
            "obligations": [asdict(o) for o in self.obligations],
            "thresholds": [asdict(t) for t in self.thresholds],
            "phrases": [asdict(p) for p in self.phrases],
            "references": [asdict(r) for r in self.references],
        }


@dataclass
class Document:
    id: str
    title: str
    source: str
    lang: str = "zh"
    duplicate_of: Optional[str] = None
    clauses: list = field(default_factory=list)
    sha256: Optional[str] = None  # hash of the document's own text (dedupe, incremental builds)
    source_sha256: Optional[str] = None  # hash of the whole source file
    index: int = 0  # position of the document inside its source file
    noise: list = field(default_factory=list)  # lines skipped as noise/TOC (kept for the no-text-lost check)
    blocks: list = field(default_factory=list, repr=False)  # the document's blocks, consumed by the segmenter

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "lang": self.lang,
            "duplicate_of": self.duplicate_of,
            "sha256": self.sha256,
            "clauses": [c.to_dict() for c in self.clauses],
        }

    def clause(self, clause_id: str) -> Optional[Clause]:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        return None

"""Extraction: fill each clause's obligations, thresholds, phrases and references.

Contract (used by the pipeline, the store and the checklist):

    extract_document(doc: Document) -> Document
        Fills ``clause.obligations / thresholds / phrases / references`` of every clause of ``doc`` in place
        (lists of :mod:`stdkb.model` dataclasses) and returns ``doc``. Context such as the heading chain
        (``clause.path`` and the ``title`` of ancestor headings, e.g. a "禁忌用语" heading) is available through
        ``doc.clauses`` and ``clause.parent``.

    extract_text(text, lang="zh", context=()) -> {"obligations": [...], "thresholds": [...],
                                                   "phrases": [...], "references": [...]}
        The same for one piece of text; ``context`` = titles of the enclosing headings, outermost first
        (e.g. ``["服务用语", "禁忌用语"]``).

Which path does what
--------------------
The rule engines are plain Python over strings (:mod:`.obligations`, :mod:`.phrases`, :mod:`.thresholds`,
:mod:`.references`); ``extract_text`` and ``extract_document`` call them directly, because a spaCy ``Doc``
per clause costs more than the rules themselves and spaCy's import costs ~0.6 s (``stdkb extract`` on a
20 KB file must finish in well under a second). :mod:`.pipeline` wraps the same engines as registered spaCy
components (``stdkb_obligations``, ``stdkb_phrases``, ``stdkb_thresholds``, ``stdkb_references``) for users
who work in spaCy: ``build_nlp("zh")(text)`` gives span groups and ``doc._.obligations`` etc. with
identical results. Figures (CPU time on one core): the engines over the 76,784 clauses of the 10 MB bench
corpus ~4.8 MB/s warm (obligations ~7.7, thresholds ~22, phrases ~44, references ~100 MB/s); inside
``bench/bench_pipeline.py`` (read+segment+extract minus read+segment) ~0.23 CPU s per MB; ``bench/bench_extract.py``
(seed corpus lines) engine ~4.1 MB/s; the spaCy path ~0.5 MB/s plus ~0.6-1.3 s to import spaCy and build the
pipeline. What keeps it fast: literal word lists are trie regexes (a pattern that opens with a literal or a
character class is scanned for in C; one that opens with a look-behind gets a ``(?=[first chars])`` guard),
each engine returns early when its cue characters are absent (no digit, no quote, no 《/号/第), a sentence
without a modal marker is ruled out before its segments are classified unless it can be an imperative norm,
``extract_document`` runs one engine at a time over a document's clauses (its patterns stay in the CPU caches),
heading chains are built once per parent, and records are built positionally.
English (``bench/bench_extract.py --lang en``, 5 MB of generated standards-like clauses): engine ~1.0 MB/s
(obligations ~2.9, thresholds ~3.2, references ~14, phrases ~27 MB/s), document ~1.1 MB/s, up from ~0.6 MB/s. English patterns
are case-insensitive, and a case-insensitive literal gets no fast first-character test inside a branch: long
alternations are bucketed by first letter (``_text.dispatch_alternation``), guards are compiled with the
pattern's own flags (``_text.first_class``), and where lower() is exactly the pattern's case folding (ASCII text)
substring tests rule scans out (clause words, law suffixes, count words, number words, exception triggers). What remains is
spread thin: the number scan (~0.12 s per MB), per-number and per-statement Python, the sentence and segment splits.
Quality: ``bench/eval_extraction.py``.

Context used by ``extract_document``: the document title (outermost) followed by the titles of the
clause's ancestor headings (walking ``clause.parent``), so a whole "客户服务标准" counts as a standards
context for imperative norms.
"""
from __future__ import annotations

from typing import Sequence

from .obligations import find_obligations
from .phrases import find_phrases

__all__ = ["extract_text", "extract_document", "find_obligations", "find_phrases"]

try:  # owned by the thresholds/references work; tolerate their absence while both are being built
    from .thresholds import find_thresholds
except ImportError:  # pragma: no cover - only while the module does not exist yet
    find_thresholds = None
try:
    from .references import find_references, resolve_references
except ImportError:  # pragma: no cover
    find_references = resolve_references = None


def _norm_lang(lang: str | None) -> str:
    lang = (lang or "zh").lower()
    return "zh" if lang.startswith("zh") else ("en" if lang.startswith("en") else lang)


def extract_text(text: str, lang: str = "zh", context: Sequence[str] = (), *, imperative: bool = True) -> dict:
    """All four extractions for one clause text. ``imperative=False`` for heading text."""
    lang = _norm_lang(lang)
    context = tuple(c for c in (context or ()) if c)
    phrases = find_phrases(text, lang, context)
    obligations = find_obligations(text, lang, context, phrases=phrases, imperative=imperative)
    thresholds = find_thresholds(text, lang, context) if find_thresholds is not None else []
    references = find_references(text, lang) if find_references is not None else []
    return {"obligations": obligations, "thresholds": thresholds, "phrases": phrases, "references": references}


def clause_context(doc, clause, _by_id=None) -> list[str]:
    """Document title + ancestor heading titles of ``clause``, outermost first."""
    by_id = _by_id if _by_id is not None else {c.id: c for c in doc.clauses}
    chain = []
    seen = set()
    pid = clause.parent
    while pid and pid not in seen:
        seen.add(pid)
        p = by_id.get(pid)
        if p is None:
            break
        t = p.title or (p.text if p.kind == "heading" else None)
        if t:
            chain.append(t)
        pid = p.parent
    chain.reverse()
    if doc.title:
        chain.insert(0, doc.title)
    return chain


def extract_document(doc):
    """Fill every clause of ``doc`` in place; returns ``doc``."""
    lang = _norm_lang(getattr(doc, "lang", "zh"))
    by_id = {c.id: c for c in doc.clauses}
    ctx_of_parent: dict = {}  # siblings share their heading chain: build it once per parent
    work = []
    for c in doc.clauses:
        text = c.text or ""
        if not text.strip():
            continue
        ctx = ctx_of_parent.get(c.parent)
        if ctx is None:
            ctx = ctx_of_parent[c.parent] = tuple(x for x in clause_context(doc, c, by_id) if x)
        work.append((c, text, ctx, (c.title or "").strip().rstrip(":：") if c.title else ""))
    # The engines directly (extract_text's dict and argument normalisation cost ~5% here), one engine at a
    # time over the whole document rather than all four per clause: each engine's patterns and code stay
    # in the CPU caches across the document's clauses (~8% less CPU for the extraction in the pipeline).
    for c, text, ctx, own in work:
        if own and text.startswith(own):
            # the clause's own title is context for its body: "禁忌用语\n“不知道”…", "Forbidden phrases\n…"
            c.phrases = find_phrases(text[len(own):].lstrip(" :：\n"), lang, ctx + (own,))
        else:
            c.phrases = find_phrases(text, lang, ctx)
    for c, text, ctx, title in work:
        if c.kind == "heading":
            # a heading names a topic ("咨询台部分:", "感谢光临"): modal words may still mark a norm, but an
            # unmarked heading is never an imperative one
            obligations = find_obligations(text, lang, ctx, phrases=c.phrases, imperative=False)
            c.obligations = [o for o in obligations if o.rule not in ("imperative", "negated_imperative")]
        else:
            obligations = find_obligations(text, lang, ctx, phrases=c.phrases)
            if title and obligations:
                # the clause's own title line ("服务理念\n始于用户需求…") is not an imperative norm
                obligations = [o for o in obligations
                               if not (o.rule == "imperative" and o.text.strip().rstrip(":：") == title)]
            c.obligations = obligations
    for c, text, ctx, _title in work:
        c.thresholds = find_thresholds(text, lang, ctx) if find_thresholds is not None else []
    for c, text, ctx, _title in work:
        c.references = find_references(text, lang) if find_references is not None else []
    if resolve_references is not None:
        resolve_references(doc)
    return doc

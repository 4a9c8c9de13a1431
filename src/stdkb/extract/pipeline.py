"""spaCy components wrapping the extraction rule engines.

Importing this module registers four factories (``@Language.factory``)::

    stdkb_phrases      -> doc._.phrases      + doc.spans["phrases"]      (label: prohibited | required)
    stdkb_obligations  -> doc._.obligations  + doc.spans["obligations"]  (label: the modality)
    stdkb_thresholds   -> doc._.thresholds   + doc.spans["thresholds"]   (label: the comparator)
    stdkb_references   -> doc._.references   + doc.spans["references"]   (label: document | clause | law)

``doc._.<name>`` holds the :mod:`stdkb.model` dataclasses (confidence and rule included); each span group
holds the matching character spans (expanded to token boundaries). Heading context (titles of the
enclosing headings, outermost first) is read from ``doc._.context``; set it before running the components,
or use :func:`run`.

    >>> from stdkb.extract.pipeline import build_nlp, run
    >>> nlp = build_nlp("zh")                         # spacy.blank("zh") + the four components, cached
    >>> doc = run(nlp, "严禁说“不知道”。", context=["服务用语"])
    >>> [(s.text, s.label_) for s in doc.spans["phrases"]]
    [('不知道', 'prohibited')]

The components give exactly the results of :func:`stdkb.extract.extract_text`; ``extract_text`` and
``extract_document`` call the engines directly because building a spaCy ``Doc`` per clause costs more than
the rules (see ``bench/bench_extract.py``). No model is downloaded: the pipeline is ``spacy.blank``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from . import find_obligations, find_phrases

__all__ = ["build_nlp", "run", "COMPONENTS"]

COMPONENTS = ("stdkb_phrases", "stdkb_obligations", "stdkb_thresholds", "stdkb_references")

for _name in ("obligations", "thresholds", "phrases", "references"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
if not Doc.has_extension("context"):
    Doc.set_extension("context", default=None)


def _lang_of(doc: Doc, configured: str | None) -> str:
    lang = configured or doc.lang_ or "zh"
    return "zh" if lang.startswith("zh") else ("en" if lang.startswith("en") else lang)


def _ctx(doc: Doc) -> tuple:
    return tuple(doc._.context or ())


def _spans(doc: Doc, items, label_of, key: str) -> None:
    """Put one span per item (located by its ``text`` in the doc text, in order) in ``doc.spans[key]``."""
    text = doc.text
    spans = []
    cursor = 0
    for it in items:
        needle = (getattr(it, "text", "") or "").strip()
        if not needle:
            continue
        i = text.find(needle, cursor)
        if i == -1:
            i = text.find(needle)
        if i == -1:
            continue
        cursor = i + 1
        sp = doc.char_span(i, i + len(needle), label=label_of(it), alignment_mode="expand")
        if sp is not None:
            spans.append(sp)
    doc.spans[key] = spans


class _Component:
    key = ""

    def __init__(self, nlp: Language, name: str, lang: str | None = None):
        self.name = name
        self.lang = lang

    def extract(self, doc: Doc, lang: str, ctx: tuple):  # pragma: no cover - overridden
        raise NotImplementedError

    def label(self, item) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        items = self.extract(doc, _lang_of(doc, self.lang), _ctx(doc))
        setattr(doc._, self.key, items)
        _spans(doc, items, self.label, self.key)
        return doc


class PhrasesComponent(_Component):
    key = "phrases"

    def extract(self, doc, lang, ctx):
        return find_phrases(doc.text, lang, ctx)

    def label(self, item):
        return item.kind


class ObligationsComponent(_Component):
    key = "obligations"

    def extract(self, doc, lang, ctx):
        phrases = doc._.phrases if doc._.phrases is not None else find_phrases(doc.text, lang, ctx)
        return find_obligations(doc.text, lang, ctx, phrases=phrases)

    def label(self, item):
        return item.modality


class ThresholdsComponent(_Component):
    key = "thresholds"

    def extract(self, doc, lang, ctx):
        from .thresholds import find_thresholds

        return find_thresholds(doc.text, lang, ctx)

    def label(self, item):
        return item.comparator


class ReferencesComponent(_Component):
    key = "references"

    def extract(self, doc, lang, ctx):
        from .references import find_references

        return find_references(doc.text, lang)

    def label(self, item):
        return item.kind


_CONFIG = {"lang": None}


@Language.factory("stdkb_phrases", default_config=_CONFIG)
def make_phrases(nlp: Language, name: str, lang: str | None):
    return PhrasesComponent(nlp, name, lang)


@Language.factory("stdkb_obligations", default_config=_CONFIG)
def make_obligations(nlp: Language, name: str, lang: str | None):
    return ObligationsComponent(nlp, name, lang)


@Language.factory("stdkb_thresholds", default_config=_CONFIG)
def make_thresholds(nlp: Language, name: str, lang: str | None):
    return ThresholdsComponent(nlp, name, lang)


@Language.factory("stdkb_references", default_config=_CONFIG)
def make_references(nlp: Language, name: str, lang: str | None):
    return ReferencesComponent(nlp, name, lang)


@lru_cache(maxsize=None)
def build_nlp(lang: str = "zh") -> Language:
    """``spacy.blank(lang)`` with the four stdkb components (cached per language)."""
    import spacy

    lang = "zh" if (lang or "zh").startswith("zh") else ("en" if lang.startswith("en") else lang)
    nlp = spacy.blank(lang)
    for name in COMPONENTS:
        nlp.add_pipe(name, config={"lang": lang})
    return nlp


def run(nlp: Language, text: str, context: Sequence[str] = ()) -> Doc:
    """Run ``nlp`` on ``text`` with heading ``context`` (sets ``doc._.context`` before the components)."""
    doc = nlp.make_doc(text)
    doc._.context = list(context or ())
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def pipe(nlp: Language, items: Sequence[tuple[str, Sequence[str]]]):
    """``run`` over (text, context) pairs, yielding Docs."""
    for text, context in items:
        yield run(nlp, text, context)

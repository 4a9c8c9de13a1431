"""Prohibited and required phrases (utterances), without their quotes.

Rules (language data in ``lang/<lang>/phrases.json``):

``forbidden_heading``   under a forbidden-phrases heading (禁忌用语, 服务忌语, 禁用语 ...) every quoted
                        utterance is prohibited; an unquoted short line is the utterance itself.
``prohibited_saying``   a quote whose nearest preceding marker in its sentence forbids saying it
                        ("不允许出现口头语,如“我晕、天啊”", "严禁说“…”", "must not say 'calm down'").
``replaced_phrase``     "来代替说“不”", "instead of 'no'": the replaced utterance is prohibited.
``script``              a quote introduced by a say-verb or a colon ("迎客时说:“您好”", "问候客户…:“您好,…”",
                        "greet with 'Good morning'"), and the quotes chained to it by 、 , / 或, is required.

A quote that is neither (“首问负责制”, “V”字型) is not a phrase. Quotes are split on inner quote marks
(the seed's unbalanced ``“您好、“欢迎您的光临”``) and on 、 when every item is short (a list of
interjections, not a sentence); ellipses inside a script are kept ("我会……").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from ..model import Phrase
from ..text import BULLETS, DASH_BULLETS
from ._text import context_has, load, quote_spans

__all__ = ["find_phrases", "split_utterances"]


@dataclass
class _PLex:
    lang: str
    forbidden: tuple
    required: tuple
    say_re: re.Pattern
    prohibit_re: re.Pattern
    oblig_re: re.Pattern
    replace_re: re.Pattern
    list_max: int
    strip_chars: str
    sent_end: str


@lru_cache(maxsize=None)
def _plex(lang: str) -> _PLex:
    zh = (lang or "zh").lower().startswith("zh")
    key = "zh" if zh else "en"
    d = load(key, "phrases")
    m = load(key, "modals")

    def alt(words, bound):
        ws = sorted(words, key=len, reverse=True)
        body = "|".join(re.escape(w.strip()) for w in ws)
        return r"(?<![A-Za-z])(?:%s)(?![A-Za-z])" % body if bound else "(?:%s)" % body

    oblig = [e["word"] for e in m["modals"].get("obligation", [])] + (["请"] if zh else ["please"])
    if zh:
        oblig = [w for w in oblig if w not in ("负责", "执行", "保证", "承诺", "确保", "做到")] + ["而应", "而要", "应说", "要说", "可以说", "可说", "改说", "宜说"]
    return _PLex(
        lang=key,
        forbidden=tuple(w.lower() for w in d.get("forbidden_headings", [])),
        required=tuple(w.lower() for w in d.get("required_headings", [])),
        say_re=re.compile(r"(?:%s)\s*[:：]?\s*$" % alt(d.get("say_verbs", []), not zh), 0 if zh else re.I),
        prohibit_re=re.compile(alt(d.get("prohibit_markers", []), not zh), 0 if zh else re.I),
        oblig_re=re.compile(alt(oblig, not zh), 0 if zh else re.I),
        replace_re=re.compile(r"(?:%s)\s*[:：]?\s*$" % alt(d.get("replace_markers", []), not zh), 0 if zh else re.I),
        list_max=int(d.get("list_split_max", 6)),
        strip_chars=d.get("strip_chars", " \t、，,。.!！?？:：;；/"),
        sent_end="。；;\n" if zh else ".;\n",
    )


@lru_cache(maxsize=4096)
def _forbidden_context(lang: str, context: tuple) -> bool:
    """A heading of the chain names forbidden phrases (禁忌用语); cached per heading chain."""
    return context_has(context, _plex(lang).forbidden)


_ANY_QUOTE = re.compile("[“「『‘\"']")  # the opening marks quote_spans knows (《》 are titles, not utterances)
_INNER_Q = re.compile(r"[“”「」『』\"]")
_LEADING_NUM = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[（(]?[一二三四五六七八九十]+[)）、.]?|[①-⑳])[、.．)）\s]*")


def split_utterances(content: str, lx: _PLex) -> list[str]:
    """One quote's content -> utterances: split on stray quote marks, then on 、 for short lists."""
    out = []
    for part in _INNER_Q.split(content):
        part = part.strip(lx.strip_chars)
        if not part:
            continue
        if lx.list_max and "、" in part:
            items = [x.strip(lx.strip_chars) for x in part.split("、")]
            items = [x for x in items if x]
            if len(items) >= 2 and all(len(x) <= lx.list_max for x in items):
                out.extend(items)
                continue
        out.append(_clean(part, lx))
    return [x for x in out if x]


def _clean(s: str, lx: _PLex) -> str:
    s = s.strip()
    # keep a final ellipsis / question mark only when the utterance is otherwise just that mark
    t = s.rstrip(lx.strip_chars)
    return t if t else s


def _sentence_start(text: str, i: int, ends: str, window: int = 300) -> int:
    """Just after the last sentence end before ``i`` (at most ``window`` back): one rfind per end character."""
    lo = max(0, i - window)
    j = -1
    for ch in ends:
        k = text.rfind(ch, lo, i)
        if k > j:
            j = k
    return j + 1 if j >= 0 else lo


def find_phrases(text: str, lang: str = "zh", context: Sequence[str] = ()) -> list[Phrase]:
    """Prohibited/required utterances in ``text`` (``context``: heading titles, outermost first)."""
    if not text or not text.strip():
        return []
    lx = _plex(lang)
    zh = lx.lang == "zh"
    forbidden_ctx = _forbidden_context(lx.lang, tuple(context) if context else ())
    if not forbidden_ctx and _ANY_QUOTE.search(text) is None:
        return []  # no quote and no forbidden-phrases heading: nothing to find (fast path)
    spans = [s for s in quote_spans(text, sentence_end="。；;\n" if zh else ";\n") if s[2] > s[1]]
    out: list[Phrase] = []
    if forbidden_ctx and not spans:
        # unquoted items under a forbidden-phrases heading: one per line (bulleted lists), each split on 、
        for line in text.split("\n"):
            t = _LEADING_NUM.sub("", _BULLET_LINE.sub("", line)).strip()
            if t and len(t) <= 40 and not lx.prohibit_re.search(t):
                for u in split_utterances(t, lx):
                    out.append(Phrase("prohibited", u, 0.7, "forbidden_heading"))
        return out
    # group quotes into chains: “a”、“b”,“c” / 'a' or 'b'
    chains: list[list[tuple]] = []
    for sp in spans:
        if chains and _CHAIN_GAP.fullmatch(text[chains[-1][-1][3]:sp[0]]):
            chains[-1].append(sp)
        else:
            chains.append([sp])
    prev_end = -1
    for chain in chains:
        a, b = chain[0][0], chain[-1][3]
        sstart = _sentence_start(text, a, lx.sent_end)
        before = text[max(sstart, prev_end):a]
        before_sent = text[sstart:a]
        if _BULLET_ONLY.match(before_sent):
            # a bulleted list of quotes under a lead-in line ("Agents must never say:" / "严禁说:"): the lead-in
            # decides for every item
            lead = _lead_in(text, sstart)
            if lead is not None:
                before = before_sent = lead
        after = text[b:b + 12]
        kind = rule = None
        conf = 0.9
        says = lx.say_re.search(before) is not None or _COLON_END.search(before) is not None
        if forbidden_ctx:
            kind, rule = "prohibited", "forbidden_heading"
            if _SAY_INSTEAD_END.search(before):
                kind, rule, conf = "required", "script", 0.75
        elif lx.replace_re.search(before):
            kind, rule = "prohibited", "replaced_phrase"
        else:
            p_last = -1
            for m in lx.prohibit_re.finditer(before_sent):
                tail = before_sent[m.end():]
                if zh and _WHEN_RE.search(tail):  # "不能立即接待客户时说:" — the marker is in the condition
                    continue
                if zh and _NEW_SAY_ACTION.search(tail):  # "避免遗留在客户处,并说:“…”" — a new action says it
                    continue
                p_last = m.end()
            p_spans = [(m.start(), m.end()) for m in lx.prohibit_re.finditer(before_sent)]
            # an obligation word inside a prohibition marker (要 in 不要, 应 in 不应) is not an obligation
            o_last = max((m.end() for m in lx.oblig_re.finditer(before_sent)
                          if not any(ps <= m.start() < pe for ps, pe in p_spans)), default=-1)
            near_say = says or (_NEAR_SAY.search(before_sent[-20:]) if zh else _NEAR_SAY_I.search(before_sent[-40:]))
            example = _EXAMPLE_AFTER.match(after) if zh else None
            if p_last > o_last and p_last >= 0 and (near_say or example):
                kind, rule = "prohibited", "prohibited_saying"
            elif says or example:
                kind, rule = "required", "script"
                conf = 0.9 if lx.say_re.search(before) else 0.8
            elif (context_has(context, lx.required) and zh and not before.strip(" 、，,:：。")
                  and len(text[chain[0][1]:chain[0][2]]) <= 30):
                kind, rule, conf = "required", "script", 0.7
            elif not before_sent.strip() and _SAY_ANY.search(text[max(0, sstart - 24):sstart]):
                # a sentence made of quotes right after "向客户讲明身份及来意。"
                kind, rule, conf = "required", "script", 0.75
        prev_end = b
        if kind is None:
            continue
        for (_a, cs, ce, _b) in chain:
            for u in split_utterances(text[cs:ce], lx):
                out.append(Phrase(kind, u, conf, rule))
    return out


_BULLET_ONLY = re.compile(rf"^[\s{BULLETS}{re.escape(DASH_BULLETS)}]*$")
_BULLET_LINE = re.compile(rf"^\s*[{BULLETS}{re.escape(DASH_BULLETS)}]")


def _lead_in(text: str, line_start: int):
    """The line introducing the bulleted list that the line at ``line_start`` belongs to, if it ends with a
    colon ("Agents must never say:"); None otherwise."""
    if line_start == 0 or text[line_start - 1] != "\n":
        return None
    for line in reversed(text[:line_start - 1].split("\n")):
        if not line.strip() or _BULLET_LINE.match(line):
            continue
        return line if line.rstrip().endswith((":", "：")) else None
    return None


_CHAIN_GAP = re.compile(r"[\s、，,/／或和及]*|\s*(?:,\s*)?(?:or|and)\s+")
_NEW_SAY_ACTION = re.compile(r"[,，;；]\s*(?:并|再|然后|随后|同时|且|还|应|要|须)?\s*(?:说|讲|道|问候|告知)")
_WHEN_RE = re.compile(r"(?<![小及准按同随即临定适实届])时")
_EXAMPLE_AFTER = re.compile(r"[、，,]?\s*等{1,2}[\u4e00-\u9fff]{0,4}(?:用语|语言|话|字眼|词语|口头语)")
# compiled once (re.search(pattern, ...) looks the pattern up in re's cache on every call)
_COLON_END = re.compile(r"[:：]\s*$")
_SAY_INSTEAD_END = re.compile(r"(?:use|say|应说|改说|改用|而应|可说)\s*$", re.I)
_NEAR_SAY_WORDS = r"(说|讲|称|出现|使用|用语|口头语|说声|say|use|words?|phrases?|slang)"
_NEAR_SAY = re.compile(_NEAR_SAY_WORDS)
_NEAR_SAY_I = re.compile(_NEAR_SAY_WORDS, re.I)
_SAY_ANY = re.compile(r"(说|讲明|讲|告知|问候|致谢|道歉|表示|say|tell|greet)", re.I)

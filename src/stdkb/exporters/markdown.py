"""Printable Markdown: one section per document, items grouped by clause hierarchy, ``- [ ]`` checkboxes."""
from __future__ import annotations

_MOD = {"zh": {"obligation": "应", "prohibition": "禁止", "recommendation": "宜", "permission": "可"},
        "en": {"obligation": "shall", "prohibition": "shall not", "recommendation": "should", "permission": "may"}}
_L = {"zh": {"criteria": "判定", "phrases": "用语", "points": "分值", "actor": "主体", "condition": "条件",
             "exception": "例外", "result": "结果", "evidence": "证据", "inspector": "检查人", "score": "评分",
             "total": "总分", "bands": "等级", "veto": "一票否决", "formula": "计分公式", "items": "检查项",
             "deduction": "扣分", "guarantee": "保证项目", "sections": "分部/分项", "choices": "☐ 合格 ☐ 不合格 ☐ 不适用"},
      "en": {"criteria": "criterion", "phrases": "phrases", "points": "points", "actor": "actor",
             "condition": "condition", "exception": "exception", "result": "result", "evidence": "evidence",
             "inspector": "inspector", "score": "scoring", "total": "total", "bands": "grades", "veto": "veto",
             "formula": "formula", "items": "items", "deduction": "deduction", "guarantee": "guarantee item",
             "sections": "sections", "choices": "☐ pass ☐ fail ☐ n/a"}}


def _esc(s) -> str:
    return " ".join(str(s or "").split())


def render(checklists) -> str:
    out = []
    for cl in checklists:
        lang = cl.lang if cl.lang in _L else "en"
        L, M = _L[lang], _MOD[lang]
        out.append(f"# {_esc(cl.title)}\n")
        out.append(f"- document: `{cl.document_id}`  \n- source: {_esc(cl.source)}  \n- {L['items']}: {len(cl.items)}"
                   + (f"  \n- filters: {', '.join(f'{k}={v}' for k, v in cl.filters.items())}" if cl.filters else "")
                   + "\n")
        shown: list = []
        for it in cl.items:
            heads = list(it.titles)
            # print the part of the title chain that changed since the previous item
            k = 0
            while k < len(heads) and k < len(shown) and heads[k] == shown[k]:
                k += 1
            for depth in range(k, len(heads)):
                out.append(f"{'#' * min(depth + 2, 6)} {_esc(heads[depth])}\n")
            shown = heads
            label = f"**{it.path[-1]}**" if it.path else ""
            flags = []
            if it.veto:
                flags.append(L["veto"])
            if it.guarantee:
                flags.append(L["guarantee"])
            flag = f" ⚠ {'/'.join(flags)}" if flags else ""
            out.append(f"- [ ] {label + ' ' if label else ''}[{M.get(it.modality, it.modality)}] "
                       f"{_esc(it.requirement)}{flag}  ")
            details = []
            if it.actor:
                details.append(f"{L['actor']}: {_esc(it.actor)}")
            if it.condition:
                details.append(f"{L['condition']}: {_esc(it.condition)}")
            if it.exception:
                details.append(f"{L['exception']}: {_esc(it.exception)}")
            if it.criteria:
                details.append(f"{L['criteria']}: " + "; ".join(f"`{_esc(c)}`" for c in it.criteria))
            if it.phrases:
                details.append(f"{L['phrases']}: " + "、".join(
                    f"{'✗' if p['kind'] == 'prohibited' else '✓'}“{_esc(p['text'])}”" for p in it.phrases))
            if it.points is not None:
                details.append(f"{L['points']}: {it.points:g}" + (f" ({L['deduction']}: {_esc(it.deduction)})"
                                                                   if it.deduction else ""))
            for d in details:
                out.append(f"  {d}  ")
            out.append(f"  {L['result']}: {L['choices']} · {L['evidence']}: ________ · "
                       f"{L['inspector']}: ________  <sub>`{it.id}`</sub>\n")
        sheet = cl.score_sheet
        if sheet is not None:
            out.append(f"## {L['score']}\n")
            if sheet.total is not None:
                out.append(f"- {L['total']}: {sheet.total:g}")
            for s in sheet.sections:
                out.append(f"- {_esc(s.name)}: {'' if s.max is None else format(s.max, 'g')}"
                           + (" (+)" if s.bonus else "") + "  ____")
            for f in sheet.formulas:
                out.append(f"- {L['formula']}: `{_esc(f['text'])}`")
            for b in sheet.bands:
                out.append(f"- {L['bands']}: {_esc(b.name)} {b.comparator} {b.value:g}")
            for v in sheet.veto:
                out.append(f"- [ ] {L['veto']}: {_esc(v['text'])}")
            out.append("")
        out.append("")
    return "\n".join(out).rstrip() + "\n"

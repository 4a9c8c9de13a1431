"""XLSX (openpyxl): a "Checklist" sheet with one row per item (frozen header, filter, a drop-down list on the
result column, a per-row score formula) and, for every document that scores, a score sheet whose formulas
compute section scores, the total and the grade from the results typed into the checklist."""
from __future__ import annotations

import io

HEAD = ["ID", "Document", "Section", "Path", "Titles", "Requirement", "Modality", "Actor", "Condition",
        "Exception", "Criteria", "Phrases", "Points", "Deduction", "Guarantee", "Veto", "Result", "Deducted", "Score",
        "Evidence", "Inspector", "Remarks"]
COL = {name: i + 1 for i, name in enumerate(HEAD)}
RESULTS = ("合格", "不合格", "不适用")


def _letter(name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(COL[name])


def _q(s: str) -> str:
    """A string literal inside an Excel formula."""
    return '"' + str(s).replace('"', '""') + '"'


def _safe(s) -> str:
    """Excel refuses control characters in cells."""
    if s is None:
        return None
    return "".join(ch for ch in str(s) if ch in "\t\n" or ord(ch) >= 32)


def render(checklists) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Checklist"
    ws.append(HEAD)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c in ws[1]:
        c.font = bold
        c.fill = fill
    pts, res, sc, ded = _letter("Points"), _letter("Result"), _letter("Score"), _letter("Deducted")
    row = 1
    for cl in checklists:
        for it in cl.items:
            row += 1
            phrases = "、".join(("✗" if p["kind"] == "prohibited" else "✓") + p["text"] for p in it.phrases)
            ws.append([_safe(x) for x in (
                it.id, cl.document_id, it.section, it.path_str, it.title_chain, it.requirement, it.modality,
                it.actor, it.condition, it.exception, "; ".join(it.criteria), phrases)]
                + [it.points, _safe(it.deduction), "Y" if it.guarantee else None, "Y" if it.veto else None,
                   it.result or None, None, None, _safe(it.evidence) or None, _safe(it.inspector) or None,
                   _safe(it.remarks) or None])
            if it.points is not None:
                # pass -> the points; fail -> points minus the deduction typed in "Deducted" (all when empty)
                ws[f"{sc}{row}"] = (f'=IF({res}{row}="合格",{pts}{row},IF({res}{row}="不合格",'
                                    f'MAX(0,{pts}{row}-IF({ded}{row}="",{pts}{row},{ded}{row})),""))')
            ws[f"{_letter('Requirement')}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
    last = max(row, 2)
    dv = DataValidation(type="list", formula1=_q(",".join(RESULTS)), allow_blank=True,
                        errorTitle="Result", error="合格 / 不合格 / 不适用", showErrorMessage=True)
    ws.add_data_validation(dv)
    dv.add(f"{res}2:{res}{max(last, 1000)}")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{_letter('Remarks')}{last}"
    widths = {"ID": 28, "Section": 14, "Path": 14, "Titles": 24, "Requirement": 60, "Criteria": 24, "Phrases": 24,
              "Result": 10, "Evidence": 20, "Inspector": 12}
    for name, w in widths.items():
        ws.column_dimensions[_letter(name)].width = w

    n = 0
    for cl in checklists:
        sheet = cl.score_sheet
        has_points = any(it.points is not None for it in cl.items)
        if sheet is None and not has_points:
            continue
        n += 1
        _score_sheet(wb, cl, sheet, n, last)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _score_sheet(wb, cl, sheet, n, last):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title=f"Score {n}" if n > 1 else "Score")
    bold = Font(bold=True)
    ws.append(["Document", cl.title[:200], cl.document_id])
    ws.append(["Formula", "; ".join(f["text"] for f in sheet.formulas) if sheet else ""])
    ws.append([])
    ws.append(["Section", "Max", "Possible (应得)", "Earned (实得)", "Score", "Bonus"])
    for c in ws[4]:
        c.font = bold
    rng = lambda name: f"Checklist!${_letter(name)}$2:${_letter(name)}${last}"  # noqa: E731
    doc_crit = f"{rng('Document')},{_q(cl.document_id)}"
    scale = (sheet.scale if sheet else None)
    sections = []
    if sheet is not None:
        sections = [(s.name, s.max, s.bonus) for s in sheet.sections]
    known = {s[0] for s in sections}
    for it in cl.items:
        if it.points is not None and it.section and it.section not in known:
            known.add(it.section)
            sections.append((it.section, None, False))
    first = 5
    r = first
    for name, mx, bonus in sections:
        sec_crit = f"{rng('Section')},{_q(name)}"
        possible = (f"=SUMIFS({rng('Points')},{doc_crit},{sec_crit},{rng('Result')},{_q('合格')})"
                    f"+SUMIFS({rng('Points')},{doc_crit},{sec_crit},{rng('Result')},{_q('不合格')})")
        earned = f"=SUMIFS({rng('Score')},{doc_crit},{sec_crit})"
        if bonus:
            score = f"=MIN(D{r},{mx:g})" if mx is not None else f"=D{r}"
        elif scale:
            factor = f"*{mx:g}/{scale:g}" if mx is not None and mx != scale else ""
            score = f'=IF(C{r}>0,D{r}/C{r}*{scale:g}{factor},"")'
        else:
            score = f"=MIN(D{r},{mx:g})" if mx is not None else f"=D{r}"
        guarantee_rows = [it for it in cl.items if it.guarantee and it.section == name]
        if sheet is not None and sheet.guarantee_zero and guarantee_rows:
            zero = (f"COUNTIFS({doc_crit},{sec_crit},{rng('Guarantee')},\"Y\",{rng('Result')},{_q('不合格')})>0")
            score = f"=IF({zero},0,{score[1:]})"
        ws.append([name, mx, possible, earned, score, "Y" if bonus else None])
        r += 1
    end = r - 1
    ws.append([])
    r += 1
    total_row = r
    if end >= first:
        if sheet is not None and sheet.overall_ratio:
            total = (f'=IFERROR(SUMIFS(E{first}:E{end},F{first}:F{end},"<>Y")/'
                     f'(COUNTIFS(E{first}:E{end},">=0",F{first}:F{end},"<>Y")*{scale or 100:g})*{scale or 100:g},"")'
                     f'+SUMIFS(E{first}:E{end},F{first}:F{end},"Y")')
        else:
            total = f"=SUM(E{first}:E{end})"
    else:
        total = None
    ws.append(["Total", sheet.total if sheet else None, None, None, total])
    ws[f"A{total_row}"].font = bold
    r += 1
    veto_row = r
    ws.append(["Vetoed", None, None, None,
               f'=IF(COUNTIFS({doc_crit},{rng("Veto")},"Y",{rng("Result")},{_q("不合格")})>0,"Y","")'])
    r += 1
    grade = None
    if sheet is not None and sheet.bands:
        from ..scoring import lowest_band

        ups = sorted([b for b in sheet.bands if b.comparator in (">=", ">")], key=lambda b: -b.value)
        downs = [b for b in sheet.bands if b.comparator in ("<", "<=")]
        expr = _q(downs[0].name) if downs else '""'
        for b in reversed(ups):
            expr = f"IF(E{total_row}{b.comparator}{b.value:g},{_q(b.name)},{expr})"
        low = lowest_band(sheet)
        grade = f'=IF(E{total_row}="","",IF(E{veto_row}="Y",{_q(low)},{expr}))'
    ws.append(["Grade", None, None, None, grade])
    for b in (sheet.bands if sheet else []):
        ws.append(["", b.name, b.comparator, b.value, b.text[:200]])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 16
    ws.freeze_panes = "A5"

"""Checklist export formats, each read back by its real consumer: csv module, JSON Schema, openpyxl, trestle."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from stdkb.checklist import build_checklist
from stdkb.exporters import export
from test_checklist import service_doc, site_doc

SCHEMA = Path(__file__).resolve().parents[1] / "src" / "stdkb" / "schema" / "checklist.schema.json"


@pytest.fixture(scope="module")
def lists():
    return [build_checklist(service_doc()), build_checklist(site_doc())]


def test_markdown_is_printable_with_checkboxes(lists):
    md = export(lists[:1], "md")
    assert md.startswith("# 燃气客户服务标准")
    assert "## 服务用语" in md and "### 禁忌用语" in md
    assert md.index("## 服务用语") < md.index("### 禁忌用语") < md.index("**4.5.1**")
    assert md.count("- [ ] ") == len(lists[0].items)
    assert "`故障排除时间 <= 4 h`" in md and "✗“不知道”" in md
    md2 = export(lists, "md")
    assert "## 评分" in md2 and "示范" not in md2 and "优良工地 >= 170" in md2
    assert "- [ ] 一票否决" not in md2 or "拒不整改" in md2


def test_csv_has_bom_and_reads_back(lists, tmp_path):
    out = tmp_path / "c.csv"
    text = export(lists, "csv", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(len(c.items) for c in lists)
    assert rows[0]["id"] == "d3f0a1:2/2.3#1" and rows[0]["criteria"] == "故障排除时间 <= 4 h"
    taboo = [r for r in rows if r["path"] == "4/4.5/4.5.2"][0]
    assert json.loads(taboo["phrases"])[1]["text"] == "你找我没用,要解决就去找领导"
    pts = [r for r in rows if r["path"] == "二/1"][0]
    assert pts["points"] == "20" and pts["guarantee"] == "1" and pts["section"] == "施工安全"
    assert all(r["result"] == "" for r in rows)
    assert text.count("\r\n") == len(rows) + 1


def test_json_validates_against_schema(lists):
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    obj = json.loads(export(lists, "json"))
    jsonschema.validate(obj, schema)
    assert obj["checklists"][1]["score_sheet"]["total"] == 200
    bad = json.loads(export(lists, "json"))
    bad["checklists"][0]["items"][0]["modality"] = "must"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_xlsx_reads_back_with_validation_and_score_sheet(lists, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "c.xlsx"
    data = export(lists, "xlsx", out)
    assert isinstance(data, bytes) and out.stat().st_size == len(data)
    wb = load_workbook(out)
    ws = wb["Checklist"]
    head = [c.value for c in ws[1]]
    assert head[0] == "ID" and "Result" in head and "Points" in head
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1 + sum(len(c.items) for c in lists)
    res_col = head.index("Result") + 1
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(res_col)
    dvs = ws.data_validations.dataValidation
    assert any(dv.type == "list" and "合格" in dv.formula1 and "不适用" in dv.formula1
               and f"{letter}2" in str(dv.sqref) for dv in dvs)
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert ids[:1] == ["d3f0a1:2/2.3#1"]
    score_col = head.index("Score") + 1
    row20 = ids.index("a9c:二/1#1") + 2
    formula = str(ws.cell(row=row20, column=score_col).value)
    assert formula.startswith("=IF(") and "MAX(0," in formula and get_column_letter(head.index("Deducted") + 1) in formula
    assert "Score" in wb.sheetnames
    sc = wb["Score"]
    values = [[c.value for c in row] for row in sc.iter_rows()]
    names = [r[0] for r in values]
    assert "施工安全" in names and "场容场貌" in names and "Total" in names and "Grade" in names
    grade = values[names.index("Grade")][4]
    assert "优良工地" in grade and "不合格工地" in grade


def test_oscal_validates_with_trestle(lists):
    from trestle.oscal.catalog import Catalog

    for subset in (lists[:1], lists):
        obj = json.loads(export(subset, "oscal"))
        cat = Catalog.model_validate(obj["catalog"])
        controls = []

        def walk(groups):
            for g in groups or []:
                controls.extend(getattr(g, "controls", None) or [])
                walk(getattr(g, "groups", None))

        walk(cat.groups)
        controls.extend(cat.controls or [])
        assert len(controls) == sum(len(c.items) for c in subset)
        assert len({c.id for c in controls}) == len(controls)
        assert all("\n" not in c.title for c in controls)
    one = json.loads(export(lists[:1], "oscal"))["catalog"]
    top = [g["id"] for g in one["groups"]]
    assert top == ["g-2", "g-4", "g-5"]
    taboo = [g for g in one["groups"][1]["groups"] if g["id"] == "g-4--4.5"][0]
    assert taboo["title"] == "4.5 禁忌用语"
    assert [c["id"] for c in taboo["controls"]] == ["c-4_4.5_4.5.1-1", "c-4_4.5_4.5.2-1"]
    # same documents -> same uuids
    again = json.loads(export(lists[:1], "oscal"))["catalog"]
    assert again["uuid"] == one["uuid"]


def test_unknown_format():
    with pytest.raises(ValueError):
        export([], "pdf")


def test_oscal_ids_from_awkward_labels():
    """Circled numbers, Chinese numerals in brackets, repeated numbers and chapter labels give valid tokens."""
    from trestle.oscal.catalog import Catalog

    from stdkb.model import Clause, Document, Obligation, Phrase

    d = "7abc"
    cl = [Clause(id=f"{d}:第一章", label="第一章", path=["第一章"], kind="heading", level=1, parent=None,
                 text="总则", title="总则"),
          Clause(id=f"{d}:第一章/(一)", label="(一)", path=["第一章", "(一)"], kind="clause", level=2,
                 parent=f"{d}:第一章", text="应当建立台账。", obligations=[Obligation("obligation", "应当建立台账")]),
          Clause(id=f"{d}:第一章/(一)/①", label="①", path=["第一章", "(一)", "①"], kind="clause", level=3,
                 parent=f"{d}:第一章/(一)", text="禁止说“不归我管”。\n第二行",
                 obligations=[Obligation("prohibition", "禁止说“不归我管”")], phrases=[Phrase("prohibited", "不归我管")]),
          Clause(id=f"{d}:第一章/(一)/①~2", label="①", path=["第一章", "(一)", "①"], kind="clause", level=3,
                 parent=f"{d}:第一章/(一)", text="应 当\t 记录。", obligations=[Obligation("obligation", "应 当\t 记录")])]
    doc = Document(id=d, title="标题\n第二行", source="x.txt", clauses=cl)
    obj = json.loads(export([build_checklist(doc)], "oscal"))
    cat = Catalog.model_validate(obj["catalog"])
    ids = json.dumps(obj, ensure_ascii=False)
    assert "c-第一章_一-1" in ids and "c-第一章_一_1-1" in ids and "c-第一章_一_1_2-1" in ids
    assert cat.metadata.title == "标题 第二行"


# ----------------------------------------------------------------- XLSX score formulas, evaluated independently

class _MiniExcel:
    """Just enough of Excel's formula language to evaluate the workbook stdkb writes (IF, SUM, SUMIFS,
    COUNTIFS, MIN, MAX, IFERROR, arithmetic and comparisons), so the score sheet's formulas are checked
    against :func:`stdkb.scoring.compute_score` instead of only being read back as strings."""

    import re as _re

    TOKEN = _re.compile(r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<num>\d+(?:\.\d+)?)|'
                        r"(?P<ref>(?:[A-Za-z_][\w ]*!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)|"
                        r"(?P<fn>[A-Z]+)\(|(?P<op><>|>=|<=|[-+*/=<>(),]))")

    def __init__(self, wb):
        self.wb = wb
        self.memo = {}

    def cell(self, sheet, coord):
        key = (sheet, coord)
        if key not in self.memo:
            v = self.wb[sheet][coord].value
            self.memo[key] = self.formula(v[1:], sheet) if isinstance(v, str) and v.startswith("=") else (
                "" if v is None else v)
        return self.memo[key]

    def range(self, sheet, ref):
        from openpyxl.utils.cell import range_boundaries
        from openpyxl.utils import get_column_letter

        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        return [self.cell(sheet, f"{get_column_letter(c)}{r}") for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

    def formula(self, text, sheet):
        saved = (getattr(self, "toks", None), getattr(self, "i", 0), getattr(self, "sheet", None))
        self.toks = [m for m in self.TOKEN.finditer(text)]
        assert "".join(m.group(0) for m in self.toks).replace(" ", "") == text.replace(" ", ""), text
        self.i, self.sheet = 0, sheet
        try:
            v = self.expr()
            assert self.i == len(self.toks), text
        finally:
            self.toks, self.i, self.sheet = saved
        return v

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, op=None):
        t = self.toks[self.i]
        if op is not None:
            assert t.group("op") == op, (op, t.group(0))
        self.i += 1
        return t

    def expr(self):
        a = self.additive()
        t = self.peek()
        if t is not None and t.group("op") in ("=", "<>", ">=", "<=", ">", "<"):
            op = self.take().group("op")
            return self.compare(a, op, self.additive())
        return a

    @staticmethod
    def compare(a, op, b):
        if isinstance(a, str) or isinstance(b, str):
            a, b = str(a).lower(), str(b).lower()
        return {"=": a == b, "<>": a != b, ">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[op]

    def additive(self):
        v = self.term()
        while self.peek() is not None and self.peek().group("op") in ("+", "-"):
            op = self.take().group("op")
            w = self.term()
            v = v + w if op == "+" else v - w
        return v

    def term(self):
        v = self.unary()
        while self.peek() is not None and self.peek().group("op") in ("*", "/"):
            op = self.take().group("op")
            w = self.unary()
            v = v * w if op == "*" else v / w
        return v

    def unary(self):
        if self.peek().group("op") == "-":
            self.take()
            return -self.unary()
        return self.atom()

    def atom(self):
        t = self.take()
        if t.group("str") is not None:
            return t.group("str")[1:-1].replace('""', '"')
        if t.group("num") is not None:
            return float(t.group("num"))
        if t.group("op") == "(":
            v = self.expr()
            self.take(")")
            return v
        if t.group("ref") is not None:
            ref = t.group("ref")
            sheet, _, coord = ref.rpartition("!")
            sheet = sheet or self.sheet
            return self.range(sheet, coord) if ":" in coord else self.cell(sheet, coord.replace("$", ""))
        name = t.group("fn")
        args = []
        if self.peek().group("op") != ")":
            args.append(self.lazy_arg())
            while self.peek().group("op") == ",":
                self.take()
                args.append(self.lazy_arg())
        self.take(")")
        return self.call(name, args)

    def lazy_arg(self):
        start = self.i
        depth = 0
        while True:
            t = self.peek()
            op = t.group("op") if t is not None else None
            if t is None or (depth == 0 and op in (",", ")")):
                break
            if op == "(" or t.group("fn"):
                depth += 1
            elif op == ")":
                depth -= 1
            self.i += 1
        toks = self.toks[start:self.i]

        def run():
            saved = (self.toks, self.i)
            self.toks, self.i = toks, 0
            try:
                v = self.expr()
            finally:
                self.toks, self.i = saved
            return v
        return run

    @staticmethod
    def match(v, crit):
        crit = str(crit)
        for op in ("<>", ">=", "<=", ">", "<", "="):
            if crit.startswith(op):
                rhs = crit[len(op):]
                try:
                    return isinstance(v, (int, float)) and _MiniExcel.compare(float(v), op, float(rhs))
                except ValueError:
                    return _MiniExcel.compare(str(v), op, rhs)
        return str(v).lower() == crit.lower()

    def call(self, name, args):
        if name == "IF":
            return args[1]() if args[0]() else (args[2]() if len(args) > 2 else False)
        if name == "IFERROR":
            try:
                return args[0]()
            except ZeroDivisionError:
                return args[1]()
        vals = [a() for a in args]
        nums = lambda xs: [x for x in xs if isinstance(x, (int, float)) and not isinstance(x, bool)]  # noqa: E731
        if name == "SUM":
            return sum(sum(nums(v)) if isinstance(v, list) else v for v in vals)
        if name in ("MIN", "MAX"):
            flat = [x for v in vals for x in (nums(v) if isinstance(v, list) else [v])]
            return (min if name == "MIN" else max)(flat)
        if name in ("SUMIFS", "COUNTIFS"):
            target, pairs = (vals[0], vals[1:]) if name == "SUMIFS" else (None, vals)
            n = len(pairs[0])
            ok = [all(self.match(pairs[k][j], pairs[k + 1]) for k in range(0, len(pairs), 2)) for j in range(n)]
            if name == "COUNTIFS":
                return float(sum(ok))
            return float(sum(x for x, good in zip(target, ok) if good and isinstance(x, (int, float))))
        raise AssertionError(f"unsupported function {name}")


def _xlsx_grade(cl, results: dict, tmp_path):
    """Write the checklist as XLSX, type ``results`` (item id -> (result, deducted)) into it, evaluate."""
    from openpyxl import load_workbook

    path = tmp_path / "fill.xlsx"
    export([cl], "xlsx", path)
    wb = load_workbook(path)
    ws = wb["Checklist"]
    head = [c.value for c in ws[1]]
    rc, dc = head.index("Result") + 1, head.index("Deducted") + 1
    for r in range(2, ws.max_row + 1):
        rid = ws.cell(row=r, column=1).value
        if rid in results:
            res, ded = results[rid]
            ws.cell(row=r, column=rc).value = res
            ws.cell(row=r, column=dc).value = ded
    ev = _MiniExcel(wb)
    sc = wb["Score"]
    rows = {sc.cell(row=r, column=1).value: r for r in range(1, sc.max_row + 1)}
    sections = {name: ev.cell("Score", f"E{r}") for name, r in rows.items()
                if name and r >= 5 and name not in ("Total", "Vetoed", "Grade")}
    return sections, ev.cell("Score", f"E{rows['Total']}"), ev.cell("Score", f"E{rows['Grade']}")


@pytest.mark.parametrize("case", ["pass", "deduct", "guarantee", "veto"])
def test_xlsx_score_sheet_formulas_agree_with_compute_score(case, tmp_path):
    cl = build_checklist(site_doc())
    by = {i.path_str: i for i in cl.items}
    filled = {by["二/1"].id: ("合格", None), by["二/2"].id: ("不合格", 15), by["二/3"].id: ("合格", None),
              by["三/1"].id: ("不合格", 10), by["三/2"].id: ("不适用", None)}
    if case == "pass":
        filled = {k: ("合格", None) for k in filled}
    if case == "guarantee":
        filled[by["二/1"].id] = ("不合格", None)
    if case == "veto":
        filled[by["一/(四)/1"].id] = ("不合格", None)
    sections, total, grade = _xlsx_grade(cl, filled, tmp_path)
    results = {k: ({"result": r, "deduction": d} if d is not None else r) for k, (r, d) in filled.items()}
    ref = cl.compute_score(results)
    assert {s["name"]: s["score"] for s in ref["sections"]} == {k: v for k, v in sections.items() if v != ""}
    assert round(total, 2) == ref["total"]
    assert grade == ref["grade"]


def test_xlsx_formulas_agree_on_a_new_standard_through_the_pipeline(tmp_path):
    import stdkb
    from test_scoring import NEW_SITE

    (doc,) = stdkb.process_text(NEW_SITE, "site.txt")
    cl = build_checklist(doc)
    scored = [i for i in cl.items if i.points is not None]
    assert len(scored) >= 5
    filled = {i.id: (("不合格", 4) if k % 2 else ("合格", None)) for k, i in enumerate(scored)}
    sections, total, grade = _xlsx_grade(cl, filled, tmp_path)
    ref = cl.compute_score({k: ({"result": r, "deduction": d} if d is not None else r) for k, (r, d) in filled.items()})
    assert {s["name"]: s["score"] for s in ref["sections"]} == {k: v for k, v in sections.items() if v != ""}
    assert round(total, 2) == ref["total"] and grade == ref["grade"]

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

"""Checklist generation (stdkb.checklist): items, stable ids, filters, criteria, score-sheet wiring."""
from __future__ import annotations

import pytest

from stdkb.checklist import build_checklist, build_checklists, criterion, match_section, pick_document
from stdkb.model import Clause, Document, Obligation, Phrase, Threshold


def C(doc_id, label, parent, text, *, kind="clause", title=None, obligations=(), thresholds=(), phrases=(), line=None):
    path = label.split("/")
    return Clause(id=f"{doc_id}:{label}", label=path[-1], path=path, kind=kind, level=len(path),
                  parent=f"{doc_id}:{parent}" if parent else None, text=text, title=title,
                  obligations=list(obligations), thresholds=list(thresholds), phrases=list(phrases), line=line)


def service_doc(doc_id="d3f0a1") -> Document:
    """A small gas-company customer-service standard, built by hand from the data model."""
    d = doc_id
    clauses = [
        C(d, "2", None, "服务承诺", kind="heading", title="服务承诺"),
        C(d, "2/2.3", "2", "如果输气管网发生故障,公司将及时维修,一般故障排除不超过4小时,大故障不超过24小时。",
          obligations=[Obligation("obligation", "一般故障排除不超过4小时", actor="公司"),
                       Obligation("obligation", "大故障不超过24小时", actor="公司", condition="输气管网发生故障")],
          thresholds=[Threshold(4, "h", "<=", "不超过4小时", quantity="故障排除时间"),
                      Threshold(24, "h", "<=", "不超过24小时", quantity="大故障排除时间")]),
        C(d, "2/2.4", "2", "定期按时上门服务。", obligations=[Obligation("obligation", "定期按时上门服务")]),
        C(d, "4", None, "服务用语", kind="heading", title="服务用语"),
        C(d, "4/4.5", "4", "禁忌用语", kind="heading", title="禁忌用语"),
        C(d, "4/4.5/4.5.1", "4/4.5", "“不知道”、“不管”。",
          phrases=[Phrase("prohibited", "不知道"), Phrase("prohibited", "不管")]),
        C(d, "4/4.5/4.5.2", "4/4.5", "“找领导去”、“你找我没用,要解决就去找领导”。",
          phrases=[Phrase("prohibited", "找领导去"), Phrase("prohibited", "你找我没用,要解决就去找领导")]),
        C(d, "4/4.6", "4", "语速:适中,每分钟吐字约120-140个。",
          thresholds=[Threshold(120, "个", "range", "120-140个", max=140, quantity="语速", per="分钟")]),
        C(d, "5", None, "电话服务", kind="heading", title="电话服务"),
        C(d, "5/5.1", "5", "客服人员不得在通话中离开工作台,严禁与客户发生争执。",
          obligations=[Obligation("prohibition", "不得在通话中离开工作台", actor="客服人员"),
                       Obligation("prohibition", "严禁与客户发生争执", actor="客服人员", exception="紧急情况除外")]),
        C(d, "5/5.2", "5", "问候客户:“您好,XX燃气公司XX号客服员为您服务”。",
          obligations=[Obligation("obligation", "问候客户", actor="客服人员")],
          phrases=[Phrase("required", "您好,XX燃气公司XX号客服员为您服务")]),
        C(d, "5/5.3", "5", "通话结束时说:“感谢您的来电,再见!”",
          phrases=[Phrase("required", "感谢您的来电,再见")]),
    ]
    return Document(id=doc_id, title="燃气客户服务标准", source="hand.txt", clauses=clauses)


def site_doc(doc_id="a9c") -> Document:
    """A construction-site acceptance standard with its own scoring rules (new text, not the seed's)."""
    d = doc_id
    clauses = [
        C(d, "一", None, "评分办法", kind="heading", title="评分办法"),
        C(d, "一/(一)", "一", "工地验收实行量化评分,总分为200分,其中“施工安全”与“场容场貌”均为100分。"
          "各分部实得分=各分部检查项实得分数之和÷各分部检查项应得分数之和×100。"),
        C(d, "一/(二)", "一", "各检查分项的实得分数=应得分数-合计扣分,如检查分项中的保证项目达不到要求的,则该分项不得分。"),
        C(d, "一/(三)", "一", "验收结果分为优良工地(总分在170分及以上)、合格工地(总分在130分及以上)、"
          "不合格工地(总得分低于130分)三个等次。"),
        C(d, "一/(四)", "一", "有下列情况之一的,一票否决:"),
        C(d, "一/(四)/1", "一/(四)", "发生较大及以上生产安全事故的。"),
        C(d, "一/(四)/2", "一/(四)", "拒不整改安全隐患的。"),
        C(d, "二", None, "施工安全", kind="heading", title="施工安全"),
        C(d, "二/1", "二", "保证项目:脚手架搭设必须有专项方案(20分),无方案扣20分。",
          obligations=[Obligation("obligation", "脚手架搭设必须有专项方案(20分)", actor="施工单位")]),
        C(d, "二/2", "二", "临边洞口必须防护严密(30分),每处未防护扣5分。",
          obligations=[Obligation("obligation", "临边洞口必须防护严密(30分)")]),
        C(d, "二/3", "二", "施工用电必须符合一机一闸一漏保(30分),每处扣3分。",
          obligations=[Obligation("obligation", "施工用电必须符合一机一闸一漏保(30分)")]),
        C(d, "三", None, "场容场貌", kind="heading", title="场容场貌"),
        C(d, "三/1", "三", "场地道路必须硬化(40分),每处未硬化扣10分。",
          obligations=[Obligation("obligation", "场地道路必须硬化(40分)")]),
        C(d, "三/2", "三", "建筑材料应分类码放整齐(40分),每处扣5分。",
          obligations=[Obligation("obligation", "建筑材料应分类码放整齐(40分)")]),
    ]
    return Document(id=doc_id, title="某市建筑工地验收评分标准", source="site.txt", clauses=clauses)


def test_one_item_per_obligation_and_phrase_clause():
    cl = build_checklist(service_doc())
    ids = [i.id for i in cl.items]
    assert len(ids) == len(set(ids))
    # 2 obligations + 1 + 2 phrase-only clauses + 1 threshold-only clause + 2 + 1 + 1 phrase-only
    assert len(cl.items) == 10
    first = cl.items[0]
    assert first.id == "d3f0a1:2/2.3#1"
    assert first.path == ["2", "2.3"] and first.titles == ["服务承诺"]
    assert first.criteria == ["故障排除时间 <= 4 h"]
    assert cl.items[1].criteria == ["大故障排除时间 <= 24 h"]
    assert cl.items[1].condition == "输气管网发生故障"
    taboo = [i for i in cl.items if i.path[:2] == ["4", "4.5"]]
    assert [i.modality for i in taboo] == ["prohibition", "prohibition"]
    assert taboo[0].titles == ["服务用语", "禁忌用语"]
    assert {"kind": "prohibited", "text": "不知道"} in taboo[0].phrases
    assert all(i.result == "" and i.evidence == "" and i.inspector == "" for i in cl.items)
    assert cl.score_sheet is None


def test_ids_are_stable_across_rebuilds():
    a = [i.id for i in build_checklist(service_doc()).items]
    b = [i.id for i in build_checklist(service_doc()).items]
    assert a == b
    other = [i.id for i in build_checklist(service_doc("ffff")).items]
    assert not set(a) & set(other)


def test_filters():
    doc = service_doc()
    pro = build_checklist(doc, modality="prohibition")
    assert pro.items and all(i.modality == "prohibition" for i in pro.items)
    assert len(pro.items) == 4
    act = build_checklist(doc, actor="客服人员")
    assert {i.actor for i in act.items} == {"客服人员"} and len(act.items) == 3
    sec = build_checklist(doc, section="4.5")
    assert [i.path[-1] for i in sec.items] == ["4.5.1", "4.5.2"]
    assert [i.path[-1] for i in build_checklist(doc, section="4/4.5").items] == ["4.5.1", "4.5.2"]
    assert build_checklist(doc, section="4.51").items == []
    th = build_checklist(doc, with_thresholds_only=True)
    assert [i.criteria for i in th.items] == [["故障排除时间 <= 4 h"], ["大故障排除时间 <= 24 h"],
                                             ["语速 120–140 个 / 分钟"]]
    assert th.filters == {"with_thresholds_only": True}
    doc.clauses[2].obligations[0].confidence = 0.6  # 2.4 定期按时上门服务: a bare imperative guess
    sure = build_checklist(doc, min_confidence=0.7)
    assert "d3f0a1:2/2.4#1" not in [i.id for i in sure.items] and len(sure.items) == 9


def test_match_section_and_criterion():
    assert match_section(["4", "4.5", "4.5.1"], "4.5")
    assert match_section(["4", "4.5", "4.5.1"], "4/4.5/")
    assert not match_section(["4", "4.5", "4.5.1"], "4/4.6")
    assert not match_section(["4", "4.5"], "5")
    assert criterion(Threshold(3, None, ">=", "3声以上", quantity="振铃")) == "振铃 >= 3"
    assert criterion({"value": 0.5, "unit": "m", "comparator": "<", "text": "小于0.5米"}) == "< 0.5 m (小于0.5米)"


def test_scoring_document_gives_points_sections_and_veto_items():
    cl = build_checklist(site_doc())
    sheet = cl.score_sheet
    assert sheet is not None and sheet.total == 200
    assert [s.name for s in sheet.sections] == ["施工安全", "场容场貌"]
    by = {i.path_str: i for i in cl.items}
    assert by["二/1"].points == 20 and by["二/1"].guarantee and by["二/1"].section == "施工安全"
    assert by["二/2"].deduction == "每处未防护扣5分"
    assert by["三/2"].section == "场容场貌" and not by["三/2"].guarantee
    assert by["一/(四)/1"].veto and by["一/(四)/2"].veto
    # grade the filled-in checklist: 施工安全 20+15+30 of 80 -> ... guarantee item failed -> 0
    results = {by["二/1"].id: "合格", by["二/2"].id: {"deduction": 15}, by["二/3"].id: "合格",
               by["三/1"].id: {"deduction": 10}, by["三/2"].id: "不适用"}
    r = cl.compute_score(results)
    secs = {s["name"]: s for s in r["sections"]}
    # 施工安全: (20 + 15 + 30) / 80 * 100 = 81.25 ; 场容场貌: 30 / 40 * 100 = 75 (不适用 excluded)
    assert secs["施工安全"]["score"] == 81.25 and secs["场容场貌"]["score"] == 75.0
    assert r["total"] == 156.25 and r["grade"] == "合格工地" and not r["vetoed"]
    results[by["二/1"].id] = "不合格"
    r2 = cl.compute_score(results)
    assert {s["name"]: s["score"] for s in r2["sections"]}["施工安全"] == 0.0
    results[by["一/(四)/2"].id] = "不合格"
    r3 = cl.compute_score(results)
    assert r3["vetoed"] and r3["grade"] == "不合格工地"


def test_pick_document_and_duplicates():
    a, b = service_doc("aaa1"), site_doc("bbb2")
    b2 = site_doc("bbb3")
    b2.duplicate_of = "bbb2"
    assert [c.document_id for c in build_checklists([a, b, b2])] == ["aaa1", "bbb2"]
    assert pick_document([a, b], "验收") == [b]
    assert pick_document([a, b], "aaa1") == [a]
    assert pick_document([a, b], None) == [a, b]


# ------------------------------------------------------------------------------------------------- CLI

import csv  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from click.testing import CliRunner  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "corpus" / "000_0488f31712851f27.txt"

NEW_STANDARD = """城市供水营业厅服务规范

1 总则
1.1 本规范适用于本市各供水营业网点。
2 服务要求
2.1 营业员应在客户到达后1分钟内主动招呼客户。
2.2 客户排队等候时间不得超过15分钟。
2.3 营业员不得与客户发生争吵。
2.4 营业厅室内温度宜保持在18℃至26℃之间。
3 服务用语
3.1 接待客户时应说:“您好,欢迎光临XX供水营业厅”。
3.2 禁用语
3.2.1 “这不归我管”。
3.2.2 “你自己去网上查”。
3.3 送别客户时应说:“请慢走,欢迎再来”。
"""


def _run(*args):
    from stdkb.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _validate_oscal(text):
    from trestle.oscal.catalog import Catalog

    return Catalog.model_validate(json.loads(text)["catalog"])


@pytest.fixture(scope="module")
def new_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("std") / "water_service.txt"
    p.write_text(NEW_STANDARD, encoding="utf-8")
    return p


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "xlsx", "oscal"])
def test_cli_every_format_from_new_file(new_file, tmp_path, fmt):
    out = tmp_path / f"c.{fmt}"
    r = _run("checklist", str(new_file), "--format", fmt, "-o", str(out))
    assert r.exit_code == 0, r.output
    _check_output(out, fmt, min_items=5)
    if fmt == "json":
        items = json.loads(out.read_text(encoding="utf-8"))["checklists"][0]["items"]
        crit = [c for i in items for c in i["criteria"]]
        assert any("15" in c and "<=" in c for c in crit), crit
        taboo = [i for i in items if i["path"][-1] in ("3.2.1", "3.2.2")]
        assert taboo and all(i["modality"] == "prohibition" for i in taboo)


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "xlsx", "oscal"])
def test_cli_every_format_from_seed(tmp_path, fmt):
    if not SEED.exists():
        pytest.skip("seed corpus not present")
    out = tmp_path / f"seed.{fmt}"
    r = _run("checklist", str(SEED), "--format", fmt, "-o", str(out))
    assert r.exit_code == 0, r.output
    _check_output(out, fmt, min_items=200)


def _check_output(out: Path, fmt: str, min_items: int):
    if fmt == "md":
        assert out.read_text(encoding="utf-8").count("- [ ] ") >= min_items
    elif fmt == "csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert len(rows) >= min_items and all(r["id"] and r["requirement"] for r in rows)
    elif fmt == "json":
        import jsonschema

        schema = json.loads((Path(__file__).resolve().parents[1] / "src/stdkb/schema/checklist.schema.json")
                            .read_text(encoding="utf-8"))
        obj = json.loads(out.read_text(encoding="utf-8"))
        jsonschema.validate(obj, schema)
        assert sum(len(c["items"]) for c in obj["checklists"]) >= min_items
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(out)["Checklist"]
        assert ws.max_row - 1 >= min_items and ws.freeze_panes == "A2"
    else:
        cat = _validate_oscal(out.read_text(encoding="utf-8"))
        assert cat.metadata.oscal_version


def test_cli_seed_scoring_document_xlsx_has_score_sheet(tmp_path):
    if not SEED.exists():
        pytest.skip("seed corpus not present")
    from openpyxl import load_workbook

    out = tmp_path / "wz.xlsx"
    r = _run("checklist", str(SEED), "--doc", "温州市建筑安全文明施工", "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert "Score" in wb.sheetnames
    rows = [[c.value for c in row] for row in wb["Score"].iter_rows()]
    names = [x[0] for x in rows]
    assert {"安全施工", "文明施工", "附加分项", "Total", "Grade"} <= set(names)
    assert "示范工地" in rows[names.index("Grade")][4]


def test_cli_filters_stdout_and_errors(new_file, tmp_path):
    r = _run("checklist", str(new_file), "--section", "3.2", "--format", "csv")
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.output.lstrip("\ufeff"))))
    assert [x["path"].split("/")[-1] for x in rows] == ["3.2.1", "3.2.2"]
    r = _run("checklist", str(new_file), "--modality", "prohibition", "--format", "json")
    items = json.loads(r.output)["checklists"][0]["items"]
    assert items and all(i["modality"] == "prohibition" for i in items)
    r = _run("checklist", str(new_file), "--with-thresholds-only", "--format", "json")
    items = json.loads(r.output)["checklists"][0]["items"]
    assert items and all(i["criteria"] for i in items)
    r = _run("checklist", str(tmp_path / "missing.txt"))
    assert r.exit_code == 2 and "no such file" in r.output
    r = _run("checklist", str(new_file), "--doc", "不存在的标准")
    assert r.exit_code == 2 and "no document matches" in r.output
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = _run("checklist", str(empty))
    assert r.exit_code == 2 and "empty.txt" in r.output


def test_cli_from_database_has_same_stable_ids(new_file, tmp_path):
    from stdkb import store

    db = tmp_path / "kb.db"
    store.build(db, [new_file])
    by_file = json.loads(_run("checklist", str(new_file), "--format", "json").output)["checklists"][0]["items"]
    r = _run("checklist", "供水营业厅", "--db", str(db), "--format", "json")
    assert r.exit_code == 0, r.output
    by_db = json.loads(r.output)["checklists"][0]["items"]
    assert [i["id"] for i in by_db] == [i["id"] for i in by_file]
    store.build(db, [new_file], force=True)  # re-ingested: same ids
    again = json.loads(_run("checklist", "供水营业厅", "--db", str(db), "--format", "json").output)
    assert [i["id"] for i in again["checklists"][0]["items"]] == [i["id"] for i in by_file]
    r = _run("checklist", "没有这个文档", "--db", str(db))
    assert r.exit_code == 2


def test_cli_results_scores_a_filled_checklist(tmp_path):
    if not SEED.exists():
        pytest.skip("seed corpus not present")
    src = tmp_path / "site.txt"
    from test_scoring import NEW_SITE

    src.write_text(NEW_SITE, encoding="utf-8")
    out = tmp_path / "filled.csv"
    assert _run("checklist", str(src), "--format", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    for row in rows:
        if row["points"]:
            row["result"] = "合格"
    _write_csv(out, rows)
    r = _run("checklist", str(src), "--results", str(out))
    assert r.exit_code == 0, r.output
    (res,) = json.loads(r.output)
    assert res["total"] == 100.0 and res["grade"] == "优秀"
    # 二/1 (10 points) fails with 4 deducted: 现场管理 (6+20+10)/40*50 = 45, 环境保护 40/40*50 = 50 -> 95
    fence = [row for row in rows if row["path"] == "二/1" and row["points"]][0]
    fence["result"], fence["deducted"] = "不合格", "4"
    _write_csv(out, rows)
    (res,) = json.loads(_run("checklist", str(src), "--results", str(out)).output)
    assert {s["name"]: s["score"] for s in res["sections"]} == {"现场管理": 45.0, "环境保护": 50.0}
    assert res["total"] == 95.0 and res["grade"] == "优秀"


def _write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_generic_threshold_quantities_get_the_clause_words():
    from stdkb.checklist import context_quantity

    text = "如果输气管网发生故障,公司将及时维修,一般故障排除不超过4小时,大故障不超过24小时修复。"
    assert context_quantity(text, "不超过4小时") == "一般故障排除"
    assert context_quantity(text, "不超过24小时") == "大故障"
    assert context_quantity("接到投诉后,应在48小时内答复", "48小时内") is None  # nothing but 应在 before it
    assert context_quantity("展览板尺寸不宜小于1.0mX1.8m", "1.8m", others=["不宜小于1.0m", "1.8m"]) is None
    d = "e1"
    doc = Document(id=d, title="t", source="s", clauses=[C(d, "1", None, text, obligations=[
        Obligation("obligation", "一般故障排除不超过4小时")], thresholds=[Threshold(4, "h", "<=", "不超过4小时", quantity="time"),
                                                             Threshold(24, "h", "<=", "不超过24小时")])])
    assert build_checklist(doc).items[0].criteria == ["一般故障排除 <= 4 h", "大故障 <= 24 h"]


def test_each_statement_flags_its_own_phrases():
    d = "p1"
    doc = Document(id=d, title="t", source="s", clauses=[C(
        d, "4.5.1", None, "“不知道”、“不管”。服务时应当耐心。",
        obligations=[Obligation("prohibition", "不知道"), Obligation("prohibition", "不管"),
                     Obligation("obligation", "服务时应当耐心")],
        phrases=[Phrase("prohibited", "不知道"), Phrase("prohibited", "不管"), Phrase("required", "您好")])])
    items = build_checklist(doc).items
    assert [[p["text"] for p in i.phrases] for i in items] == [["不知道", "您好"], ["不管", "您好"], ["您好"]]


def test_cli_docx_source(tmp_path):
    """A Word file nobody has seen, processed on the fly."""
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("燃气入户安检服务规范", style="Title")
    for line in ["1 安检要求", "1.1 安检人员入户前应出示工作证件。", "1.2 每户安检时间不得少于15分钟。",
                 "1.3 安检人员不得收取任何费用。", "2 服务用语", "2.1 禁止使用“这不归我管”等用语。"]:
        d.add_paragraph(line)
    p = tmp_path / "inspection.docx"
    d.save(p)
    r = _run("checklist", str(p), "--format", "json")
    assert r.exit_code == 0, r.output
    items = json.loads(r.output)["checklists"][0]["items"]
    by: dict = {}
    for i in items:
        if i["path"]:
            by.setdefault(i["path"][-1], []).append(i)
    assert {"1.1", "1.2", "1.3", "2.1"} <= set(by)
    assert "prohibition" in [i["modality"] for i in by["1.3"]]
    assert any("15" in c and ">=" in c for i in by["1.2"] for c in i["criteria"])
    assert {"kind": "prohibited", "text": "这不归我管"} in by["2.1"][0]["phrases"]

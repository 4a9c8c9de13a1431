"""Score sheets: detection on the seed's scoring documents and on a new one, grades computed by hand."""
from __future__ import annotations

from pathlib import Path

import pytest

import stdkb
from stdkb.checklist import build_checklist
from stdkb.scoring import ScoreSheet, check_examples, compute_score, detect_score_sheet, item_points

SEED = Path(__file__).resolve().parents[1] / "corpus" / "000_0488f31712851f27.txt"

NEW_SITE = """某区建设工程文明施工考评办法

一、考评方法
（一）考评实行量化评分，总分为100分，其中“现场管理”与“环境保护”均为50分。
（二）各分部实得分=各分部检查项实得分数之和÷各分部检查项应得分数之和×50。例如现场管理检查项实得分数之和为36，应得分数为40分，则现场管理实得分=36÷40×50=45分。保证项目达不到要求的，则该分部不得分。
（三）考评结果分为优秀（总分在90分及以上）、合格（总分在70分及以上）、不合格（总分低于70分）三个等次。
（四）有下列情形之一的，实行一票否决：
1.发生人员死亡事故的；
2.被责令停工整改的。
二、现场管理
1.施工现场必须设置封闭围挡，围挡高度不得低于2.5米（10分），每缺一处扣2分。
2.保证项目：现场必须配备专职安全员（20分），未配备扣20分。
3.材料应分类堆放整齐（10分），每处扣2分。
三、环境保护
1.裸露土方必须全部覆盖（20分），每处未覆盖扣5分。
2.夜间22时至次日6时不得进行噪声作业（20分），每次扣10分。
"""


@pytest.fixture(scope="module")
def seed_docs():
    if not SEED.exists():
        pytest.skip("seed corpus not present")
    return list(stdkb.process_path(SEED))


def _doc(docs, title_part):
    found = [d for d in docs if title_part in d.title and not d.duplicate_of]
    assert found, f"no document titled {title_part!r}"
    return found[0]


def test_wenzhou_sheet_detected(seed_docs):
    sheet = detect_score_sheet(_doc(seed_docs, "温州市建筑安全文明施工"))
    assert sheet.total == 200
    assert [(s.name, s.max, s.bonus) for s in sheet.sections] == [
        ("安全施工", 100, False), ("文明施工", 100, False), ("附加分项", 30, True)]
    assert [(b.name, b.comparator, b.value) for b in sheet.bands] == [
        ("示范工地", ">=", 160), ("达标工地", ">=", 120), ("不达标工地", "<", 120)]
    assert sheet.formulas[0]["text"] == "各分部实得分=各分部检查项实得分数之和÷各分部检查项应得分数之和×100"
    assert sheet.scale == 100 and not sheet.overall_ratio
    assert sheet.guarantee_zero
    assert len(sheet.veto) == 4 and sheet.veto[0]["text"].startswith("发生一起死亡一人及以上")
    # the document's own worked example: 68 of 80 -> 85
    assert [(e["earned"], e["possible"], e["result"], e["ok"]) for e in check_examples(sheet)] == [(68, 80, 85, True)]


def test_wenzhou_grades_by_hand(seed_docs):
    sheet = detect_score_sheet(_doc(seed_docs, "温州市建筑安全文明施工"))
    r = compute_score(sheet, {"安全施工": {"earned": 68, "possible": 80}})
    assert r["sections"][0]["score"] == 85.0  # 68 ÷ 80 × 100
    # 68/80*100 = 85 ; 76/80*100 = 95 ; bonus 10 -> 190 -> 示范工地 (>= 160)
    r = compute_score(sheet, {"安全施工": {"earned": 68, "possible": 80}, "文明施工": {"earned": 76, "possible": 80},
                              "附加分项": {"earned": 10}})
    assert [s["score"] for s in r["sections"]] == [85.0, 95.0, 10.0]
    assert r["total"] == 190.0 and r["grade"] == "示范工地" and not r["vetoed"]
    # 50/80*100 = 62.5 ; 45/80*100 = 56.25 -> 118.75 -> 不达标工地 (< 120)
    r = compute_score(sheet, {"安全施工": {"earned": 50, "possible": 80}, "文明施工": {"earned": 45, "possible": 80}})
    assert r["total"] == 118.75 and r["grade"] == "不达标工地"
    # 130 -> 达标工地 ; a guarantee item missed zeroes its section ; a veto forces the lowest grade
    r = compute_score(sheet, {"安全施工": {"earned": 52, "possible": 80}, "文明施工": {"earned": 52, "possible": 80}})
    assert r["total"] == 130.0 and r["grade"] == "达标工地"
    r = compute_score(sheet, {"安全施工": {"earned": 52, "possible": 80, "guarantee_failed": True},
                              "文明施工": {"earned": 80, "possible": 80}})
    assert r["sections"][0]["score"] == 0.0 and r["total"] == 100.0
    r = compute_score(sheet, {"安全施工": {"earned": 80, "possible": 80}, "文明施工": {"earned": 80, "possible": 80}},
                      veto=True)
    assert r["total"] == 200.0 and r["vetoed"] and r["grade"] == "不达标工地"


def test_wenzhou_checklist_has_veto_items(seed_docs):
    cl = build_checklist(_doc(seed_docs, "温州市建筑安全文明施工"))
    veto = [i for i in cl.items if i.veto]
    assert len(veto) == 4 and all(i.modality == "prohibition" for i in veto)
    r = cl.compute_score({veto[0].id: "不合格"})
    assert r["vetoed"] and r["veto_reasons"] == [veto[0].id]


def test_tianjin_overall_ratio_by_hand(seed_docs):
    sheet = detect_score_sheet(_doc(seed_docs, "安全文明工地标准及要求"))
    assert [(b.name, b.comparator, b.value) for b in sheet.bands] == [
        ("文明工地", ">=", 70), ("局级文明工地", ">=", 85), ("市级文明工地", ">=", 90), ("不合格工地", "<", 70)]
    assert len(sheet.formulas) == 2 and sheet.overall_ratio and sheet.deduction_cap and sheet.percent_scale
    # 分项得分: 45/50*100 = 90, 80/100*100 = 80, 27/30*100 = 90 ; 综合标准分 = 260/300*100 = 86.67 -> 局级文明工地
    r = compute_score(sheet, {"工程质量": {"earned": 45, "possible": 50}, "安全生产": {"earned": 80, "possible": 100},
                              "场容场貌": {"earned": 27, "possible": 30}})
    assert [s["score"] for s in r["sections"]] == [90.0, 80.0, 90.0]
    assert r["total"] == 86.67 and r["grade"] == "局级文明工地"
    r = compute_score(sheet, {"工程质量": {"earned": 30, "possible": 50}, "安全生产": {"earned": 60, "possible": 100}})
    assert r["total"] == 60.0 and r["grade"] == "不合格工地"


def test_non_scoring_standard_has_no_sheet(seed_docs):
    assert detect_score_sheet(_doc(seed_docs, "客户服务标准")) is None
    assert detect_score_sheet("营业员应在客户到达后1分钟内主动招呼。排队等候时间不得超过15分钟。") is None


def test_new_site_standard_end_to_end():
    (doc,) = stdkb.process_text(NEW_SITE, "site.txt")
    cl = build_checklist(doc)
    sheet = cl.score_sheet
    assert sheet.total == 100 and [(s.name, s.max) for s in sheet.sections] == [("现场管理", 50), ("环境保护", 50)]
    assert sheet.guarantee_zero and sheet.scale == 50 and [b.name for b in sheet.bands] == ["优秀", "合格", "不合格"]
    assert check_examples(sheet)[0]["computed"] == 45.0  # 36 ÷ 40 × 50
    items = {i.path_str: i for i in cl.items}
    assert (items["二/1"].points, items["二/1"].section) == (10, "现场管理")
    assert items["二/2"].guarantee and items["二/2"].points == 20
    assert items["三/2"].section == "环境保护" and items["三/2"].deduction == "每次扣10分"
    assert items["一/(一)"].section != "现场管理" if "一/(一)" in items else True
    assert all("points" not in c for i in cl.items for c in i.criteria)
    fence = [i for i in cl.items if i.path_str == "二/1" and i.criteria]
    assert fence and fence[0].criteria == ["围挡高度 >= 2.5 m"]
    # 现场管理: 二/1 deduction 4 -> 6, 二/2 pass 20, 二/3 pass 10 -> 36/40*50 = 45
    # 环境保护: 三/1 fail 0, 三/2 pass 20 -> 20/40*50 = 25 ; total 70 -> 合格
    res = {}
    for i in cl.items:
        if i.path_str == "二/1":
            res[i.id] = {"deduction": 4}
        elif i.path_str in ("二/2", "二/3", "三/2"):
            res[i.id] = "合格"
        elif i.path_str == "三/1":
            res[i.id] = "不合格"
    r = cl.compute_score(res)
    secs = {s["name"]: s["score"] for s in r["sections"]}
    assert secs == {"现场管理": 45.0, "环境保护": 25.0}
    assert r["total"] == 70.0 and r["grade"] == "合格"
    # the guarantee item fails: 现场管理 scores 0 -> 25 -> 不合格
    res[items["二/2"].id] = "不合格"
    r = cl.compute_score(res)
    assert r["total"] == 25.0 and r["grade"] == "不合格"


def test_item_points_and_sheet_roundtrip():
    assert item_points("脚手架必须验收(15分),每处不合格扣3分") == (15.0, "每处不合格扣3分")
    assert item_points("满分为8分") == (8.0, None)
    assert item_points("按时巡查") == (None, None)
    sheet = detect_score_sheet(NEW_SITE)
    again = ScoreSheet.from_dict(sheet.to_dict())
    assert again.to_dict() == sheet.to_dict()


@pytest.mark.parametrize("text", ["甲乙丙丁、" * 20000, "安全施工与文明施工和" * 10000 + "均为", "“" + "甲" * 100000,
                                  "示范工地(" * 20000, "=分" * 30000 + "÷", "每" + "处" * 50000 + "扣"])
def test_pathological_text_is_linear(text):
    """Regression guard for catastrophic regex backtracking (each of these took minutes before the fix)."""
    sheet = detect_score_sheet(text)
    assert sheet is None or not sheet.sections or all(len(s.name) <= 60 for s in sheet.sections)
    item_points(text)


def test_bands_written_score_first():
    """The other common order: "90分及以上为优秀, 75~89分为良好, 60分以下为不合格"."""
    from stdkb.scoring import grade_for

    sheet = detect_score_sheet("考核实行百分制,总分100分。考核得分90分及以上为优秀,75~89分为良好,60-74分为合格,"
                               "60分以下为不合格。")
    assert [(b.name, b.comparator, b.value) for b in sheet.bands] == [
        ("优秀", ">=", 90), ("良好", ">=", 75), ("合格", ">=", 60), ("不合格", "<", 60)]
    assert [grade_for(sheet, x) for x in (92, 89.5, 75, 60, 59.5)] == ["优秀", "良好", "良好", "合格", "不合格"]

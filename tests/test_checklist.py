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

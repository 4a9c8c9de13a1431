"""Comparing two versions of a standard: hand-built documents, then the CLI."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from stdkb.diff import diff_documents, format_diff, inline_diff, text_changes
from stdkb.model import Clause, Document, Obligation, Phrase, Threshold

# A small gas customer-service standard, one clause per line. Rules are attached by the toy extractor below,
# so the expected diff follows from the text alone.
V1 = """\
2 服务承诺
2.1 为用户提供全天候服务。
2.2 如遇管网检测需停气时,应提前24小时通知用户。
2.3 一般故障排除不超过4小时,大故障不超过24小时修复。
2.4 接到投诉电话时,应在48小时内给予用户答复。
4 服务用语
4.1 与客户交谈时,用词应文雅。
4.2 客户服务人员不得离开工作台。
4.3 禁忌用语
4.3.1 “不知道”、“不管”。
4.3.2 “找领导去”。
4.3.3 “我没工夫”。
5 保密要求
5.1 严禁擅自更改电脑或系统设置。
5.2 对居民用户每2年检查不得少于1次。
"""


def toy_document(text: str, doc_id: str) -> Document:
    """A Document with decimal clauses (parent = label prefix) and rules from a few regexes."""
    doc = Document(id=doc_id, title="燃气客户服务标准", source=f"{doc_id}.txt")
    by_label = {}
    in_forbidden = None
    for n, line in enumerate(text.splitlines(), start=1):
        label, body = line.split(" ", 1)
        parent = by_label.get(label.rsplit(".", 1)[0]) if "." in label else None
        heading = len(body) <= 6 and not body.endswith("。")
        c = Clause(id=f"{doc_id}-c{n}", label=label, path=[], kind="heading" if heading else "clause",
                   level=label.count(".") + 1, parent=parent.id if parent else None, text=body,
                   title=body if heading else None, line=n)
        c.path = (list(parent.path) if parent else []) + [label]
        if heading and "禁忌用语" in body:
            in_forbidden = label
        for m in re.finditer(r"(不超过|不得少于|不少于|)(\d+)(小时|次|年)(内)?", body):
            cmp_ = {"不超过": "<=", "不得少于": ">=", "不少于": ">="}.get(m.group(1), "<=" if m.group(4) else "=")
            c.thresholds.append(Threshold(value=float(m.group(2)), unit=m.group(3), comparator=cmp_, text=m.group(0)))
        for word, modality in (("严禁", "prohibition"), ("不得", "prohibition"), ("应", "obligation"),
                               ("宜", "recommendation"), ("可", "permission")):
            if word in body and not ("不得少于" in body and word == "不得"):
                c.obligations.append(Obligation(modality=modality, text=body))
                break
        if in_forbidden and label.startswith(in_forbidden + "."):
            c.phrases = [Phrase(kind="prohibited", text=p) for p in re.findall(r"“([^”]+)”", body)]
        doc.clauses.append(c)
        by_label[label] = c
    return doc


def edited_v2() -> str:
    v2 = V1.replace("不超过4小时", "不超过2小时")                      # threshold 2.3
    v2 = v2.replace("用词应文雅", "用词宜文雅")                          # modality 4.1
    v2 = v2.replace("5.1 严禁擅自更改电脑或系统设置。\n", "")             # removed 5.1 ...
    v2 = v2.replace("5.2 对居民用户", "5.1 对居民用户")                   # ... so 5.2 becomes 5.1
    v2 = v2.replace("2.2 如遇", "2.3 如遇").replace("2.3 一般", "2.4 一般").replace("2.4 接到", "2.5 接到")
    v2 = v2.replace("2.3 如遇", "2.2 每季度开展一次安全用气宣传。\n2.3 如遇")  # inserted 2.2, renumbering 2.2-2.4
    v2 = v2.replace("4.3.3 “我没工夫”。\n", "4.3.3 “我没工夫”。\n4.3.4 “你尽管投诉好了”。\n")  # new phrase
    v2 = v2.replace("4.3.2 “找领导去”。", "4.3.2 “找领导去”、“这不归我管”。")  # phrase added in a clause
    return v2


def test_edited_version_reports_each_change_exactly():
    old, new = toy_document(V1, "v1"), toy_document(edited_v2(), "v2")
    r = diff_documents(old, new)

    assert [(t["old_label"], t["new_label"], t["change"], t["fields"], t["old"]["value"], t["new"]["value"],
             t["new"]["unit"], t["new"]["comparator"]) for t in r.thresholds] == [
        ("2.3", "2.4", "changed", ["value"], 4.0, 2.0, "小时", "<=")]
    assert [(m["old_label"], m["new_label"], m["change"], m["old_modality"], m["new_modality"])
            for m in r.modality] == [("4.1", "4.1", "changed", "obligation", "recommendation")]
    assert [(p["change"], p["kind"], p["text"], p["label"]) for p in r.phrases] == [
        ("added", "prohibited", "这不归我管", "4.3.2"), ("added", "prohibited", "你尽管投诉好了", "4.3.4")]
    assert [a["label"] for a in r.added] == ["2.2", "4.3.4"]
    assert [a["label"] for a in r.removed] == ["5.1"]
    assert r.removed[0]["obligations"] == [{"modality": "prohibition", "text": "严禁擅自更改电脑或系统设置。"}]
    assert [(x["old_label"], x["new_label"], x["similarity"]) for x in r.renumbered] == [
        ("2.2", "2.3", 1.0), ("2.3", "2.4", pytest.approx(0.96, abs=0.02)), ("2.4", "2.5", 1.0),
        ("5.2", "5.1", 1.0)]
    # 2.3 -> 2.4 was renumbered AND edited: the edit is shown on the renumbered row
    assert r.renumbered[1]["changes"] == [{"op": "replace", "old": "4", "new": "2"}]
    assert [(x["label"], x["changes"]) for x in r.reworded] == [
        ("4.1", [{"op": "replace", "old": "应", "new": "宜"}]),
        ("4.3.2", [{"op": "insert", "old": "", "new": "、“这不归我管”"}])]
    assert r.reworded[0]["inline"] == "与客户交谈时,用词[-应-]{+宜+}文雅。"
    # headings 2, 4, 4.3, 5 and clauses 2.1, 4.2, 4.3.1, 4.3.3 did not change
    assert r.unchanged == 8
    assert r.summary() == {"thresholds_changed": 1, "modality_changed": 1, "phrases_changed": 2, "added": 2,
                           "removed": 1, "renumbered": 4, "reworded": 2, "unchanged": 8}


def test_same_document_has_no_differences():
    old, new = toy_document(V1, "v1"), toy_document(V1, "v2")
    r = diff_documents(old, new)
    assert not r.changed and r.unchanged == len(old.clauses)
    assert "No differences." in format_diff(r)


def test_threshold_unit_and_comparator_changes_and_removed_phrase():
    v2 = V1.replace("应提前24小时通知", "应提前1天通知").replace("不得少于1次", "不超过1次")
    v2 = v2.replace("4.3.1 “不知道”、“不管”。", "4.3.1 “不知道”。")
    r = diff_documents(toy_document(V1, "a"), toy_document(v2, "b"))
    # "1天" is not matched by the toy extractor: the 24-hour threshold disappears from 2.2
    assert [(t["new_label"], t["change"]) for t in r.thresholds if t["new_label"] == "2.2"] == [("2.2", "removed")]
    row = [t for t in r.thresholds if t["new_label"] == "5.2"]
    assert [(t["change"], t["fields"], t["old"]["comparator"], t["new"]["comparator"]) for t in row] == [
        ("changed", ["comparator"], ">=", "<=")]
    assert [(p["change"], p["text"], p["label"]) for p in r.phrases] == [("removed", "不管", "4.3.1")]
    # 5.2's obligation extraction changed from nothing to a prohibition? No: "不得少于" is not a prohibition
    assert r.modality == []


def test_rewritten_clause_and_unnumbered_text():
    old = Document(id="o", title="T", source="o")
    new = Document(id="n", title="T", source="n")
    old.clauses = [Clause(id="p", label=None, path=[], kind="text", level=0, parent=None, text="为加强管理,制定本标准。"),
                   Clause(id="a", label="1", path=["1"], kind="clause", level=1, parent=None,
                          text="工作人员应着统一工作服。")]
    new.clauses = [Clause(id="p", label=None, path=[], kind="text", level=0, parent=None, text="为加强管理,制定本标准。"),
                   Clause(id="a", label="1", path=["1"], kind="clause", level=1, parent=None,
                          text="工作人员应佩戴工作牌并着统一工作服。"),
                   Clause(id="b", label="2", path=["2"], kind="clause", level=1, parent=None,
                          text="The operator shall restore supply within 12 h.")]
    r = diff_documents(old, new)
    assert r.unchanged == 1 and [x["label"] for x in r.reworded] == ["1"]
    assert r.reworded[0]["changes"] == [{"op": "insert", "old": "", "new": "佩戴工作牌并"}]
    assert [a["label"] for a in r.added] == ["2"] and r.removed == [] and r.renumbered == []
    # a clause whose number stays but whose text is unrelated is a removal plus an addition
    new.clauses[1].text = "禁止在营业厅吸烟。"
    r = diff_documents(old, new)
    assert [x["label"] for x in r.removed] == ["1"] and [x["label"] for x in r.added] == ["1", "2"]


def test_ambiguous_labels_are_shown_with_their_parent():
    text = "3.1 仪容标准\n1 面带笑容,保持开朗心态。\n3.2 仪表标准\n1 穿戴整齐工作服。\n"

    def build(t, i):
        d = Document(id=i, title="T", source=i)
        parent = None
        for n, line in enumerate(t.splitlines()):
            label, body = line.split(" ", 1)
            top = "." in label
            c = Clause(id=f"{i}{n}", label=label, path=[], kind="heading" if top else "clause", level=1 if top else 2,
                       parent=None if top else parent, text=body)
            if top:
                parent = c.id
            d.clauses.append(c)
        return d

    r = diff_documents(build(text, "x"), build(text.replace("穿戴整齐工作服", "穿戴整齐的工作服"), "y"))
    assert [x["label"] for x in r.reworded] == ["3.2 / 1"]


def test_text_helpers():
    assert text_changes("不超过4小时", "不超过2小时") == [{"op": "replace", "old": "4", "new": "2"}]
    assert inline_diff("abc", "abd") == "ab[-c-]{+d+}"


def test_json_round_trip():
    r = diff_documents(toy_document(V1, "v1"), toy_document(edited_v2(), "v2"))
    d = json.loads(json.dumps(r.to_dict(), ensure_ascii=False))
    assert d["summary"]["renumbered"] == 4 and d["thresholds"][0]["new"]["text"] == "不超过2小时"
    text = format_diff(r)
    for heading in ("Thresholds changed (1)", "Modality changed (1)", "Phrases (2)", "Added (2)", "Removed (1)",
                    "Renumbered (4)", "Reworded (2)"):
        assert heading in text
    assert "2.3 → 2.4: changed: <= 4小时  «不超过4小时» → <= 2小时  «不超过2小时»  [value]" in text


# --------------------------------------------------------------------------------------------- CLI

def run(*args):
    from stdkb.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture()
def kb(tmp_path):
    from stdkb import store

    p = tmp_path / "kb.db"
    db = store.open_db(p, create=True)
    old = toy_document(V1, "v1")
    new = toy_document(edited_v2(), "v2")
    new.title = "燃气客户服务标准(2024版)"
    store.write_documents(db, [old, new])
    return p


def test_cli_diff_documents_in_database(kb):
    r = run("diff", "v1", "燃气客户服务标准(2024版)", "--db", str(kb), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["summary"] == {"thresholds_changed": 1, "modality_changed": 1, "phrases_changed": 2, "added": 2,
                            "removed": 1, "renumbered": 4, "reworded": 2, "unchanged": 8}
    r = run("diff", "v1", "v2", "--db", str(kb))
    assert r.exit_code == 0
    out = r.output
    assert out.index("Thresholds changed (1)") < out.index("Modality changed (1)") < out.index("Phrases (2)") \
        < out.index("Added (2)") < out.index("Removed (1)") < out.index("Renumbered (4)") < out.index("Reworded (2)")
    assert "4.1: obligation → recommendation" in out and "+ prohibited: “你尽管投诉好了”  (4.3.4)" in out
    assert run("diff", "v1", "v2", "--db", str(kb), "--exit-code").exit_code == 1
    assert run("diff", "v1", "v1", "--db", str(kb), "--exit-code").exit_code == 0


def test_cli_diff_errors(kb, tmp_path):
    r = run("diff", str(tmp_path / "nope.txt"), "v1")
    assert r.exit_code == 2 and "nope.txt: no such file" in r.output
    r = run("diff", "v1", "不存在的标准", "--db", str(kb))
    assert r.exit_code == 2 and "不存在的标准" in r.output


# --------------------------------------------------------------------------------------------- real pipeline

CORPUS = __import__("pathlib").Path(__file__).resolve().parents[1] / "corpus" / "000_0488f31712851f27.txt"


def _pipeline_ready():
    try:
        import stdkb.documents  # noqa: F401
        import stdkb.segment  # noqa: F401
    except ImportError as e:
        pytest.skip(f"segmenter not available yet ({e})")


def corpus_versions(tmp_path):
    """The corpus's gas customer-service standard (v1) and a v2 derived from it by editing."""
    text = CORPUS.read_text(encoding="utf-8")
    v1 = text[: text.index("温州市建筑安全文明施工标准化工地验收标准和认定程序")]
    v2 = v1
    edits = [
        ("一般故障排除不超过4小时", "一般故障排除不超过2小时"),  # threshold in 2.2.3 (-> 2.2.4)
        ("需停气时,应按照相关规定", "需停气时,宜按照相关规定"),  # obligation -> recommendation in 2.2.2
    ]
    for a, b in edits:
        assert v2.count(a) == 1, a
        v2 = v2.replace(a, b)
    # delete 8.3 (8.4 becomes 8.3)
    start = v2.index("8.3 不得利用工作之便")
    v2 = v2[:start] + v2[v2.index("8.4 严禁", start):].replace("8.4 严禁", "8.3 严禁", 1)
    # insert a new 2.2.3: 2.2.3 ... 2.2.7 become 2.2.4 ... 2.2.8
    for n in range(7, 2, -1):
        v2 = v2.replace(f"\n2.2.{n} ", f"\n2.2.{n + 1} ", 1)
    v2 = v2.replace("\n2.2.4 如果输气管网", "\n2.2.3 每季度开展一次安全用气宣传活动。\n\n2.2.4 如果输气管网", 1)
    # a new forbidden phrase
    v2 = v2.replace("4.5.10 “我解决不了”。", "4.5.10 “我解决不了”。\n\n4.5.11 “这不归我管”。", 1)
    assert "2.2.8 对老、弱、病、残" in v2 and "4.5.11" in v2
    p1, p2 = tmp_path / "std-v1.txt", tmp_path / "std-v2.txt"
    p1.write_text(v1, encoding="utf-8")
    p2.write_text(v2, encoding="utf-8")
    return p1, p2


def _first_doc(path):
    from stdkb import process_path

    return next(d for d in process_path(path) if not d.duplicate_of)


def test_corpus_standard_edited_version(tmp_path):
    _pipeline_ready()
    p1, p2 = corpus_versions(tmp_path)
    r = diff_documents(_first_doc(p1), _first_doc(p2))
    assert [a["label"] for a in r.added] == ["2.2.3", "4.5.11"]
    assert [x["label"] for x in r.removed] == ["8.3"]
    assert r.removed[0]["text"].startswith("不得利用工作之便") or "不得利用工作之便" in r.removed[0]["text"]
    assert [(x["old_label"], x["new_label"]) for x in r.renumbered] == [
        ("2.2.3", "2.2.4"), ("2.2.4", "2.2.5"), ("2.2.5", "2.2.6"), ("2.2.6", "2.2.7"), ("2.2.7", "2.2.8"),
        ("8.4", "8.3")]
    assert [x["changes"] for x in r.renumbered if "changes" in x] == [[{"op": "replace", "old": "4", "new": "2"}]]
    assert [(x["label"], x["changes"]) for x in r.reworded] == [("2.2.2", [{"op": "replace", "old": "应", "new": "宜"}])]
    assert [(m["new_label"], m["change"], m["old_modality"], m["new_modality"]) for m in r.modality] == [
        ("2.2.2", "changed", "obligation", "recommendation")]
    assert [(p["change"], p["kind"], p["text"], p["label"]) for p in r.phrases] == [
        ("added", "prohibited", "这不归我管", "4.5.11")]


def test_corpus_standard_threshold_change(tmp_path):
    _pipeline_ready()
    from stdkb.extract import find_thresholds

    if find_thresholds is None:
        pytest.skip("threshold extraction (stdkb.extract.thresholds) not available yet")
    p1, p2 = corpus_versions(tmp_path)
    r = diff_documents(_first_doc(p1), _first_doc(p2))
    assert [(t["old_label"], t["new_label"], t["change"], t["fields"], t["old"]["value"], t["new"]["value"],
             t["new"]["comparator"]) for t in r.thresholds] == [("2.2.3", "2.2.4", "changed", ["value"], 4.0, 2.0, "<=")]
    assert "2.2.3 → 2.2.4: changed:" in format_diff(r)


def test_cli_diff_files(tmp_path):
    _pipeline_ready()
    p1, p2 = corpus_versions(tmp_path)
    r = run("diff", str(p1), str(p2), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["summary"]["added"] == 2 and d["summary"]["removed"] == 1 and d["summary"]["renumbered"] == 6
    r = run("diff", str(p1), str(p2), "--doc", "no such title")
    assert r.exit_code == 2 and "no document titled" in r.output


def test_deleted_section_with_repeated_subheadings():
    # section 3 deleted: section 4 becomes 3; both had a "基本要求" subsection, which must not be confused
    v1 = ("3 电话服务\n3.1 基本要求\n3.1.1 接听电话时应先问候客户。\n"
          "4 大厅服务\n4.1 基本要求\n4.1.1 大厅内严禁吸烟。\n")
    v2 = "3 大厅服务\n3.1 基本要求\n3.1.1 大厅内严禁吸烟。\n"
    r = diff_documents(toy_document(v1, "a"), toy_document(v2, "b"))
    assert [x["label"] for x in r.removed] == ["3", "3.1", "3.1.1"]
    assert [(x["old_label"], x["new_label"]) for x in r.renumbered] == [("4", "3"), ("4.1", "3.1"), ("4.1.1", "3.1.1")]
    assert r.added == [] and r.reworded == [] and r.modality == []


def test_cli_diff_picks_document_from_multi_document_file():
    _pipeline_ready()
    r = run("diff", str(CORPUS), str(CORPUS), "--doc", "安全文明工地验收标准", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["old"]["title"] == d["new"]["title"] == "安全文明工地验收标准"
    assert d["summary"]["unchanged"] == d["old"]["clauses"] > 10
    assert d["summary"]["added"] == d["summary"]["removed"] == d["summary"]["reworded"] == 0
    r = run("diff", str(CORPUS), str(CORPUS))  # default: the first document that is not a duplicate
    assert r.exit_code == 0 and "客户服务标准" in r.output.splitlines()[0] and "No differences." in r.output


EN_V1 = """Customer Service Standard

1 Scope
1.1 This standard applies to all service centres.
2 Response times
2.1 The operator shall restore supply within 4 hours.
2.2 Staff shall answer complaints within 48 hours.
2.3 Staff must not argue with customers.
"""


def test_english_versions_through_the_pipeline():
    _pipeline_ready()
    from stdkb import process_text

    v2 = (EN_V1.replace("within 4 hours", "within 2 hours").replace("Staff shall answer", "Staff should answer")
          .replace("2.3 Staff must not", "2.4 Staff must not")
          .replace("2.2 Staff should", "2.3 Staff should")
          .replace("2.1 The operator", "2.1 Meters shall be read every month.\n2.2 The operator"))
    old, new = process_text(EN_V1, "v1.txt")[0], process_text(v2, "v2.txt")[0]
    r = diff_documents(old, new)
    assert [a["label"] for a in r.added] == ["2.1"] and r.removed == []
    assert [(x["old_label"], x["new_label"]) for x in r.renumbered] == [("2.1", "2.2"), ("2.2", "2.3"), ("2.3", "2.4")]
    assert [(m["old_label"], m["old_modality"], m["new_modality"]) for m in r.modality] == [
        ("2.2", "obligation", "recommendation")]
    assert [(t["old_label"], t["old"]["value"], t["new"]["value"]) for t in r.thresholds] == [("2.1", 4.0, 2.0)]


def test_required_phrases_are_compared_too():
    def doc(i, required, prohibited):
        d = Document(id=i, title="T", source=i)
        d.clauses = [Clause(id=f"{i}1", label="1", path=["1"], kind="clause", level=1, parent=None, text="用语",
                            phrases=[Phrase(kind="required", text=t) for t in required]
                            + [Phrase(kind="prohibited", text=t) for t in prohibited])]
        return d

    r = diff_documents(doc("a", ["您好", "请稍等"], ["不知道"]), doc("b", ["您好", "感谢来电"], []))
    assert [(p["change"], p["kind"], p["text"]) for p in r.phrases] == [
        ("removed", "prohibited", "不知道"), ("removed", "required", "请稍等"), ("added", "required", "感谢来电")]

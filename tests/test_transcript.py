"""Transcript phrase checker: forbidden phrases in natural sentences, required scripts, guards, CLI."""
from __future__ import annotations

import json



import pytest

from stdkb.transcript import (PhraseMatcher, PhraseRef, check_transcript, classify, normalise,
                              parse_transcript, phrases_from_documents)
from test_checklist import service_doc

HAND = phrases_from_documents([service_doc()])

RUDE = """[00:00:01] 客服：您好，XX燃气公司18号客服员为您服务。
[00:00:05] 客户：我家燃气表没气了，已经一天了，怎么回事？
[00:00:12] 客服：这个我不知道。你找我没用啊，要解决就去找领导吧。
[00:00:20] 客户：你们怎么这样？
[00:00:25] 客服：我就是个接电话的，找领导去。
[00:00:31] 客户：算了。"""

CLEAN = """客服：您好，ＸＸ燃气公司18号客服员为您服务！
客户：我想问一下燃气表换电池的事。
客服：好的，我知道了，我给您查一下。不管什么时候换，我们都会派人上门。
客户：那我不知道电池型号怎么办？
客服：不知道您是否方便明天上午在家？我们带电池过去。
客户：可以。
客服：感谢您的来电，再见！"""


def test_rude_call_is_flagged_with_clause_and_line():
    r = check_transcript(RUDE, HAND)
    assert r.agent == "客服" and r.speakers == ["客服", "客户"]
    pro = r.prohibited
    assert [(f.line, f.phrase) for f in pro] == [(3, "不知道"), (3, "你找我没用,要解决就去找领导"), (5, "找领导去")]
    assert pro[0].path == "4/4.5/4.5.1" and pro[0].clause_id == "d3f0a1:4/4.5/4.5.1"
    assert pro[1].matched.startswith("你找我没用啊") and pro[1].speaker == "客服"
    assert not r.ok
    # greeting present, closing missing -> 100 - 3 x 10 - 5
    assert [m["category"] for m in r.missing] == ["closing"]
    assert r.score == 65
    assert any(f.kind == "required" and f.category == "greeting" and f.line == 1 for f in r.findings)


def test_clean_call_has_no_finding_and_customer_lines_are_ignored():
    r = check_transcript(CLEAN, HAND)
    assert r.ok, r.format_text()
    # the customer says 不知道: not checked; the agent's 我知道 is not 不知道; 不管…都 and 不知道您是否 are guarded
    assert [f.line for f in r.prohibited] == []
    assert {f.suppressed for f in r.findings if f.kind == "prohibited"} <= {
        "conjunction 不管…都 (regardless), not a refusal", "polite question 不知道您是否…"}
    assert r.missing == [] and r.score == 100


def test_wo_zhidao_does_not_match_bu_zhidao_and_double_negation():
    m = PhraseMatcher([PhraseRef("prohibited", "我知道")])
    assert m.find("这个我不知道") == []
    assert len(m.find("这个我知道")) == 1
    r = check_transcript("我不是不知道，是需要查一下系统。", HAND, required=())
    f = [x for x in r.findings if x.phrase == "不知道"]
    assert f and f[0].suppressed.startswith("double negation") and r.ok
    r2 = check_transcript("我真不知道！", HAND, required=())
    assert [x.phrase for x in r2.prohibited] == ["不知道"]


def test_tolerant_of_punctuation_width_and_small_variations():
    ph = [PhraseRef("prohibited", "你找我没用,要解决就去找领导", clause_id="x:1")]
    for text in ("你找我没用要解决就去找领导", "你找我没用！！要解决，就去找领导。", "你找我没用 , 要解决就去找领导",
                 "你找我没用，要解决你就去找领导"):  # last: one inserted character
        r = check_transcript(text, ph, required=())
        assert [f.phrase for f in r.prohibited] == ["你找我没用,要解决就去找领导"], text
    r = check_transcript("你找我没用，要解决你就去找领导", ph, required=())
    assert r.prohibited[0].fuzzy
    assert check_transcript("你找我有用，我来解决", ph, required=()).ok
    # full-width letters in a placeholder script
    assert normalise("ＸＸ燃气，公司")[0] == "xx燃气公司"


def test_placeholders_are_wildcards_in_order():
    ph = [PhraseRef("required", "您好,XX燃气公司XX号客服员为您服务", clause_id="x:5.2.4")]
    ok = check_transcript("坐席：您好，温州燃气公司0571号客服员为您服务\n客户：你好", ph)
    assert ok.missing == [] and ok.agent == "坐席"
    swapped = check_transcript("坐席：客服员为您服务，燃气公司您好\n客户：你好", ph)
    assert [m["category"] for m in swapped.missing] == ["greeting"]


def test_quoted_customer_words_are_flagged_but_marked():
    r = check_transcript("客服：您刚才说“你们就是不管”，我们一定会管的。\n客户：好吧", HAND, required=())
    assert len(r.prohibited) == 1 and r.prohibited[0].quoted


def test_one_character_phrases_only_as_interjections():
    ph = [PhraseRef("prohibited", "嗯"), PhraseRef("prohibited", "那")]
    assert [f.phrase for f in check_transcript("嗯，您稍等。", ph, required=()).prohibited] == ["嗯"]
    assert check_transcript("那个表我们明天换。", ph, required=()).ok


def test_classify_and_parse():
    assert classify("您好,XX燃气公司XX号客服员为您服务") == "greeting"
    assert classify("再见,欢迎下次再来") == "closing"
    assert classify("请您慢走") == "closing"
    assert classify("对不起,让您久等了") == "other"
    utts, has = parse_transcript("客服: 你好\n继续说\n客户:嗯")
    assert has and [(u.line, u.speaker) for u in utts] == [(1, "客服"), (2, "客服"), (3, "客户")]
    utts, has = parse_transcript("没有说话人的一段话。\n第二行")
    assert not has and utts[0].speaker is None


def test_plain_text_checks_every_line():
    r = check_transcript("您好。\n我没工夫跟你说。\n再见", [PhraseRef("prohibited", "我没工夫"), PhraseRef("required", "您好"),
                                                       PhraseRef("required", "再见")])
    assert [f.line for f in r.prohibited] == [2] and r.missing == [] and r.score == 90


def test_english_whole_words():
    ph = [PhraseRef("prohibited", "not my problem"), PhraseRef("required", "Thank you for calling")]
    r = check_transcript("Agent: Thank you for calling ACME.\nCaller: my meter is broken\n"
                         "Agent: That's NOT my problem, sorry.", ph, lang="en", required=("greeting",))
    assert [f.line for f in r.prohibited] == [3] and r.missing == []
    assert check_transcript("Agent: it is not my problems list", ph, lang="en", required=()).ok


# ------------------------------------------------------------------- the seed's standard, real pipeline, CLI

from pathlib import Path  # noqa: E402

from click.testing import CliRunner  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "corpus" / "000_0488f31712851f27.txt"

SEED_RUDE = """坐席：您好，昆仑燃气公司26号客服员为您服务。
用户：你好，我家的燃气表显示欠费，可我上周刚交过钱。
坐席：这个我也不知道啊，你问我，我问谁？
用户：那你帮我查一下好不好？
坐席：不是告诉你了吗？怎么还问。系统就这样，我解决不了。
用户：你这什么态度！
坐席：我就这态度。有意见，告去！
用户：……
坐席：嫌贵，就别用呗。快下班了，明天再来。"""

SEED_CLEAN = """坐席：您好，昆仑燃气公司26号客服员为您服务。
用户：你好，我家的燃气表显示欠费，可我上周刚交过钱，我真不知道怎么回事。
坐席：先生，您别着急，我理解您的心情。麻烦您提供一下户号。
用户：户号是123456。
坐席：好的，我查到了，您的缴费记录已经到账，系统显示有延迟，我马上为您处理。
用户：好的，谢谢。
坐席：您还有其他问题吗？
用户：没有了。
坐席：感谢您的来电，如果有问题，请您与我们联系，再见！"""


@pytest.fixture(scope="module")
def seed_phrases():
    if not SEED.exists():
        pytest.skip("seed corpus not present")
    import stdkb

    docs = [d for d in stdkb.process_path(SEED) if not d.duplicate_of and d.title.startswith("客户服务标准")]
    ph = phrases_from_documents(docs)
    assert any(p.text == "不知道" and p.kind == "prohibited" for p in ph), "extraction found no 禁忌用语"
    return ph


def test_seed_forbidden_phrases_in_natural_sentences(seed_phrases):
    r = check_transcript(SEED_RUDE, seed_phrases)
    assert r.agent == "坐席"
    found = {(f.line, f.phrase) for f in r.prohibited}
    expected = {(3, "不知道"), (3, "你问我,我问谁"), (5, "不是告诉你了吗,怎么还问"), (5, "我解决不了"),
                (7, "我就这态度"), (7, "有意见,告去"), (9, "嫌贵,就别用"), (9, "快下班了,明天再来")}
    assert expected <= found, found - expected
    assert all(f.path.startswith("4/4.5/") for f in r.prohibited if (f.line, f.phrase) in expected)
    assert all(f.speaker == "坐席" for f in r.findings)
    assert [m["category"] for m in r.missing] == ["closing"]
    assert r.score == max(0, 100 - 10 * len(r.prohibited) - 5)


def test_seed_clean_call_has_no_finding(seed_phrases):
    r = check_transcript(SEED_CLEAN, seed_phrases)
    assert r.ok, r.format_text()
    assert r.missing == [] and r.score == 100
    cats = {f.category for f in r.findings if f.kind == "required"}
    assert {"greeting", "closing"} <= cats


def _run(*args, input=None):
    from stdkb.cli import cli

    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_cli_exit_codes_and_json(tmp_path):
    if not SEED.exists():
        pytest.skip("seed corpus not present")
    rude, clean = tmp_path / "rude.txt", tmp_path / "clean.txt"
    rude.write_text(SEED_RUDE, encoding="utf-8")
    clean.write_bytes(SEED_CLEAN.encode("gb18030"))  # a GBK-encoded transcript
    r = _run("check-transcript", str(rude), "--standard", str(SEED), "--doc", "客户服务标准", "--json")
    assert r.exit_code == 1
    obj = json.loads(r.output)
    assert obj["ok"] is False and obj["prohibited"] >= 8 and obj["agent"] == "坐席"
    f = [x for x in obj["findings"] if x["phrase"] == "我就这态度"][0]
    assert f["line"] == 7 and f["path"] == "4/4.5/4.5.8" and f["clause_id"].endswith(":4/4.5/4.5.8")
    r = _run("check-transcript", str(clean), "--standard", str(SEED), "--doc", "客户服务标准")
    assert r.exit_code == 0, r.output
    assert "score: 100" in r.output
    # --agent picks whose lines are checked: now the customer's 不知道 (line 2) counts
    r = _run("check-transcript", "-", "--standard", str(SEED), "--doc", "客户服务标准", "--agent", "用户",
             "--json", input=SEED_CLEAN)
    assert r.exit_code == 1
    assert [(f["line"], f["phrase"]) for f in json.loads(r.output)["findings"] if f["kind"] == "prohibited"] == [
        (2, "不知道")]
    r = _run("check-transcript", str(rude))
    assert r.exit_code == 2 and "--db" in r.output
    r = _run("check-transcript", str(tmp_path / "nope.txt"), "--standard", str(SEED))
    assert r.exit_code == 2 and "nope.txt" in r.output


def test_cli_with_database(tmp_path):
    from stdkb import store

    std = tmp_path / "hall.txt"
    std.write_text("营业厅服务规范\n1 服务用语\n1.1 接待时应说:“您好,欢迎光临”。\n1.2 禁止说“这不归我管”、“你自己去网上查”。\n"
                   "1.3 送别时应说:“请慢走”。\n", encoding="utf-8")
    db = tmp_path / "kb.db"
    store.build(db, [std])
    t = tmp_path / "t.txt"
    t.write_text("营业员：您好，欢迎光临！\n顾客：我想办过户。\n营业员：这不归我管，你自己去网上查吧。\n顾客：……\n营业员：请慢走。",
                 encoding="utf-8")
    r = _run("check-transcript", str(t), "--db", str(db), "--json")
    obj = json.loads(r.output)
    assert r.exit_code == 1, r.output
    assert sorted(f["phrase"] for f in obj["findings"] if f["kind"] == "prohibited") == ["你自己去网上查", "这不归我管"]
    assert obj["missing"] == [] and obj["score"] == 80


def test_same_phrase_in_two_documents_is_one_finding():
    a, b = service_doc("aaa"), service_doc("bbb")
    b.title = "另一份标准"
    dup = service_doc("ccc")
    dup.duplicate_of = "aaa"
    ph = phrases_from_documents([a, b, dup])
    assert {p.document_id for p in ph} == {"aaa", "bbb"}
    r = check_transcript("客服：这个我不知道。", ph, required=())
    assert [(f.phrase, f.document_id) for f in r.prohibited] == [("不知道", "aaa")] and r.score == 90


def test_agent_guessed_among_unnamed_speakers():
    # the customer greets first with 你好, but B speaks the scripts: B is the agent
    t = ("A：你好，我家没气了。\nB：您好，XX燃气公司18号客服员为您服务。\nA：我不知道怎么办。\n"
         "B：我马上为您处理。\nB：感谢您的来电，再见！")
    r = check_transcript(t, HAND)
    assert r.agent == "B" and r.ok and r.missing == []
    assert check_transcript(t, HAND, agent="A").prohibited[0].line == 3

"""Obligation extraction: modalities, the traps of the issue, actor/condition/exception, English."""
from __future__ import annotations

import pytest

from stdkb.extract import extract_document, extract_text
from stdkb.extract.obligations import find_obligations
from stdkb.model import Clause, Document


def mods(text, lang="zh", context=()):
    return [o.modality for o in extract_text(text, lang, context)["obligations"]]


# --- the traps -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "设备运行应可靠,并取得质检部门认可。",
    "施工单位应取得安全生产许可证。",
])
def test_ke_inside_kekao_renke_xukezheng_is_not_permission(text):
    assert mods(text) == ["obligation"]


def test_ke_alone_is_permission():
    assert mods("客户较多时,可开设临时窗口。") == ["permission"]
    assert mods("员工可以申请调休。") == ["permission"]


@pytest.mark.parametrize("text", ["客户的要求与公司制度相悖。", "安全是最重要的工作。", "主要设备由厂家维护。"])
def test_yao_inside_yaoqiu_zhongyao_zhuyao_is_not_obligation(text):
    assert mods(text) == []


def test_yao_alone_is_obligation():
    assert mods("工作服要保持整洁。") == ["obligation"]


@pytest.mark.parametrize("text", ["公司推广应用新技术。", "相应的记录由档案室保存。", "供应商提供零配件。"])
def test_ying_inside_yingyong_xiangying_gongying_is_not_obligation(text):
    assert mods(text) == []


def test_ying_as_modal_next_to_trap_word():
    # 应急 is a trap, 不应 after it is the modal
    assert mods("应急通道内不应堆放杂物。") == ["prohibition"]
    # ... and 不应少于 states a minimum: an obligation (see test_negated_minimum_is_an_obligation)
    assert mods("应急照明的连续供电时间不应少于30min。") == ["obligation"]
    assert mods("供应商应用统一的平台提交报价,相应的技术文件应当一并提供。") == ["obligation"]


def test_bixu_is_one_obligation_not_two():
    obs = find_obligations("工作中必须保持仪容整洁。")
    assert [o.modality for o in obs] == ["obligation"]
    assert obs[0].rule == "modal:必须" and obs[0].strength == "strong"


def test_buke_is_prohibition_not_permission():
    assert mods("不可越权答复。") == ["prohibition"]
    assert mods("行走幅度不可过大或过急。") == ["prohibition"]


@pytest.mark.parametrize("text", ["用户无须预约。", "员工不必每日填写日报。", "客户无需填写纸质凭条。"])
def test_negated_obligation_is_permission(text):
    assert mods(text) == ["permission"]


def test_quoted_words_are_not_modal():
    # “请不要客气” is a script, not a prohibition; 说 is an imperative under a standards heading
    assert mods("应答语:“好的”、“请不要客气”。", context=["服务标准", "服务用语"]) == ["obligation"]
    assert mods("应答语:“好的”、“请不要客气”。") == []


def test_traps_come_from_language_data():
    from stdkb import lang

    data = lang.load("zh", "modals")
    for w in ("可靠", "认可", "许可", "要求", "重要", "主要", "应用", "相应", "供应"):
        assert w in data["traps"]


# --- statements, run-on norms ---------------------------------------------------------------------

def test_one_statement_per_sentence_and_per_modal_change():
    t = "工作中必须保持仪容整洁。保持身体清洁卫生,不可用刺激气味强的香水,要干净得体。"
    assert mods(t, context=["仪容标准"]) == ["obligation", "obligation", "prohibition", "obligation"]


def test_recommendation_and_permission():
    assert mods("与客户交谈时,可以整个面部为注视区域,最好不要聚焦于一点。") == ["permission", "recommendation"]
    assert mods("尽量直线行走。") == ["recommendation"]
    assert mods("展览板尺寸不宜小于1.0m。") == ["recommendation"]


def test_imperative_norm_only_under_a_standards_heading():
    t = "头发梳理整齐,面部保持清洁。"
    obs = find_obligations(t, context=["客户服务标准", "仪容仪表"])
    assert [o.modality for o in obs] == ["obligation"] and obs[0].rule == "imperative"
    assert obs[0].confidence < 0.9
    assert find_obligations(t, context=["公司简介"]) == []


def test_descriptive_sentence_is_not_a_norm():
    assert mods("仪容仪表是个人形象展示的首要途径。", context=["客户服务标准"]) == []


def test_negated_imperative_is_prohibition():
    obs = find_obligations("男员工不留长发,女员工不化浓妆。", context=["仪容标准"])
    assert [(o.modality, o.actor) for o in obs] == [("prohibition", "男员工"), ("prohibition", "女员工")]


def test_forbidden_heading_each_utterance_is_a_prohibition():
    r = extract_text("“不知道”、“不管”。", "zh", ["服务用语", "禁忌用语"])
    assert [(o.modality, o.text, o.rule) for o in r["obligations"]] == [
        ("prohibition", "不知道", "forbidden_phrase"), ("prohibition", "不管", "forbidden_phrase")]


# --- actor, condition, exception --------------------------------------------------------------------

def test_actor_condition():
    o = find_obligations("用户进门时,服务人员应立即点头微笑致意。")[0]
    assert o.actor == "服务人员"
    assert o.condition == "用户进门时"
    assert o.action.startswith("立即点头")


def test_condition_rujiu_and_conditional_modal_ignored():
    obs = find_obligations("如遇管网检测、维修等情况需停气时,应按照相关规定提前通知用户。")
    assert [o.modality for o in obs] == ["obligation"]  # 需 inside the condition does not count
    assert obs[0].condition.startswith("如遇管网检测")


def test_condition_ruguo_and_dui_de():
    assert find_obligations("如果客户不方便,应改约时间。")[0].condition == "如果客户不方便"
    o = find_obligations("对违规用气的用户,应耐心说明。")[0]
    assert o.condition and o.condition.startswith("对违规用气的用户")


def test_exception_both_forms():
    assert find_obligations("禁止在客服大厅奔跑(紧急情况除外)。")[0].exception == "紧急情况除外"
    o = find_obligations("除经安全管理部门批准外,任何人不得拆除安全防护设施。")[0]
    assert o.modality == "prohibition" and o.exception.startswith("除经安全管理部门批准")


def test_actor_inherited_from_heading():
    o = find_obligations("应使用普通话。", context=["客服人员用语要求"])[0]
    assert o.actor == "客服人员"


def test_every_obligation_has_confidence_and_rule():
    r = extract_text("应当准时到岗,不得迟到,宜提前十分钟到达,可以申请弹性工作。", "zh", ["考勤制度"])
    assert [o.modality for o in r["obligations"]] == ["obligation", "prohibition", "recommendation", "permission"]
    for o in r["obligations"]:
        assert 0 < o.confidence <= 1 and o.rule


# --- English ----------------------------------------------------------------------------------------

def test_english_modalities():
    assert mods("Calls shall be answered within three rings.", "en") == ["obligation"]
    assert mods("Agents must not argue with customers.", "en") == ["prohibition"]
    assert mods("Visitors may not enter the plant room.", "en") == ["prohibition"]
    assert mods("Records should be kept for 3 years.", "en") == ["recommendation"]
    assert mods("Staff may leave early on Fridays.", "en") == ["permission"]
    assert mods("Staff need not record internal transfers.", "en") == ["permission"]
    assert mods("A permit is required before welding.", "en") == ["obligation"]


def test_english_run_on_condition_exception_actor():
    obs = find_obligations("The operator shall close the valve before maintenance, and must not restart "
                           "the pump unless the supervisor approves.", "en")
    assert [o.modality for o in obs] == ["obligation", "prohibition"]
    assert obs[0].actor.lower() == "the operator" and obs[0].condition == "before maintenance"
    assert obs[1].exception == "unless the supervisor approves"
    assert obs[1].text.startswith("must not")


def test_english_traps():
    assert mods("The policy was updated in May 2021.", "en") == []
    assert mods("If the complaint cannot be resolved, the supervisor shall call the customer.", "en") == ["obligation"]


# --- documents ---------------------------------------------------------------------------------------

def _doc():
    cs = [
        Clause(id="c1", label="4", path=["4"], kind="heading", level=1, parent=None, text="服务用语", title="服务用语"),
        Clause(id="c2", label="4.5", path=["4", "4.5"], kind="heading", level=2, parent="c1", text="禁忌用语",
               title="禁忌用语"),
        Clause(id="c3", label="4.5.1", path=["4", "4.5", "4.5.1"], kind="clause", level=3, parent="c2",
               text="“不知道”、“不管”。"),
        Clause(id="c4", label="4.6", path=["4", "4.6"], kind="clause", level=2, parent="c1",
               text="语速适中,每分钟吐字约120-140个,不得使用方言,详见第4.5条。"),
    ]
    return Document(id="d", title="客户服务标准", source="x.txt", clauses=cs)


def test_extract_document_uses_heading_context():
    d = extract_document(_doc())
    c3 = d.clause("c3")
    assert [p.text for p in c3.phrases] == ["不知道", "不管"]
    assert [o.modality for o in c3.obligations] == ["prohibition", "prohibition"]
    c4 = d.clause("c4")
    assert [o.modality for o in c4.obligations] == ["obligation", "prohibition"]
    assert d.clause("c1").obligations == [] and d.clause("c2").obligations == []
    assert c4.thresholds and c4.references
    assert c4.references[0].resolved == "c2"  # 第4.5条 is the 禁忌用语 heading


def test_extract_document_on_real_pipeline():
    import stdkb

    if not hasattr(stdkb, "process_text"):
        pytest.skip("pipeline not available")
    text = ("客户服务标准\n1 服务用语\n1.1 禁忌用语\n1.1.1 “不知道”、“不管”。\n"
            "1.2 接听电话\n1.2.1 电话振铃3声内接听电话,不得与客户争执。\n")
    try:
        docs = list(stdkb.process_text(text, source="t.txt"))
    except NotImplementedError:
        pytest.skip("segmenter not available")
    clauses = [c for d in docs for c in d.clauses]
    by_text = {c.text: c for c in clauses}
    forb = next(c for c in clauses if "不知道" in c.text)
    assert {p.text for p in forb.phrases} == {"不知道", "不管"}
    tel = next(c for c in clauses if "振铃" in c.text)
    assert [o.modality for o in tel.obligations] == ["obligation", "prohibition"]
    assert by_text  # keep flake quiet


# --- spaCy components ----------------------------------------------------------------------------------

def test_spacy_components_match_the_engine():
    pytest.importorskip("spacy")
    from stdkb.extract.pipeline import COMPONENTS, build_nlp, run

    nlp = build_nlp("zh")
    assert nlp.pipe_names == list(COMPONENTS)
    assert build_nlp("zh") is nlp  # cached
    text = "“不知道”、“不管”。"
    doc = run(nlp, text, context=["服务用语", "禁忌用语"])
    assert [(s.text, s.label_) for s in doc.spans["phrases"]] == [("不知道", "prohibited"), ("不管", "prohibited")]
    assert [o.modality for o in doc._.obligations] == ["prohibition", "prohibition"]
    t2 = "工作时间不得超过8小时,详见《员工手册》。"
    doc = run(nlp, t2)
    ref = extract_text(t2, "zh")
    assert [o.modality for o in doc._.obligations] == [o.modality for o in ref["obligations"]]
    assert [s.label_ for s in doc.spans["obligations"]] == ["prohibition"]
    assert [s.label_ for s in doc.spans["thresholds"]] == ["<="]
    assert [s.label_ for s in doc.spans["references"]] == ["document"]
    en = build_nlp("en")("Staff must not say 'calm down'.")
    assert [(s.text, s.label_) for s in en.spans["phrases"]] == [("calm down", "prohibited")]
    assert [s.label_ for s in en.spans["obligations"]] == ["prohibition"]


def test_actor_carries_over_a_subjectless_chinese_sentence_but_not_english():
    obs = find_obligations("对于投诉的客户,客服人员须在24小时内回复;对重大投诉的,应报部门经理处理。")
    assert [o.actor for o in obs] == ["客服人员", "客服人员"]
    obs = find_obligations("Visitors may wait in the lobby. Records should be kept for 3 years.", "en")
    assert [o.actor for o in obs] == ["Visitors", None]


def test_english_imperative_has_no_actor_from_its_object():
    o = find_obligations("Report all near misses to your supervisor within 24 hours.", "en")[0]
    assert o.modality == "obligation" and o.rule == "imperative" and o.actor is None
    assert mods("Staff are not to discuss customer accounts in public areas.", "en") == ["prohibition"]


def test_exception_is_not_also_the_condition():
    o = find_obligations("除节假日外,营业厅每天9:00至17:00对外营业。", context=["营业厅服务规范"])[0]
    assert o.exception == "除节假日外" and o.condition is None
    o = find_obligations("施工单位不得将工程转包,经建设单位同意的除外。")[0]
    assert (o.modality, o.actor, o.exception) == ("prohibition", "施工单位", "经建设单位同意的除外")


def test_essay_or_exam_title_is_not_a_standards_context():
    t = "酒店向旅游者提供的服务项目按标准进行生产。"
    assert find_obligations(t, context=["浅析酒店服务的标准化与个性化"]) == []
    assert find_obligations(t, context=["推进酒店服务标准化"]) == []  # 标准化 alone is not 标准
    assert [o.rule for o in find_obligations("前台提供叫醒服务。", context=["酒店服务标准"])] == ["imperative"]


def test_positive_norm_after_a_prohibition_list():
    assert mods("在倾听过程中,要全神贯注,不要急于下结论,认真思考,适当反馈。", context=["服务标准"]) == [
        "obligation", "prohibition", "obligation"]
    # items of the prohibited list stay in it; 当众 is not a 当…时 condition
    assert mods("严禁上班时玩弄手指或咬指甲,当众梳头、化装、照镜子,做不雅观的动作。", context=["服务标准"]) == [
        "prohibition"]


def test_negated_list_and_long_topic_segments():
    assert mods("对客户提出的问题有问必答、耐心解释,对客户不懂的地方不教训、不责备。", context=["客服人员态度规范"]) == [
        "obligation", "prohibition"]
    # a short 对… topic stays a lead-in
    assert mods("对待客人的询问,做到有问必答。", context=["服务规范"]) == ["obligation"]


def test_descriptive_sentences_under_a_standards_heading():
    assert mods("标准化服务会产生价值,因此带来更多的效益。", context=["美容院标准化服务流程"]) == []


# --- stated minimums and maximums ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "对居民用户每2年检查不得少于1次。",
    "消防车道的净宽度不得小于4m。",
    "室内照度不应低于300lx。",
    "密码长度不能少于8位。",
])
def test_negated_minimum_is_an_obligation(text):
    obs = extract_text(text, "zh", ["安全管理规定"])["obligations"]
    assert [o.modality for o in obs] == ["obligation"]
    assert obs[0].rule.endswith(";minimum")


def test_negated_maximum_stays_a_prohibition_and_weak_minimum_a_recommendation():
    assert mods("有紧急事情的通话时间不得超过两分钟。") == ["prohibition"]
    assert mods("库内行驶速度不应大于5km/h。") == ["prohibition"]
    assert mods("连续作业时间不宜少于30分钟。") == ["recommendation"]
    assert mods("夜间施工噪声不得超过55分贝,每日洒水不得少于2次。", context=["文明施工标准"]) == [
        "prohibition", "obligation"]


def test_english_negated_minimum():
    assert mods("Emergency lighting shall not be less than 90 min.", "en") == ["obligation"]
    assert mods("Noise shall not exceed 55 dB; drills must not be fewer than 2 per year.", "en") == [
        "prohibition", "obligation"]


# --- labels, headings, titles and names are not imperative norms ------------------------------------

def test_label_value_clause_has_no_condition():
    obs = extract_text("语速:适中,每分钟吐字约120-140个。", "zh", ["客服人员服务规范", "语言要求"])["obligations"]
    assert len(obs) == 1
    assert obs[0].condition is None and obs[0].exception is None
    obs = extract_text("音量：适中，以客户听清为宜。", "zh", ["客服人员服务规范"])["obligations"]
    assert all(o.condition is None for o in obs)


def test_role_label_before_colon_is_not_a_norm():
    obs = extract_text("研发或工程技术人员:负责对公司产品的性能、生产工艺技术等现场讲解;", "zh", ["接待工作规范"])
    assert [o.modality for o in obs["obligations"]] == ["obligation"]
    assert obs["obligations"][0].rule == "modal:负责"


@pytest.mark.parametrize("text", [
    "安全隐患类,",
    "标准化服务的重要性",
    "现场服务理念",
    "根据《中华人民共和国建筑法》、《建设工程安全生产管理条例》等有关规定要求,决定制订本市施工现场验收标准,现予发布实施。",
])
def test_names_categories_and_preambles_are_not_imperatives(text):
    assert mods(text, context=["施工现场安全文明标准"]) == []


def test_headings_and_title_lines_give_no_imperative_on_the_real_pipeline():
    import stdkb

    text = ("华东燃气股份有限公司\n客户接待服务规范\n"
            "1 服务理念\n热情周到,用心服务。\n"
            "2 接待流程\n"
            "2.1 咨询台部分:\n"
            "2.1.1 面带微笑,主动问候。\n"
            "2.1.2 接待人员应双手递送资料。\n"
            "2.2 送别部分\n送别时应说“请慢走”。\n")
    docs = stdkb.process_text(text, source="reception.txt")
    obs = [(c.kind, c.title, o.text, o.rule) for d in docs for c in d.clauses for o in c.obligations]
    texts = [o[2] for o in obs]
    for name in ("服务理念", "接待流程", "咨询台部分", "送别部分", "华东燃气股份有限公司", "客户接待服务规范"):
        assert not any(t.strip(":：") == name for t in texts), obs
    assert any("面带微笑" in t for t in texts)
    assert any(r == "modal:应" and "双手递送资料" in t for _k, _ti, t, r in obs)


# --- 方可: "only after X may Y" is a conditional permission -------------------------------------------

def test_fangke_is_a_conditional_permission():
    obs = find_obligations("作业人员须持证上岗,经考核合格方可独立操作。")
    assert [o.modality for o in obs] == ["obligation", "permission"]
    assert obs[1].rule == "modal:方可" and obs[1].condition == "经考核合格"
    obs = find_obligations("上班期间严禁会客,经主管领导同意后,方可将亲友安置在会客室,待下班后方可离去。")
    assert [o.modality for o in obs] == ["prohibition", "permission"]  # a second 方可 continues the permission
    assert obs[1].condition == "经主管领导同意后"


def test_jike_stays_a_trap():
    assert mods("填写完毕即可提交。") == []


# --- English present-tense norms under a requirements heading ----------------------------------------

def test_english_present_passive_is_a_norm_under_a_requirements_heading():
    ctx = ["Document Control Procedure", "Requirements"]
    obs = extract_text("Records are retained for 5 years.", "en", ctx)["obligations"]
    assert [(o.modality, o.rule) for o in obs] == [("obligation", "present_tense")]
    obs = extract_text("When a guest arrives, the room key is issued within 2 minutes.", "en", ctx)["obligations"]
    assert [o.modality for o in obs] == ["obligation"] and obs[0].condition == "When a guest arrives"
    # descriptions stay descriptions, and without a requirements heading nothing is a norm
    assert mods("The archive room is located on the ground floor.", "en", ctx) == []
    assert mods("This procedure applies to all sites.", "en", ctx) == []
    assert mods("Records are retained for 5 years.", "en", ["Company History"]) == []
    # a modal word keeps its own rule
    assert [o.rule for o in extract_text("Records must be retained for 5 years.", "en", ctx)["obligations"]] == ["modal:must"]


# --- English patterns rewritten for speed: the same matches as the plain forms ----------------------

def _plain_en_lex(monkeypatch):
    """The English lexicon built without the rewrites (first-letter dispatch of the modal and actor
    alternations, case-insensitive guards of the segment separator, actor, condition and exception patterns)."""
    from stdkb.extract import _text
    from stdkb.extract import obligations as ob

    monkeypatch.setattr(ob, "dispatch_alternation", lambda parts, ignorecase: None)
    monkeypatch.setattr(ob, "first_class", lambda pattern: None)
    monkeypatch.setattr(_text, "first_class", lambda pattern: None)
    ob._lex.cache_clear()
    try:
        return ob._lex("en")
    finally:
        monkeypatch.undo()
        ob._lex.cache_clear()


def test_en_modal_dispatch_same_matches(monkeypatch):
    import random

    from stdkb.extract import obligations as ob

    plain = _plain_en_lex(monkeypatch)
    fast = ob._lex("en")
    assert plain.pattern.pattern != fast.pattern.pattern  # the rewrites are in use
    assert plain.seg_re.pattern != fast.seg_re.pattern
    assert plain.actors_re.pattern != fast.actors_re.pattern
    assert plain.cond_any.pattern != fast.cond_any.pattern
    assert plain.exc_trigger.pattern != fast.exc_trigger.pattern
    words = ["shall", "shall not", "must", "MUST NOT", "may", "May 3", "in May", "should", "is  not\nto", "are to",
             "cannot", "can", "will", "maybe", "don't", "mustn't", "need not", "ought to", "required", "the required",
             "is required to", "purpose of this code is to", "Aim", "under no circumstances", "no one may",
             "nobody may", "never", "always", "preferably", "where possible", "if required", "ſhall", "ſhould",
             "recommended", "prohibited", "forbidden", "has to", "have to", "do not", "may be used", "can be found",
             "the supplier", "THE CONTRACTOR", "staff members", "Customer service representatives", "the operator",
             "if", "when", "whenever", "in the event of", "upon", "unless", "except where", "other than", "excluding",
             "ſave where", "once", "before", "after", "during"]
    glue = [" ", "", "'", "x", "\n", ". ", ", ", "a", "S", "K", "\u212a", "ı", "İ", "-", "1", "The staff "]
    rng = random.Random(7)
    for _ in range(4000):
        s = "".join(rng.choice(glue) + rng.choice(words) for _ in range(rng.randint(1, 6))) + rng.choice(glue)
        if rng.random() < 0.3:
            s = s.upper() if rng.random() < 0.5 else s.title()
        assert [m.span() for m in fast.pattern.finditer(s)] == [m.span() for m in plain.pattern.finditer(s)], s
        for name in ("seg_re", "actors_re", "cond_any", "exc_trigger"):
            f, p = getattr(fast, name), getattr(plain, name)
            assert [m.span() for m in f.finditer(s)] == [m.span() for m in p.finditer(s)], (name, s)
            assert [m.span(1) for m in f.finditer(s)] == [m.span(1) for m in p.finditer(s)] if f.groups else True


def test_first_class_and_dispatch():
    import re

    from stdkb.extract._text import dispatch_alternation, first_class

    assert first_class(r",\s+|;\s+|\s+-\s+") == r",;\s"
    assert first_class(r"a*b") == "ab"
    assert first_class(r"(?:x)?") is None  # may match the empty string
    assert first_class(r"[^a]b") is None
    assert dispatch_alternation([r"a\d", r"[0-9]x"], ignorecase=False) is None  # a range: not split
    assert dispatch_alternation(["ſx", "a"], ignorecase=True) is None  # a cased letter outside ASCII
    assert dispatch_alternation(["§", "part"], ignorecase=True) is not None  # § has no case
    parts = ["ab", "(?:b|a)c", "a", "Bd"]
    d = dispatch_alternation(parts, ignorecase=True)
    plain = re.compile("(?:%s)" % "|".join(parts), re.I)
    fast = re.compile(d, re.I)
    for s in ["ab", "ac", "bc", "BD", "bd", "a", "Ab", "xbcx"]:
        assert [m.span() for m in fast.finditer(s)] == [m.span() for m in plain.finditer(s)]


def test_en_exception_precheck_changes_nothing(monkeypatch):
    """No exception trigger in the (lower-cased ASCII) text: no exception searched. The same obligations with
    the pre-check off."""
    import random
    import re

    from stdkb.extract import obligations as ob

    pieces = ["The supplier shall", "staff must not", "Calls should be answered", "unless", "UNLESS", "Except where",
              "except for", "other than", "save where", "Excluding", "ſave where", "exceptional", "the customer agrees",
              "within 10 days", ", ", ". ", "; ", " ", "if required", "when", "the site is closed", "é"]
    rng = random.Random(5)
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(2, 14))) for _ in range(3000)]
    ctx = ("Site Safety Rules", "General")
    fast = [ob.find_obligations(t, "en", ctx) for t in texts]
    monkeypatch.setattr(ob._lex("en"), "exc_probe", re.compile(""))
    assert [ob.find_obligations(t, "en", ctx) for t in texts] == fast
    assert sum(1 for r in fast for o in r if o.exception) > 100


def test_substring_probe():
    from stdkb.extract._text import substring_probe

    p = substring_probe(["clause", "clauses", "sub-clause", "part"])
    assert p.search("see the department") and p.search("CLAUSE".lower()) and not p.search("annex b")
    assert substring_probe([]).search("anything") is None
    assert substring_probe(["x", ""]).search("abc") is not None
    assert substring_probe(["a.b"]).search("axb") is None  # verbatim, not a pattern

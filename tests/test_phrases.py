"""Prohibited / required phrase extraction."""
from __future__ import annotations

from stdkb.extract import extract_text
from stdkb.extract.phrases import find_phrases


def ph(text, context=(), lang="zh"):
    return [(p.kind, p.text) for p in find_phrases(text, lang, context)]


def test_forbidden_heading_lists_each_utterance():
    assert ph("“找领导去”、“你找我没用,要解决就去找领导”。", ["服务用语", "禁忌用语"]) == [
        ("prohibited", "找领导去"), ("prohibited", "你找我没用,要解决就去找领导")]


def test_forbidden_heading_synonyms_and_unquoted_line():
    assert ph("“没有了”、“你自己拿”。", ["餐厅服务规范", "服务忌语"]) == [
        ("prohibited", "没有了"), ("prohibited", "你自己拿")]
    assert ph("你到底点不点?", ["餐厅服务规范", "禁用语"]) == [("prohibited", "你到底点不点")]


def test_sentence_forbidding_saying_splits_the_inner_list():
    t = "在通话过程中不允许出现口头语,如“我晕、天啊、怎么这样、真是的”等等。"
    assert ph(t) == [("prohibited", x) for x in ("我晕", "天啊", "怎么这样", "真是的")]
    assert ph("严禁对客户说“这不是我的事”、“你自己看说明”。") == [
        ("prohibited", "这不是我的事"), ("prohibited", "你自己看说明")]


def test_script_after_say_verb_with_unbalanced_quotes():
    # the seed's “您好、“欢迎您的光临” has an unclosed first quote
    assert ph("迎客时说:“您好、“欢迎您的光临”、“很高兴为您服务”。") == [
        ("required", "您好"), ("required", "欢迎您的光临"), ("required", "很高兴为您服务")]
    assert ph("表示歉意时说:“很抱歉。“非常抱歉”。") == [("required", "很抱歉"), ("required", "非常抱歉")]


def test_script_after_colon_is_not_split_on_commas():
    assert ph("问候客户并询问来电意图:“您好,XX燃气公司XX号客服员为您服务”。") == [
        ("required", "您好,XX燃气公司XX号客服员为您服务")]


def test_ellipsis_kept_and_replaced_phrase_prohibited():
    assert ph("说“我会……”以表达服务意愿。") == [("required", "我会……")]
    assert ph("说“我能做到的是……”来代替说“不”。") == [("required", "我能做到的是……"), ("prohibited", "不")]


def test_condition_with_negation_does_not_make_script_prohibited():
    assert ph("不能立即接待客户时说:“请您稍等”、“麻烦您等一下”。") == [
        ("required", "请您稍等"), ("required", "麻烦您等一下")]


def test_nearest_marker_decides():
    assert ph("坐席应避免说“这是公司规定”,而应说“我理解您的心情”。") == [
        ("prohibited", "这是公司规定"), ("required", "我理解您的心情")]
    assert ph("使用“您好”、“请”等文明用语,禁止使用“不知道”、“等着”等语言。") == [
        ("required", "您好"), ("required", "请"), ("prohibited", "不知道"), ("prohibited", "等着")]


def test_quotes_that_are_not_utterances():
    assert ph("客户服务人员接听电话执行“首问负责制”。") == []
    assert ph("前掌分开成60度左右的“V”字型。") == []
    assert ph("柜员暂停服务时应放置“暂停服务”标识牌。") == []


def test_short_list_split_on_dunhao_but_sentences_are_not():
    assert ph("把文明服务用语:“您好、请、谢谢、对不起、 再见!”常挂嘴边。") == [
        ("required", x) for x in ("您好", "请", "谢谢", "对不起", "再见")]
    assert ph("应说:“请您出示身份证、户口本和房产证复印件”。") == [
        ("required", "请您出示身份证、户口本和房产证复印件")]


def test_sentence_of_quotes_after_a_say_sentence():
    t = "向客户讲明身份及来意。“您好!我是××燃气公司的安全检查员。”/“接到您的预约,前来为您服务。”"
    assert [k for k, _ in ph(t)] == ["required", "required"]


def test_english_phrases():
    assert ph("Agents must not say 'calm down' or 'that's not my job' to a customer.", lang="en") == [
        ("prohibited", "calm down"), ("prohibited", "that's not my job")]
    assert ph("Greet every caller with 'Good morning, how can I help?'", lang="en") == [
        ("required", "Good morning, how can I help")]
    assert ph('"I don\'t know", "You have to".', ["Forbidden phrases"], lang="en") == [
        ("prohibited", "I don't know"), ("prohibited", "You have to")]
    assert ph("A sign reading 'Hard Hat Area' shall be displayed.", lang="en") == []


def test_phrases_carry_confidence_and_rule():
    r = extract_text("严禁说“不知道”。迎客时说:“您好”。", "zh")
    assert {p.rule for p in r["phrases"]} == {"prohibited_saying", "script"}
    assert all(0 < p.confidence <= 1 for p in r["phrases"])


def test_english_script_after_telling_the_caller_and_after_a_condition():
    assert ph("Calls must be transferred only after telling the caller 'I will connect you now'.", lang="en") == [
        ("required", "I will connect you now")]
    r = extract_text("When a guest complains, apologise sincerely and say 'I will take care of this'.", "en")
    assert [o.modality for o in r["obligations"]] == ["obligation"]
    assert [(p.kind, p.text) for p in r["phrases"]] == [("required", "I will take care of this")]


def test_a_new_action_after_a_prohibition_says_the_script():
    """7.3.1 of the seed: the prohibition (避免遗留…) ends at the comma; 并说 introduces a required closing."""
    from stdkb.extract import extract_text
    r = extract_text("确认客户没有其他需求或疑问后应适时提出告辞,将资料物品整理好,避免遗留在客户处,"
                     "并说:“如果您有需要,请拨打客户服务电话××××××,谢谢,再见。”", "zh", ["入户服务要求", "辞别"])
    assert [(p.kind, p.rule) for p in r["phrases"]] == [("required", "script")]
    r = extract_text("严禁对客户说“不知道”。", "zh", ["服务要求"])
    assert [(p.kind, p.text) for p in r["phrases"]] == [("prohibited", "不知道")]
    r = extract_text("不要说“你问我,我问谁”,应说:“请稍等,我帮您查询”。", "zh", ["服务要求"])
    assert [(p.kind, p.text) for p in r["phrases"]] == [("prohibited", "你问我,我问谁"), ("required", "请稍等,我帮您查询")]


def test_bulleted_quotes_under_a_lead_in_line():
    from stdkb.extract import extract_text
    t = ('Agents must never say:\n• "Calm down"\n• "That\'s not my job"\n'
         'Agents should always say:\n• "Thank you for calling"')
    got = [(p.kind, p.text) for p in extract_text(t, "en", ["Call handling"])["phrases"]]
    assert got == [("prohibited", "Calm down"), ("prohibited", "That's not my job"),
                   ("required", "Thank you for calling")]


def test_a_clause_titled_forbidden_phrases_lists_them_quoted_or_bulleted():
    from stdkb.pipeline import process_text
    doc = process_text("服务规范\n\n4.5 禁忌用语\n• 不知道\n• 找领导去\n4.6 服务忌语\n“你问我,我问谁”、“我没工夫”。\n", "t.txt")[0]
    by = {c.label: [(p.kind, p.text) for p in c.phrases] for c in doc.clauses}
    assert by["4.5"] == [("prohibited", "不知道"), ("prohibited", "找领导去")]
    assert by["4.6"] == [("prohibited", "你问我,我问谁"), ("prohibited", "我没工夫")]
    doc = process_text("Contact Standard\n\n2.5 Forbidden phrases\nAgents must never say:\n"
                       '- "Calm down"\n- "You should have read the contract"\n', "e.txt")[0]
    assert [(p.kind, p.text) for p in doc.clauses[0].phrases] == [
        ("prohibited", "Calm down"), ("prohibited", "You should have read the contract")]

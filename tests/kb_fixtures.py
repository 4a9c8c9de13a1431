"""Hand-built documents and standards texts shared by the knowledge-base tests."""
from __future__ import annotations

import random

from stdkb.model import Clause, Document, Obligation, Phrase, Reference, Threshold

# Realistic clause sentences (invented, in the style of service / safety standards), with traps for search:
# the same characters split by punctuation or spaces, and near misses.
ZH_SENTENCES = [
    "接到用户投诉电话时，应立即调查并进行处理，48小时内给予用户答复。",
    "设立用户投诉电话，投诉处理结果应记录存档。",
    "严禁在客户家中吸烟、饮酒，严禁收受用户礼品。",
    "服务人员不得使用禁忌用语，如“不知道”“找领导去”。",
    "禁忌，忌用语气生硬的表达。",  # 禁忌 and 忌用 split by punctuation: not 禁忌用语
    "燃气表电池电量不足时，应提前通知用户更换。",
    "燃气表 电池仓应保持干燥。",  # a space: not 燃气表电池
    "抄表员应核对燃气表读数，发现电池漏液及时上报。",
    "用户诉求应在2个工作日内回复。",
    "上诉、申诉渠道应向社会公开。",
    "投。诉不是一个词，这里只是标点。",
    "严格禁止非专业人员拆卸燃气设施。",
    "一般故障排除不超过4小时，大故障不超过24小时修复。",
    "对居民用户每2年检查不得少于1次。",
    "工作人员应面带笑容，保持开朗心态。",
    "维修人员入户前应出示工作证件，穿戴工作服。",
    "客服中心应公布投诉受理范围和处理流程。",
    "禁忌用语包括：不知道、不归我管、找领导去。",
    "严禁私自改动燃气管道，违者追究责任。",
    "电话铃响三声内接听，使用规范问候语。",
    "燃气设施的安装应符合GB 50028的规定。",
]
EN_SENTENCES = [
    "The supplier shall answer every customer complaint within 48 hours.",
    "Complaints must be recorded in the complaint register.",
    "Staff should not use forbidden phrases such as \"not my job\".",
    "The operator may suspend supply for maintenance after notice.",
    "Gas meter batteries shall be replaced every 5 years.",
    "Smoking is prohibited in customer premises.",
]


def make_doc(doc_id: str, title: str, source: str, texts, *, index: int = 0, sha: str = "x",
             extra: bool = True) -> Document:
    clauses = [Clause(id=f"{doc_id}:1", label="1", path=["1"], kind="heading", level=1, parent=None,
                      text=title + " 总则", title="总则")]
    for i, t in enumerate(texts, 1):
        cid = f"{doc_id}:1.{i}"
        c = Clause(id=cid, label=f"1.{i}", path=["1", f"1.{i}"], kind="clause", level=2, parent=f"{doc_id}:1",
                   text=t, raw_label=f"1.{i}", scheme="decimal", line=i + 1, page=1)
        if extra:
            if "严禁" in t or "不得" in t or "prohibited" in t:
                c.obligations.append(Obligation(modality="prohibition", text=t, actor="服务人员",
                                                confidence=0.9, rule="zh.prohibition"))
            elif "应" in t or "shall" in t:
                c.obligations.append(Obligation(modality="obligation", text=t, actor="公司", confidence=0.6,
                                                rule="zh.obligation"))
            if "48小时" in t or "48 hours" in t:
                c.thresholds.append(Threshold(value=48, unit="小时", comparator="<=", text="48小时内",
                                              quantity="time", si_value=172800, si_unit="s", confidence=0.8))
            if "4小时" in t:
                c.thresholds.append(Threshold(value=4, unit="小时", comparator="<=", text="不超过4小时",
                                              quantity="time", si_value=14400, si_unit="s", confidence=0.95))
            if "不知道" in t:
                c.phrases.append(Phrase(kind="prohibited", text="不知道", confidence=0.7))
                c.phrases.append(Phrase(kind="prohibited", text="找领导去", confidence=0.7))
            if "GB" in t:
                c.references.append(Reference(kind="document", target="GB 50028", text="GB 50028",
                                              confidence=0.5))
        clauses.append(c)
    return Document(id=doc_id, title=title, source=source, clauses=clauses, source_sha256=sha, index=index,
                    sha256=f"{doc_id}-{sha}")


def corpus_docs(n_docs: int = 30, seed: int = 7):
    """Many documents of shuffled sentences with random Chinese padding (for precision/recall checks)."""
    rng = random.Random(seed)
    pad = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质"
    docs = []
    for d in range(n_docs):
        texts = []
        for _ in range(40):
            s = rng.choice(ZH_SENTENCES if rng.random() < 0.8 else EN_SENTENCES)
            k = rng.randrange(0, 12)
            noise = "".join(rng.choice(pad) for _ in range(k))
            texts.append(noise + s if rng.random() < 0.5 else s + noise)
        docs.append(make_doc(f"doc{d:03d}", f"测试标准{d:03d}", f"src{d // 3}.txt", texts, index=d % 3,
                             sha=f"s{d // 3}"))
    return docs


ZH_STANDARD = """燃气客户服务规范

1 总则
为规范客户服务工作，提高服务质量，制定本规范。
2 服务承诺
2.1 接到用户投诉电话后，应在48小时内给予答复。
2.2 一般故障排除不超过4小时。
2.3 燃气管道安装应符合GB 50028《城镇燃气设计规范》的规定。
3 服务用语
3.1 严禁使用禁忌用语，如“不知道”“找领导去”。
3.2 燃气表电池电量不足时，应提前通知用户。
"""

ZH_STANDARD_2 = """安全施工管理规定

第一条 为加强施工现场安全管理，制定本规定。
第二条 施工人员必须佩戴安全帽。
第三条 严禁酒后作业，严禁在施工现场吸烟。
第四条 每日开工前应进行安全检查，检查时间不少于30分钟。
"""

EN_STANDARD = """Customer Service Code

1 Scope
This code applies to all gas supply staff.
2 Complaints
2.1 The supplier shall answer every customer complaint within 48 hours.
2.2 Staff must not use forbidden phrases.
"""

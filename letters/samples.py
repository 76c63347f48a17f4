"""Worked examples of reply details, one per outcome key (and per 36(1)/36(2), 36(4)/36(5)):
the reasons and bases a handler writes, used by the demo seeds and the tests. They are
examples of content that passes the issuing gate, never defaults of a draft."""

from __future__ import annotations

from requests_app.outcomes import Outcome

from . import variants as v

REPLY_DETAILS: dict[str, dict[str, str]] = {
    Outcome.DISCLOSED: {"disclosure_way": v.WAY_PROVIDE},
    Outcome.PARTIALLY_DISCLOSED: {
        "withheld_ground": Outcome.WITHHELD_THIRD_PARTY,
        "withhold_reason": "所申请的中标结果中投标人报价构成明细系投标人的商业秘密，公开将损害其竞争地位。",
        "consultation_result": v.CONSULT_NONE,
        "not_consulted_why": "投标文件载明报价构成为商业秘密，投标人已书面声明不同意公开。",
    },
    Outcome.WITHHELD_STATE_SECRET: {
        "withhold_reason": "所申请的应急物资储备布局方案记载储备库位置和储备数量，已依法定为秘密级。",
        "secret_basis": "本机关于2025年3月依据《中华人民共和国保守国家秘密法》第十三条定为秘密级，保密期限十年。",
    },
    Outcome.WITHHELD_PROHIBITED_BY_LAW: {
        "withhold_reason": "所申请的是统计调查中能够识别单个调查对象的原始资料。",
        "prohibiting_law": "《中华人民共和国统计法》第二十五条",
    },
    Outcome.WITHHELD_THREE_SAFETIES: {
        "withhold_reason": "所申请的供水管网加压站的分布图和安防设施布置，公开后可能被用于破坏城市供水设施。",
    },
    Outcome.WITHHELD_THIRD_PARTY: {
        "withhold_reason": "所申请的企业财务报表包含该企业未公开的成本和利润数据，属于其商业秘密。",
        "consultation_result": v.CONSULT_NONE,
        "not_consulted_why": "该企业在报送时已书面声明财务报表不同意公开，且不公开不会对公共利益造成重大影响。",
    },
    Outcome.WITHHELD_INTERNAL: {
        "withhold_reason": "所申请的机关食堂采购与后勤人员排班表仅用于本机关内部管理，不对外产生影响。",
    },
    Outcome.WITHHELD_PROCESS: {
        "withhold_reason": "所申请的是2026年第3次专题会议的讨论记录，相关事项尚在研究，未形成正式决定。",
        "proviso": v.PROVISO_CHECKED,
    },
    Outcome.WITHHELD_ENFORCEMENT: {
        "withhold_reason": "所申请的是某餐饮企业行政处罚案件的调查询问笔录和内部审批表。",
        "proviso": v.PROVISO_CHECKED,
    },
    Outcome.WITHHELD_QUERY: {
        "special_law": "《不动产登记暂行条例》第二十七条",
        "query_place": "淄博市不动产登记中心（淄博市张店区共青团西路，电话0533-3100000）",
    },
    Outcome.NOT_HELD: {"not_held_basis": v.NOT_HELD_ABSENT},
    Outcome.PETITION: {"channel": "淄博市信访局（淄博市张店区人民西路）或12345政务服务便民热线"},
    Outcome.REPEATED: {"earlier_number": "淄政办信复〔2026〕1号", "earlier_date": "2026-09-01"},
    Outcome.EXCESSIVE: {
        "excessive_branch": v.EXCESSIVE_REFUSE,
        "excessive_reason": "您在一个月内提交同类申请四十余件，经要求说明理由，您未说明申请与自身生产生活的关联。",
    },
    Outcome.CONFIRM_OR_REISSUE: {
        "confirm_basis": v.CONFIRM_ART_2_27,
        "confirm_explanation": "您要求本机关对您持有的2019年会议纪要复印件加盖公章予以确认。",
    },
    Outcome.OTHER: {"other_kind": v.OTHER_WITHDRAWAL},
}
# The other forms of the variants with two.
ALREADY_PUBLIC = {
    "disclosure_way": v.WAY_PUBLIC,
    "access": "淄博市人民政府门户网站“政府信息公开”栏目（www.zibo.gov.cn）",
}
ON_SITE = {
    "disclosure_way": v.WAY_ONSITE,
    "access_place": "本机关政务服务大厅政府信息公开窗口",
    "access_time": "2026年12月1日至12月15日工作日9:00-17:00",
}
OTHER_AGENCY = {
    "not_held_basis": v.NOT_HELD_ELSEWHERE,
    "not_ours_reason": "建设工程规划许可由自然资源和规划部门作出并保存，本机关未参与制作。",
    "responsible_agency": "淄博市自然资源和规划局",
    "responsible_contact": "0533-3185000",
}
OTHER_ENDING = {
    "other_kind": v.OTHER_OTHER,
    "other_basis": "《中华人民共和国档案法》第二十八条",
    "other_reason": "所申请的信息已移交淄博市档案馆，请您按档案利用的规定到该馆查阅。",
}


def reply_details(outcome: str) -> dict[str, str]:
    """Details of a reply that pass the issuing gate (empty where the variant needs none)."""
    return dict(REPLY_DETAILS.get(outcome, {}))

"""Demo mock-test campaigns (called by `seed_demo` after the core demo data).

* 「2026年第二轮模拟申请测评」, in scoring: 12 test requests to five agencies. Six went to
  agencies working in the system and are linked to the cases their clerks registered (through
  `case_register` with past dates and the real workflow and letters services); six went to
  agencies outside it and their replies are recorded by hand. Some were handled badly on purpose
  (a reply one day late across the National Day holiday, a wrong outcome, a case left open past
  its deadline, a late reply with no referral, a refusal without the review-first notice, a
  request never acknowledged). Half are scored; the lawyer scores the rest, the supervisor
  publishes and downloads the report.
* 「2026年第一轮模拟申请测评」, published: four scored test requests, so that the district's staff
  (zd_clerk, zd_handler, zd_approver) see their own results under 本单位测评结果.

Idempotent: a campaign that exists is left alone; everything is created in one transaction."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership, Role
from letters import services as letters_svc
from letters.samples import reply_details
from requests_app.rules import credit_code_check_char, id_number_check_char
from requests_app.services import cases as case_svc

from . import services
from .models import Campaign

DEMO_PASSWORD = "demo-pass-2026"  # demo only
ROUND_TWO = "2026年第二轮模拟申请测评"
ROUND_ONE = "2026年第一轮模拟申请测评"
# The last date used below (services refuse future dates).
LATEST_DATE = dt.date(2026, 11, 16)

EXTRA_STAFF = [  # a clerk, handler and approver for a second agency working in the system
    ("zc_clerk", "ZC-GOV", Role.CLERK, "钱晓梅"),
    ("zc_handler", "ZC-GOV", Role.HANDLER, "吴建国"),
    ("zc_approver", "ZC-GOV", Role.APPROVER, "郑文华"),
]


def _user(username: str, code: str, role: str, display: str, agencies: dict[str, Agency]):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, first_name=display)
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, agency=agencies[code], role=role)
    return user


def _intake(channel: str, received: dt.date, text: str, name: str, tracking: str) -> dict:
    data = {
        "channel": channel,
        "applicant_type": "natural_person",
        "applicant_name": name,
        "applicant_id_number": "",
        "applicant_phone": "13905330000",
        "applicant_address": "淄博市张店区柳泉路 88 号",
        "applicant_postcode": "255000",
        "delivery_method": "post",
        "content": text,
        "mail_tracking_number": tracking,
    }
    if channel == "mail_signed":
        data.update(submitted_on=received - dt.timedelta(days=2), signed_on=received)
    else:
        data.update(submitted_on=received, confirmed_on=received)
    return data


def _id_number(seed: int) -> str:
    first17 = f"3703031990{(seed % 12) + 1:02d}{(seed % 27) + 1:02d}{seed % 1000:03d}"
    return first17 + id_number_check_char(first17)


def _close(case, staff, outcome: str, on: dt.date) -> None:
    """The agency's own workflow: drafting, submission, the reply letter issued, closing."""
    case.refresh_from_db()
    if case.state == "received":
        case_svc.case_start_drafting(case_id=case.id, by=staff["handler"])
    case_svc.case_submit_for_approval(case_id=case.id, by=staff["handler"], outcome=outcome)
    letter = letters_svc.letter_draft(
        case_id=case.id,
        by=staff["handler"],
        kind="reply",
        outcome=outcome,
        details=reply_details(outcome),
    )
    letters_svc.letter_approve(letter_id=letter.id, by=staff["approver"])
    letters_svc.letter_issue(letter_id=letter.id, by=staff["approver"], on=on)
    case_svc.case_approve_and_close(case_id=case.id, by=staff["approver"], on=on)


# number, agency, channel, sent, tracking, text, identity, expected outcome, handling
LINKED = [
    (
        "ZD-GOV",
        "mail_signed",
        dt.date(2026, 9, 23),
        "EMS1100000001",
        "申请公开张店区2025年度老旧小区改造项目清单及资金安排。",
        "自然人（律师助理 王某）",
        "disclosed",
        {"received": dt.date(2026, 9, 25), "close": ("disclosed", dt.date(2026, 10, 29))},
    ),
    (
        "ZD-GOV",
        "mail_signed",
        dt.date(2026, 9, 23),
        "EMS1100000002",
        "申请公开张店区2025年度政府采购意向公开目录。",
        "自然人（律师助理 李某）",
        "disclosed",
        {"received": dt.date(2026, 9, 25), "close": ("disclosed", dt.date(2026, 10, 30))},
    ),
    (
        "ZD-GOV",
        "online",
        dt.date(2026, 10, 9),
        "WEB-ZD-20261009",
        "申请公开张店区2026年城区道路维修计划。",
        "自然人（律师助理 张某）",
        "disclosed",
        {
            "received": dt.date(2026, 10, 9),
            "close": ("unavailable.not_held", dt.date(2026, 10, 30)),
        },
    ),
    (
        "ZC-GOV",
        "mail_signed",
        dt.date(2026, 10, 10),
        "EMS1100000004",
        "申请公开淄川区有关补助的文件。",
        "自然人（律师助理 赵某）",
        "disclosed",
        {
            "received": dt.date(2026, 10, 12),
            "supplement": dt.date(2026, 10, 15),
            "supplemented": dt.date(2026, 10, 19),
            "close": ("disclosed", dt.date(2026, 11, 10)),
        },
    ),
    (
        "ZC-GOV",
        "online",
        dt.date(2026, 10, 12),
        "WEB-ZC-20261012",
        "申请公开淄川区2025年度河道清淤工程验收报告。",
        "法人（某律师事务所）",
        "disclosed",
        {"received": dt.date(2026, 10, 12)},
    ),
    (
        "ZC-GOV",
        "mail_signed",
        dt.date(2026, 10, 11),
        "EMS1100000006",
        "申请公开淄川区政府常务会议关于某项目的讨论记录。",
        "自然人（律师助理 孙某）",
        "withheld.process_information",
        {
            "received": dt.date(2026, 10, 13),
            "close": ("withheld.process_information", dt.date(2026, 11, 5)),
        },
    ),
]

UNLINKED = [
    (
        "LZ-GOV",
        "mail_signed",
        dt.date(2026, 9, 24),
        "EMS1100000007",
        "申请公开临淄区2025年度财政专项资金绩效评价报告。",
        "自然人（律师助理 周某）",
        "disclosed",
        {
            "received_on": "2026-09-28",
            "replied_on": "2026-10-20",
            "reply_outcome": "disclosed",
            "reply_note": "答复书提供了报告，但未引用条例条款。",
        },
    ),
    (
        "LZ-GOV",
        "mail_signed",
        dt.date(2026, 9, 24),
        "EMS1100000008",
        "申请公开临淄区某工业园区规划环评批复。",
        "自然人（律师助理 吴某）",
        "unavailable.not_held",
        {
            "received_on": "2026-09-28",
            "replied_on": "2026-11-10",
            "reply_outcome": "unavailable.not_held",
            "reply_note": "答复称不掌握，未告知负责机关。",
        },
    ),
    (
        "BS-GOV",
        "mail_signed",
        dt.date(2026, 10, 8),
        "EMS1100000009",
        "申请公开博山区2026年度重点项目清单。",
        "自然人（律师助理 郑某）",
        "disclosed",
        {"received_on": "2026-10-10", "replied_on": "2026-11-06", "reply_outcome": "disclosed"},
    ),
    (
        "BS-GOV",
        "mail_ordinary",
        dt.date(2026, 10, 20),
        "",
        "申请公开博山区2025年度行政事业性收费目录。",
        "自然人（律师助理 冯某）",
        "disclosed",
        {},
    ),
    (
        "CITY-HUD",
        "email",
        dt.date(2026, 10, 16),
        "MAIL-HUD-1016",
        "申请公开本局2025年度住房保障资格审核的内部考核细则。",
        "自然人（律师助理 陈某）",
        "withheld.internal_affairs",
        {
            "received_on": "2026-10-16",
            "replied_on": "2026-11-12",
            "reply_outcome": "withheld.internal_affairs",
            "reply_note": "不予公开，救济告知只写可以起诉，未告知须先申请行政复议。",
        },
    ),
    (
        "CITY-HUD",
        "online",
        dt.date(2026, 10, 19),
        "WEB-HUD-1019",
        "申请公开本局2025年度商品房预售资金监管银行名单。",
        "法人（某咨询公司）",
        "disclosed",
        {"received_on": "2026-10-19", "replied_on": "2026-11-06", "reply_outcome": "disclosed"},
    ),
]

APPLICANT_NAMES = ["王晓明", "李华", "张伟", "赵静", "山东明德律师事务所", "孙丽"]

# verdict corrections the lawyer made on top of the system's suggestions (by test request number)
CORRECTIONS = {
    1: {"written_sealed": ("pass", "答复书加盖了张店区人民政府印章。")},
    2: {"written_sealed": ("pass", "答复书加盖印章。")},
    3: {
        "written_sealed": ("pass", "答复书加盖印章。"),
        "referral": ("fail", "该信息由区住建局掌握，答复未告知负责机关。"),
    },
    7: {
        "written_sealed": ("pass", "书面答复，加盖印章。"),
        "legal_basis": ("fail", "答复书未引用条例条款，无法判断依据是否正确。"),
        "remedy_notice": ("pass", "告知了复议和诉讼途径及期限。"),
    },
    8: {
        "written_sealed": ("pass", "书面答复，加盖印章。"),
        "legal_basis": ("pass", "引用条例第三十六条第（四）项。"),
        "referral": ("fail", "答复称不掌握，未告知负责机关（市生态环境局）。"),
        "remedy_notice": ("pass", "告知了复议和诉讼途径及期限。"),
    },
    9: {
        "written_sealed": ("pass", "书面答复，加盖印章。"),
        "legal_basis": ("pass", "引用条例第三十六条第（二）项。"),
        "remedy_notice": ("pass", "告知了复议和诉讼途径及期限。"),
    },
}
SCORED = [1, 2, 3, 7, 8, 9]


def _score(campaign, number: int, lawyer, corrections: dict) -> None:
    tr = campaign.test_requests.get(number=number)
    suggestions = services.mock_request_prefill(tr)
    verdicts = {}
    for item in campaign.items.all():
        verdict, note = corrections.get(item.key) or suggestions.get(item.key, ("cannot_tell", ""))
        if verdict == "cannot_tell" and item.key in ("written_sealed",):
            verdict, note = "pass", "书面答复，加盖印章。"
        verdicts[item.id] = (verdict, note)
    services.mock_request_score(
        campaign_id=campaign.pk, number=number, by=lawyer, verdicts=verdicts
    )


def _round_two(agencies, users, stdout) -> None:
    supervisor, lawyer = users["supervisor"], users["lawyer"]
    staff = {
        "ZD-GOV": {
            "clerk": users["zd_clerk"],
            "handler": users["zd_handler"],
            "approver": users["zd_approver"],
        },
        "ZC-GOV": {
            "clerk": users["zc_clerk"],
            "handler": users["zc_handler"],
            "approver": users["zc_approver"],
        },
    }
    codes = ["ZD-GOV", "ZC-GOV", "LZ-GOV", "BS-GOV", "CITY-HUD"]
    campaign = services.campaign_create(
        by=supervisor,
        supervising_agency=agencies["CITY-OFFICE"],
        data={
            "name": ROUND_TWO,
            "period_start": dt.date(2026, 9, 15),
            "period_end": dt.date(2026, 11, 30),
            "description": "委托律师事务所以普通申请人身份向各区县政府和市直部门发出模拟申请，检验依申请公开工作的受理、答复时限和答复规范。",
            "agency_ids": [agencies[c].id for c in codes],
            "lawyer_ids": [lawyer.id],
        },
    )
    services.campaign_transition(campaign_id=campaign.pk, by=supervisor, action="start")
    for n, (code, channel, sent, tracking, text, identity, expected, how) in enumerate(
        LINKED, start=1
    ):
        tr = services.mock_request_create(
            campaign_id=campaign.pk,
            by=lawyer,
            data={
                "agency_id": agencies[code].id,
                "channel": channel,
                "sent_on": sent,
                "tracking_number": tracking,
                "request_text": text,
                "applicant_identity": identity,
                "expected_outcome": expected,
            },
        )
        people = staff[code]
        data = _intake(channel, how["received"], text, APPLICANT_NAMES[n - 1], tracking)
        if identity.startswith("法人"):
            data.update(
                applicant_type="legal_service_org",
                applicant_name="山东明德律师事务所",
                applicant_credit_code=_credit_code(n),
            )
        else:
            data["applicant_id_number"] = _id_number(n)
        case = case_svc.case_register(
            agency=agencies[code], by=people["clerk"], data=data, today=how["received"]
        )
        if "supplement" in how:
            case_svc.case_request_supplement(
                case_id=case.id,
                by=people["handler"],
                on=how["supplement"],
                due=how["supplement"] + dt.timedelta(days=14),
                missing="请写明所申请“补助”的具体名称、年度及发放对象。",
            )
            case_svc.case_record_supplement(
                case_id=case.id, by=people["clerk"], on=how["supplemented"]
            )
        if "close" in how:
            _close(case, people, *how["close"])
        services.mock_request_link_case(
            campaign_id=campaign.pk, number=tr.number, by=lawyer, case_id=case.id
        )
    for code, channel, sent, tracking, text, identity, expected, reply in UNLINKED:
        tr = services.mock_request_create(
            campaign_id=campaign.pk,
            by=lawyer,
            data={
                "agency_id": agencies[code].id,
                "channel": channel,
                "sent_on": sent,
                "tracking_number": tracking,
                "request_text": text,
                "applicant_identity": identity,
                "expected_outcome": expected,
            },
        )
        if reply:
            services.mock_request_record_reply(
                campaign_id=campaign.pk, number=tr.number, by=lawyer, data=reply
            )
    services.campaign_transition(campaign_id=campaign.pk, by=lawyer, action="start_scoring")
    for number in SCORED:
        _score(campaign, number, lawyer, CORRECTIONS.get(number, {}))
    stdout.write(
        f"已创建演示测评“{ROUND_TWO}”：模拟申请 {len(LINKED) + len(UNLINKED)} 件"
        f"（{len(LINKED)} 件关联机关案件），已评分 {len(SCORED)} 件，待律师评分其余各件。"
    )


def _credit_code(seed: int) -> str:
    first17 = f"31370000MD{seed % 10000000:07d}"
    return first17 + credit_code_check_char(first17)


ROUND_ONE_REQUESTS = [
    (
        "ZD-GOV",
        "mail_signed",
        dt.date(2026, 4, 7),
        "EMS0900000001",
        "申请公开张店区2025年度部门预算。",
        "disclosed",
        {"received_on": "2026-04-09", "replied_on": "2026-04-30", "reply_outcome": "disclosed"},
        {"legal_basis": ("fail", "答复书未引用条例条款。")},
    ),
    (
        "ZD-GOV",
        "online",
        dt.date(2026, 4, 8),
        "WEB-ZD-0408",
        "申请公开张店区某道路拓宽工程征收补偿方案。",
        "disclosed",
        {"received_on": "2026-04-08", "replied_on": "2026-05-12", "reply_outcome": "disclosed"},
        {},
    ),
    (
        "LZ-GOV",
        "mail_signed",
        dt.date(2026, 4, 7),
        "EMS0900000003",
        "申请公开临淄区2025年度政府信息公开工作年度报告的统计台账。",
        "disclosed",
        {"received_on": "2026-04-09", "replied_on": "2026-04-28", "reply_outcome": "disclosed"},
        {},
    ),
    (
        "LZ-GOV",
        "email",
        dt.date(2026, 4, 10),
        "MAIL-LZ-0410",
        "申请公开临淄区某企业环境行政处罚决定书。",
        "disclosed",
        {
            "received_on": "2026-04-10",
            "replied_on": "2026-05-08",
            "reply_outcome": "withheld.third_party_rights",
        },
        {"outcome_fits": ("fail", "行政处罚决定应当主动公开，以保护第三方权益为由不予公开不当。")},
    ),
]


def _round_one(agencies, users, stdout) -> None:
    supervisor, lawyer = users["supervisor"], users["lawyer"]
    campaign = services.campaign_create(
        by=supervisor,
        supervising_agency=agencies["CITY-OFFICE"],
        data={
            "name": ROUND_ONE,
            "period_start": dt.date(2026, 4, 1),
            "period_end": dt.date(2026, 6, 30),
            "agency_ids": [agencies["ZD-GOV"].id, agencies["LZ-GOV"].id],
            "lawyer_ids": [lawyer.id],
        },
    )
    services.campaign_transition(campaign_id=campaign.pk, by=supervisor, action="start")
    for code, channel, sent, tracking, text, expected, reply, _ in ROUND_ONE_REQUESTS:
        tr = services.mock_request_create(
            campaign_id=campaign.pk,
            by=lawyer,
            data={
                "agency_id": agencies[code].id,
                "channel": channel,
                "sent_on": sent,
                "tracking_number": tracking,
                "request_text": text,
                "applicant_identity": "自然人（律师助理）",
                "expected_outcome": expected,
            },
        )
        services.mock_request_record_reply(
            campaign_id=campaign.pk, number=tr.number, by=lawyer, data=reply
        )
    services.campaign_transition(campaign_id=campaign.pk, by=lawyer, action="start_scoring")
    for number, request in enumerate(ROUND_ONE_REQUESTS, start=1):
        corrections = {
            "legal_basis": ("pass", "引用条例条款正确。"),
            "remedy_notice": ("pass", "告知了复议和诉讼途径及期限。"),
            **request[7],
        }
        _score(campaign, number, lawyer, corrections)
    services.campaign_transition(campaign_id=campaign.pk, by=supervisor, action="publish")
    stdout.write(f"已创建并发布演示测评“{ROUND_ONE}”：模拟申请 {len(ROUND_ONE_REQUESTS)} 件。")


def seed(stdout) -> None:
    """Create the demo campaigns if they are not there yet (safe to run again)."""
    needed = ["CITY-OFFICE", "ZD-GOV", "ZC-GOV", "LZ-GOV", "BS-GOV", "CITY-HUD"]
    agencies = Agency.objects.in_bulk(needed, field_name="code")
    User = get_user_model()
    users = User.objects.filter(
        username__in=["supervisor", "lawyer", "zd_clerk", "zd_handler", "zd_approver"]
    ).in_bulk(field_name="username")
    if len(agencies) < len(needed) or len(users) < 5:
        stdout.write("模拟申请测评演示数据：缺少演示机关或演示账号，跳过。")
        return
    if timezone.localdate() < LATEST_DATE:
        stdout.write(f"今天早于 {LATEST_DATE}，跳过模拟申请测评演示数据。")
        return
    with transaction.atomic():
        if not Campaign.objects.filter(name=ROUND_ONE).exists():
            _round_one(agencies, users, stdout)
    with transaction.atomic():
        if not Campaign.objects.filter(name=ROUND_TWO).exists():
            for username, code, role, display in EXTRA_STAFF:
                users[username] = _user(username, code, role, display, agencies)
            _round_two(agencies, users, stdout)

"""The core demo data (`seed_demo`, SPEC §9): agencies, users, the 2020 cases behind the
reference report's tables three and four, and a current-year spread over every state.

Everything goes through the real services: agencies through `agency_upsert`, the historical
cases through the case import (`cases_import_rows`: an `imported` history event, then the logged
`close_imported` transition), the review and lawsuit records in reporting/demo.py, and the
current-year cases through registration and one service per transition with explicit past
dates. Idempotent: every part checks whether it is already there and then leaves it alone.

All names, identity numbers and companies are fictional."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyLevel, Membership, Role
from agencies.services import agency_upsert
from workcalendar.selectors import calendar_get

from .models import Case
from .outcomes import ApplicantType, Outcome
from .rules import credit_code_check_char, id_number_check_char
from .services import cases as svc
from .services.imports import TableRow, cases_import_rows

DEMO_PASSWORD = "demo-pass-2026"  # demo only; never in production settings
CITY = "CITY-OFFICE"
DISTRICT = "ZD-GOV"
# The current-year spread is laid out with dates up to this day (services refuse future dates).
CURRENT_YEAR_ANCHOR = dt.date(2026, 11, 27)
HISTORY_SOURCE = "2020年依申请公开台账（演示数据）.xlsx"

REVIEW_CITY = "淄博市人民政府"
COURT_BASIC = "淄博市张店区人民法院"
COURT_INTERMEDIATE = "淄博市中级人民法院"

# code, name, parent, level, address, postcode, phone, review body, court, letter prefix
AGENCIES: list[tuple[str, str, str, str, str, str, str, str, str, str]] = [
    (
        CITY,
        "淄博市人民政府办公室",
        "",
        AgencyLevel.CITY,
        "淄博市张店区人民西路 1 号",
        "255000",
        "0533-3182000",
        REVIEW_CITY,
        COURT_BASIC,
        "淄政办信复",
    ),
    (
        DISTRICT,
        "张店区人民政府",
        CITY,
        AgencyLevel.DISTRICT,
        "淄博市张店区金晶大道 2 号",
        "255000",
        "0533-2860000",
        REVIEW_CITY,
        COURT_INTERMEDIATE,
        "张政信复",
    ),
    (
        "ZC-GOV",
        "淄川区人民政府",
        CITY,
        AgencyLevel.DISTRICT,
        "淄博市淄川区般阳路 3 号",
        "255100",
        "0533-5180000",
        REVIEW_CITY,
        COURT_INTERMEDIATE,
        "川政信复",
    ),
    (
        "LZ-GOV",
        "临淄区人民政府",
        CITY,
        AgencyLevel.DISTRICT,
        "淄博市临淄区晏婴路 4 号",
        "255400",
        "0533-7210000",
        REVIEW_CITY,
        COURT_INTERMEDIATE,
        "临政信复",
    ),
    (
        "BS-GOV",
        "博山区人民政府",
        CITY,
        AgencyLevel.DISTRICT,
        "淄博市博山区中心路 5 号",
        "255200",
        "0533-4180000",
        REVIEW_CITY,
        COURT_INTERMEDIATE,
        "博政信复",
    ),
    (
        "ZD-CZ",
        "张店区车站街道办事处",
        DISTRICT,
        AgencyLevel.TOWN,
        "淄博市张店区华光路 6 号",
        "255000",
        "0533-2170000",
        "张店区人民政府",
        COURT_BASIC,
        "车站街道信复",
    ),
    (
        "ZD-GY",
        "张店区公园街道办事处",
        DISTRICT,
        AgencyLevel.TOWN,
        "淄博市张店区共青团西路 7 号",
        "255000",
        "0533-2880000",
        "张店区人民政府",
        COURT_BASIC,
        "公园街道信复",
    ),
    (
        "ZD-MS",
        "张店区马尚街道办事处",
        DISTRICT,
        AgencyLevel.TOWN,
        "淄博市张店区马尚镇大街 8 号",
        "255000",
        "0533-2310000",
        "张店区人民政府",
        COURT_BASIC,
        "马尚街道信复",
    ),
    (
        "LZ-XD",
        "临淄区辛店街道办事处",
        "LZ-GOV",
        AgencyLevel.TOWN,
        "淄博市临淄区桓公路 9 号",
        "255400",
        "0533-7170000",
        "临淄区人民政府",
        "淄博市临淄区人民法院",
        "辛店街道信复",
    ),
    (
        "CITY-NRP",
        "淄博市自然资源和规划局",
        CITY,
        AgencyLevel.DEPARTMENT,
        "淄博市张店区联通路 10 号",
        "255000",
        "0533-3110000",
        REVIEW_CITY,
        COURT_BASIC,
        "淄自然资信复",
    ),
    (
        "CITY-HUD",
        "淄博市住房和城乡建设局",
        CITY,
        AgencyLevel.DEPARTMENT,
        "淄博市张店区柳泉路 11 号",
        "255000",
        "0533-2270000",
        REVIEW_CITY,
        COURT_BASIC,
        "淄建信复",
    ),
    (
        "CITY-EEB",
        "淄博市生态环境局",
        CITY,
        AgencyLevel.DEPARTMENT,
        "淄博市张店区华光路 12 号",
        "255000",
        "0533-2860100",
        REVIEW_CITY,
        COURT_BASIC,
        "淄环信复",
    ),
    (
        "CITY-HRSS",
        "淄博市人力资源和社会保障局",
        CITY,
        AgencyLevel.DEPARTMENT,
        "淄博市张店区人民西路 13 号",
        "255000",
        "0533-3170000",
        REVIEW_CITY,
        COURT_BASIC,
        "淄人社信复",
    ),
]

# username, agency, roles, display name
USERS: list[tuple[str, str, list[str], str]] = [
    ("clerk", CITY, [Role.CLERK], "李静"),
    ("handler", CITY, [Role.HANDLER], "王志强"),
    ("approver", CITY, [Role.APPROVER], "张明远"),
    ("supervisor", CITY, [Role.SUPERVISOR], "刘雅琴"),
    ("lawyer", CITY, [Role.AUDITOR], "陈律师"),
    ("admin", CITY, [Role.ADMINISTRATOR], "系统管理员"),
    ("zd_clerk", DISTRICT, [Role.CLERK], "赵晓雪"),
    ("zd_handler", DISTRICT, [Role.HANDLER], "孙立新"),
    ("zd_approver", DISTRICT, [Role.APPROVER], "周海峰"),
]


# --- agencies and users -------------------------------------------------------------------------
def seed_agencies() -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for code, name, parent, level, address, postcode, phone, review, court, prefix in AGENCIES:
        agencies[code], status = agency_upsert(
            code=code,
            parent=agencies.get(parent) if parent else None,
            name=name,
            level=level,
            address=address,
            postcode=postcode,
            phone=phone,
            review_body=review,
            court=court,
            letter_prefix=prefix,
        )
        if status == "created" and code == CITY:
            # The demo office lets its clerk print receipts while the applicant waits (issue 11);
            # set once, so a later run leaves an administrator's choice alone.
            agencies[code].clerks_issue_receipts = True
            agencies[code].save(update_fields=["clerks_issue_receipts"])
    return agencies


def seed_users(agencies: dict[str, Agency]) -> dict[str, Any]:
    User = get_user_model()
    users = {}
    for username, code, roles, display in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=display)
            user.set_password(DEMO_PASSWORD)
            if username == "admin":
                user.is_staff = user.is_superuser = True
            user.save()
        for role in roles:
            Membership.objects.get_or_create(user=user, agency=agencies[code], role=role)
        users[username] = user
    return users


# --- fictional people and requests ---------------------------------------------------------------
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = [
    "建国",
    "秀英",
    "玉兰",
    "志强",
    "海燕",
    "春梅",
    "立新",
    "桂芳",
    "德明",
    "文华",
    "丽娟",
    "明亮",
    "红霞",
    "晓东",
    "国庆",
    "淑珍",
    "永刚",
    "凤英",
    "振华",
    "雪梅",
    "宏伟",
    "慧敏",
    "长江",
    "金凤",
    "树林",
    "美玲",
    "卫东",
    "翠兰",
    "继红",
    "少波",
    "新民",
    "爱华",
    "俊杰",
    "晓燕",
    "庆丰",
    "玉珍",
]
COMPANIES = [
    "淄博恒信商贸有限公司",
    "淄博鑫源建材有限公司",
    "山东华岳置业有限公司",
    "淄博宏达物流有限公司",
    "淄博天润食品有限公司",
    "淄博齐盛陶瓷有限公司",
    "山东瑞丰化工有限公司",
]
PLACES = [
    "张店区马尚街道",
    "张店区车站街道",
    "淄川区般阳路街道",
    "临淄区辛店街道",
    "博山区城东街道",
    "周村区丝绸路街道",
    "高新区四宝山街道",
    "桓台县索镇",
    "高青县田镇街道",
    "沂源县历山街道",
]
PROJECTS = [
    "新村西路拓宽改造工程",
    "孝妇河综合治理工程",
    "东部化工区搬迁项目",
    "火车站北广场改造工程",
    "鲁泰大道东延工程",
    "棚户区改造项目",
    "老旧小区改造项目",
    "城中村改造项目",
    "学校扩建工程",
    "污水处理厂提标改造工程",
]
DISCLOSED_TOPICS = [
    "{place}{project}的立项批复文件",
    "{place}{project}的征收补偿安置方案",
    "市政府关于{place}{project}的会议纪要中涉及本人所在村的部分",
    "{year}年市政府为民办实事项目的完成情况",
    "{place}{project}的建设用地批准文件",
    "市政府办公室{year}年公布的规范性文件目录",
    "{place}{project}的社会稳定风险评估结论",
    "{year}年市级财政预算中{project}的资金安排情况",
]
PARTIAL_TOPICS = [
    "{place}{project}征地补偿款发放明细（含本户及其他被征收户）",
    "{place}{project}中标单位的投标文件及合同",
]
NOT_HELD_TOPICS = [
    "本人位于{place}房屋的不动产登记档案",
    "{place}某村集体土地承包合同及承包费收支明细",
    "本人{year}年度社会保险缴费记录",
    "{place}派出所处理本人报警的出警记录",
    "{place}某小区物业维修资金使用明细",
    "{place}{project}施工单位的营业执照及资质证书",
    "{place}某企业的排污许可证及环评验收材料",
]


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _topic(rng: random.Random, templates: list[str], year: int) -> str:
    text = rng.choice(templates).format(
        place=rng.choice(PLACES), project=rng.choice(PROJECTS), year=year - 1
    )
    return f"申请公开{text}。"


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
    first17 = f"370303{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_number_check_char(first17)


def _credit_code(rng: random.Random) -> str:
    first17 = f"91370300MA3C{rng.randrange(0, 100000):05d}"
    return first17 + credit_code_check_char(first17)


def _phone(rng: random.Random) -> str:
    return f"13{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}"


# --- 2020: the cases behind the reference report's tables three and four -----------------------
CHANNEL_WEIGHTS = [("online", 46), ("mail_signed", 30), ("in_person", 12), ("mail_ordinary", 6),
                   ("email", 4), ("fax", 2)]  # fmt: skip


def _history_rows() -> list[dict[str, Any]]:
    """94 rows: 6 received in late 2019 and closed in January 2020, 85 received and closed in
    2020, 3 received in December 2020 and closed in January 2021. Table three for 2020:
    new 83 natural persons + 5 enterprises, carried over 6, closed 91 (disclosed 43+1,
    partially disclosed 2+1, not held 40+2, repeated 1+1), carried forward 3."""
    rng = random.Random(2020)
    calendar = calendar_get(covering=dt.date(2021, 12, 31))

    def workdays(a: dt.date, b: dt.date) -> list[dt.date]:
        days = [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]
        return [d for d in days if calendar.is_workday(d)]

    def channel() -> str:
        names, weights = zip(*CHANNEL_WEIGHTS, strict=True)
        return rng.choices(names, weights)[0]

    person_outcomes = (
        [Outcome.DISCLOSED] * 43
        + [Outcome.PARTIALLY_DISCLOSED] * 2
        + [Outcome.NOT_HELD] * 40
        + [Outcome.REPEATED] * 1
    )
    rng.shuffle(person_outcomes)
    # Keep the repeated request out of the carried-over ones, so it repeats an earlier 2020 one.
    while Outcome.REPEATED in person_outcomes[:8]:
        rng.shuffle(person_outcomes)
    company_outcomes = [
        Outcome.DISCLOSED, Outcome.PARTIALLY_DISCLOSED, Outcome.NOT_HELD, Outcome.NOT_HELD,
        Outcome.REPEATED,
    ]  # fmt: skip

    rows: list[dict[str, Any]] = []

    def add(received: dict, applicant_type: str, outcome: str, close_within: tuple[int, int],
            close_by: dt.date | None = None) -> None:  # fmt: skip
        received_on = received["on"]
        closed_on = calendar.add_working_days(received_on, rng.randint(*close_within))
        if close_by and closed_on > close_by:
            closed_on = max(d for d in workdays(received_on, close_by))
        templates = {
            Outcome.DISCLOSED: DISCLOSED_TOPICS,
            Outcome.PARTIALLY_DISCLOSED: PARTIAL_TOPICS,
        }.get(outcome, NOT_HELD_TOPICS)
        name = (
            _person_name(rng)
            if applicant_type == ApplicantType.NATURAL_PERSON
            else rng.choice(COMPANIES)
        )
        rows.append({
            "received_on": received_on,
            "channel": channel(),
            "applicant_type": applicant_type,
            "applicant_name": name,
            "content": _topic(rng, templates, received_on.year),
            "outcome": outcome,
            "closed_on": closed_on,
        })  # fmt: skip

    # Six requests of late 2019, still open on 31 December 2019.
    late_2019 = sorted(rng.sample(workdays(dt.date(2019, 12, 9), dt.date(2019, 12, 27)), 6))
    for day, outcome in zip(late_2019, person_outcomes[:6], strict=True):
        add({"on": day}, ApplicantType.NATURAL_PERSON, outcome, (5, 19))
        # answered in January 2020, within the 20 working days
        due = calendar.add_working_days(day, 20)
        rows[-1]["closed_on"] = rng.choice(workdays(dt.date(2020, 1, 2), due))
    # 80 + 5 requests received and closed in 2020, spread over the year.
    days_2020 = workdays(dt.date(2020, 1, 2), dt.date(2020, 11, 27))
    received_2020 = sorted(rng.choices(days_2020, k=85))
    kinds = [ApplicantType.NATURAL_PERSON] * 80 + [ApplicantType.COMMERCIAL_ENTERPRISE] * 5
    rng.shuffle(kinds)
    people, companies = iter(person_outcomes[6:]), iter(company_outcomes)
    for day, kind in zip(received_2020, kinds, strict=True):
        outcome = next(people) if kind == ApplicantType.NATURAL_PERSON else next(companies)
        add({"on": day}, kind, outcome, (3, 19), close_by=dt.date(2020, 12, 31))
    # Three requests of December 2020 answered in January 2021 (carried forward).
    for day, outcome in zip(
        [dt.date(2020, 12, 15), dt.date(2020, 12, 22), dt.date(2020, 12, 28)],
        [Outcome.DISCLOSED, Outcome.NOT_HELD, Outcome.DISCLOSED],
        strict=True,
    ):
        add({"on": day}, ApplicantType.NATURAL_PERSON, outcome, (14, 19))
        assert rows[-1]["closed_on"].year == 2021

    rows.sort(key=lambda r: r["received_on"])
    # A repeated request repeats an earlier request of the same applicant.
    for i, row in enumerate(rows):
        if row["outcome"] == Outcome.REPEATED:
            earlier = next(
                (r for r in reversed(rows[:i]) if r["applicant_type"] == row["applicant_type"]),
                None,
            )
            if earlier is not None:
                row["applicant_name"] = earlier["applicant_name"]
                row["content"] = earlier["content"]
            row["content"] = row["content"].rstrip("。") + "（与此前已答复的申请内容相同）。"
    counters: dict[int, int] = {2019: 42, 2020: 0}
    for row in rows:
        year = row["received_on"].year
        counters[year] += 1
        row["case_no"] = f"{year}-{counters[year]:04d}"
    return rows


def seed_history(city: Agency, admin) -> bool:
    """Import the 2019–2020 cases (once) and their review and lawsuit records."""
    if Case.objects.filter(agency=city, received_on__year__in=[2019, 2020]).exists():
        return False
    rows = [
        TableRow(line, {**row, "outcome": str(row["outcome"])})
        for line, row in enumerate(_history_rows(), start=2)
    ]
    cases_import_rows(rows, agency=city, by=admin, source=HISTORY_SOURCE)
    return True


# --- the current year: every state, through the real services ----------------------------------
def _intake(rng: random.Random, channel: str, on: dt.date, content: str, *,
            company: bool = False, delivery: str = "post") -> dict[str, Any]:  # fmt: skip
    data: dict[str, Any] = {
        "channel": channel,
        "applicant_type": (
            ApplicantType.COMMERCIAL_ENTERPRISE if company else ApplicantType.NATURAL_PERSON
        ),
        "applicant_name": rng.choice(COMPANIES) if company else _person_name(rng),
        "applicant_phone": _phone(rng),
        "applicant_address": f"淄博市{rng.choice(PLACES)}{rng.randint(1, 200)}号",
        "applicant_postcode": "255000",
        "delivery_method": delivery,
        "content": content,
        "receipt_date_confirmed": True,  # demo dates are set on purpose
    }
    if delivery == "email":
        data["applicant_email"] = f"applicant{rng.randint(100, 999)}@example.com"
    if company:
        data["applicant_credit_code"] = _credit_code(rng)
    else:
        data["applicant_id_number"] = _id_number(rng)
    if channel == "in_person":
        data["submitted_on"] = on
    elif channel == "mail_signed":
        data["submitted_on"] = on - dt.timedelta(days=2)
        data["signed_on"] = on
        data["mail_tracking_number"] = f"1{rng.randrange(10**11, 10**12)}"
    else:
        data["submitted_on"] = on
        data["confirmed_on"] = on
    return data


def _scenarios(year: int) -> list[tuple[str, str, dt.date, str, dict]]:
    """(label, channel, receipt day, content, steps) for one agency's current-year spread."""
    d = lambda m, day: dt.date(year, m, day)  # noqa: E731
    return [
        ("新收", "online", d(11, 25), "申请公开{place}{project}的立项批复文件", {}),
        ("新收", "in_person", d(11, 26), "申请公开本街道{prev}年老旧小区改造计划", {}),
        ("即将到期", "mail_signed", d(10, 30), "申请公开{project}的建设用地批准文件", {}),
        ("逾期未办", "mail_ordinary", d(10, 9), "申请公开{place}{project}的征收补偿安置方案", {}),
        (
            "待补正",
            "online",
            d(11, 16),
            "申请公开关于我村土地的文件",
            {
                "supplement": (
                    d(11, 18),
                    d(12, 2),
                    "请写明所指土地的位置（村组、地块名称）及文件名称或文号",
                )
            },
        ),
        (
            "补正后重新起算，已逾期",
            "mail_signed",
            d(10, 12),
            "申请公开有关拆迁的文件",
            {
                "supplement": (d(10, 14), d(10, 28), "请写明拆迁项目名称及所需文件的名称"),
                "supplemented": d(10, 16),
                "drafting": True,
            },
        ),
        (
            "征求意见中",
            "online",
            d(11, 2),
            "申请公开{project}中标单位的投标文件",
            {"drafting": True, "consult": (d(11, 9), "淄博宏达物流有限公司（第三方）")},
        ),
        (
            "征求意见结束，拟稿中",
            "email",
            d(10, 19),
            "申请公开{place}某企业的环评批复",
            {"consult": (d(10, 23), "淄博市生态环境局"), "consult_done": d(11, 13)},
        ),
        (
            "待缴费",
            "online",
            d(11, 4),
            "申请公开{prev}年以来全市建设工程规划许可证（共约 400 件）",
            {"fee": (d(11, 12), Decimal("300.00"))},
        ),
        (
            "已缴费，拟稿中",
            "online",
            d(10, 15),
            "申请公开{prev}年全市棚户区改造项目的全部批复文件",
            {"fee": (d(10, 22), Decimal("100.00")), "paid": (d(11, 5), "鲁财票 No.0012345")},
        ),
        (
            "逾期未缴费，不再处理",
            "online",
            d(8, 17),
            "申请公开2015年以来市政府常务会议纪要全文",
            {"fee": (d(8, 24), Decimal("500.00")), "fee_unpaid": True},
        ),
        (
            "逾期未补正，视为放弃",
            "online",
            d(9, 1),
            "申请公开那份文件",
            {
                "supplement": (
                    d(9, 3),
                    d(9, 17),
                    "请写明所需政府信息的名称、文号或者便于查询的其他特征性描述",
                ),
                "abandoned": True,
            },
        ),
        (
            "申请延期待审批",
            "mail_signed",
            d(11, 2),
            "申请公开{place}{project}的全部审批文件",
            {"drafting": True, "extension": (d(11, 25), 15, "涉及多个部门、材料较多，需延期答复")},
        ),
        (
            "延期已批准，期限跨入下一年（暂定）",
            "online",
            d(11, 16),
            "申请公开{place}{project}的社会稳定风险评估报告",
            {
                "drafting": True,
                "extension": (d(11, 23), 20, "需调取历年档案，需延期答复"),
                "extension_approved": d(11, 24),
            },
        ),
        (
            "待审核",
            "online",
            d(11, 5),
            "申请公开{prev}年市级财政预算中{project}的资金安排",
            {"drafting": True, "submit": Outcome.DISCLOSED},
        ),
        (
            "待审核",
            "mail_signed",
            d(11, 10),
            "申请公开本人房屋的不动产登记档案",
            {"drafting": True, "submit": Outcome.NOT_HELD},
        ),
        (
            "当场答复",
            "in_person",
            d(11, 19),
            "申请查阅{prev}年市政府为民办实事项目完成情况",
            {"on_the_spot": (Outcome.DISCLOSED, "当场提供市政府门户网站公开页面打印件")},
        ),
        (
            "当场答复",
            "in_person",
            d(6, 10),
            "申请提供《淄博年鉴》全文",
            {"on_the_spot": (Outcome.PUBLICATION, "告知可在市图书馆、市档案馆查阅《淄博年鉴》")},
        ),
        (
            "申请人撤回",
            "online",
            d(11, 9),
            "申请公开{place}{project}的会议纪要",
            {"withdraw": (d(11, 17), "申请人来电表示已从其他途径获取，申请撤回")},
        ),
        (
            "作废",
            "online",
            d(11, 20),
            "申请公开{place}{project}的立项批复文件",
            {"void": "重复登记：同一份网上申请被登记了两次"},
        ),
    ]


def _run_steps(case: Case, steps: dict, people: dict[str, Any]) -> Case:
    clerk, handler, approver = people["clerk"], people["handler"], people["approver"]
    calendar = calendar_get()
    cid = case.id
    if "supplement" in steps:
        on, due, missing = steps["supplement"]
        svc.case_request_supplement(case_id=cid, by=handler, on=on, due=due, missing=missing)
        if "supplemented" in steps:
            svc.case_record_supplement(case_id=cid, by=clerk, on=steps["supplemented"])
        if steps.get("abandoned"):
            on = calendar.add_working_days(due, 1)
            svc.case_deem_abandoned(case_id=cid, by=handler, on=on)
    if "fee" in steps:
        on, amount = steps["fee"]
        case = svc.case_issue_fee_notice(case_id=cid, by=handler, on=on, amount=amount)
        if "paid" in steps:
            paid_on, receipt = steps["paid"]
            svc.case_record_fee_payment(case_id=cid, by=clerk, on=paid_on, receipt_no=receipt)
        if steps.get("fee_unpaid"):
            on = calendar.add_working_days(case.fee_payment_due, 1)
            svc.case_close_fee_unpaid(case_id=cid, by=handler, on=on)
    if "consult" in steps:
        on, party = steps["consult"]
        svc.case_start_consultation(case_id=cid, by=handler, on=on, party=party)
        if "consult_done" in steps:
            svc.case_finish_consultation(case_id=cid, by=handler, on=steps["consult_done"])
    if steps.get("drafting"):
        case.refresh_from_db()
        if case.state == "received":
            svc.case_start_drafting(case_id=cid, by=handler, reason="开始拟办")
    if "extension" in steps:
        on, days, reason = steps["extension"]
        svc.case_request_extension(case_id=cid, by=handler, on=on, days=days, reason=reason)
        if "extension_approved" in steps:
            svc.case_approve_extension(case_id=cid, by=approver, on=steps["extension_approved"])
    if "submit" in steps:
        svc.case_submit_for_approval(
            case_id=cid, by=handler, outcome=steps["submit"], reason="拟办意见提交审核"
        )
    if "on_the_spot" in steps:
        outcome, note = steps["on_the_spot"]
        svc.case_answer_on_the_spot(
            case_id=cid, by=clerk, on=case.received_on, outcome=outcome, note=note
        )
    if "withdraw" in steps:
        on, reason = steps["withdraw"]
        svc.case_withdraw(case_id=cid, by=clerk, on=on, reason=reason)
    if "void" in steps:
        svc.case_void(case_id=cid, by=approver, reason=steps["void"])
    case.refresh_from_db()
    return case


def seed_current_year(agency: Agency, people: dict[str, Any], *, seed: int) -> int:
    """The current-year spread for one agency (once): returns the number of cases created."""
    year = CURRENT_YEAR_ANCHOR.year
    if Case.objects.filter(agency=agency, year=year).exists():
        return 0
    rng = random.Random(seed)
    created = 0
    # Registered in order of receipt, so that case numbers follow the dates.
    for _label, channel, on, content, steps in sorted(_scenarios(year), key=lambda s: s[2]):
        text = content.format(place=rng.choice(PLACES), project=rng.choice(PROJECTS), prev=year - 1)
        company = "企业" in text or rng.random() < 0.1
        data = _intake(
            rng, channel, on, text + ("" if text.endswith("。") else "。"), company=company
        )
        case = svc.case_register(
            agency=agency, by=people["clerk"], data=data, today=CURRENT_YEAR_ANCHOR
        )
        _run_steps(case, steps, people)
        created += 1
    return created


DISTRICT_SCENARIOS = [0, 3, 4, 5, 14, 16, 18]  # received, overdue, supplement, …, review, closed


def seed(stdout) -> None:
    """Create (or complete) the core demo data; safe to run again."""
    with transaction.atomic():
        agencies = seed_agencies()
        users = seed_users(agencies)
    city, district = agencies[CITY], agencies[DISTRICT]
    with transaction.atomic():
        if seed_history(city, users["admin"]):
            stdout.write("已导入 2019–2020 年演示案件（2020 年报表三、表四所依据的案件）。")
    if timezone.localdate() < CURRENT_YEAR_ANCHOR:
        stdout.write(f"今天早于 {CURRENT_YEAR_ANCHOR}，跳过本年度演示案件。")
        return
    with transaction.atomic():
        city_people = {k: users[k] for k in ("clerk", "handler", "approver")}
        n = seed_current_year(city, city_people, seed=2026)
        district_people = {k: users[f"zd_{k}"] for k in ("clerk", "handler", "approver")}
        m = seed_current_year_subset(district, district_people)
        if n or m:
            stdout.write(f"已创建本年度演示案件：{city.name} {n} 件，{district.name} {m} 件。")


def seed_current_year_subset(agency: Agency, people: dict[str, Any]) -> int:
    year = CURRENT_YEAR_ANCHOR.year
    if Case.objects.filter(agency=agency, year=year).exists():
        return 0
    rng = random.Random(26)
    scenarios = _scenarios(year)
    created = 0
    for index in sorted(DISTRICT_SCENARIOS, key=lambda i: scenarios[i][2]):
        _label, channel, on, content, steps = scenarios[index]
        text = content.format(place="张店区" + rng.choice(["车站街道", "公园街道", "马尚街道"]),
                              project=rng.choice(PROJECTS), prev=year - 1)  # fmt: skip
        data = _intake(rng, channel, on, text + "。", company=False)
        case = svc.case_register(
            agency=agency, by=people["clerk"], data=data, today=CURRENT_YEAR_ANCHOR
        )
        _run_steps(case, steps, people)
        created += 1
    return created


DEMO_LOGINS = [
    ("clerk", "登记员（淄博市人民政府办公室）"),
    ("handler", "承办人（淄博市人民政府办公室）"),
    ("approver", "审核人（淄博市人民政府办公室）"),
    ("supervisor", "政务公开办（淄博市人民政府办公室，可看下级机关）"),
    ("lawyer", "律师/评估人（模拟申请）"),
    ("admin", "系统管理员（超级用户，可进入 /admin/）"),
    ("zd_clerk", "登记员（张店区人民政府）"),
    ("zd_handler", "承办人（张店区人民政府）"),
    ("zd_approver", "审核人（张店区人民政府）"),
]

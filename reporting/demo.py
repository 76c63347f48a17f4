"""Demo data of the reporting app (called by `seed_demo`): table four of 2020 (one review,
one lawsuit, through `challenge_save`), table two and the staff-written
sections of the city office's 2020 annual report, as in the reference document. Idempotent:
an agency-year that already has its sections is left as it is (staff may have edited it)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from agencies.models import Agency
from requests_app.models import Case, LegalChallenge
from requests_app.outcomes import Outcome

from .models import ReportSections
from .services import challenge_save, report_sections_save

TABLE2_2020 = {
    "rules__made": 0, "rules__published": 0, "rules__in_force": 79,
    "normative_documents__made": 8, "normative_documents__published": 8,
    "normative_documents__in_force": 248,
    "licensing__prev_items": 0, "licensing__change": 0, "licensing__decisions": 0,
    "other_services__prev_items": 2, "other_services__change": 0, "other_services__decisions": 0,
    "penalties__prev_items": 1, "penalties__change": 0, "penalties__decisions": 0,
    "enforcement__prev_items": 0, "enforcement__change": 0, "enforcement__decisions": 0,
    "fees__prev_items": 0, "fees__change": 0,
    "procurement__items": 55, "procurement__amount": "107.20",
}  # fmt: skip

OVERVIEW_2020 = (
    "2020年，淄博市人民政府办公室积极履行对全市政府系统信息公开工作的推进、指导、协调、监督职责，"
    "认真做好本机关政府信息公开工作，不断增强工作透明度。\n"
    "（一）坚持顶层推动，放大公开格局。（二）开展立体培训，强化公开意识。"
    "（三）多项措施并举，夯实工作基础。（四）强化监督检查，推动任务落实。"
    "（五）建立交流平台，浓化工作氛围。（六）加强内部管理，做好机关信息公开。"
)
PROBLEMS_2020 = (
    "针对公开意识不强、公开氛围不浓、公开目录不全、公开形式不够丰富、依申请公开不够规范等问题，"
    "本年度有针对性地采取措施加以改进：着力加强组织领导，着力提升公开意识，着力完善公开目录，"
    "着力打造公开平台，着力强化监督检查。"
)
OTHER_2020 = "无。"


def seed(stdout) -> None:
    city = Agency.objects.filter(code="CITY-OFFICE").first()
    if city is None:
        stdout.write("年报演示数据：未找到 CITY-OFFICE，跳过。")
        return
    approver = get_user_model().objects.filter(username="approver").first()
    if approver is not None:
        with transaction.atomic():
            seed_challenges(city, approver)
    if ReportSections.objects.filter(agency=city, year=2020).exists():
        stdout.write("年报演示数据：2020 年表二及报告文字已存在，未改动。")
        return
    author = get_user_model().objects.filter(username="supervisor").first()
    if author is None:
        stdout.write("年报演示数据：未找到演示账号 supervisor，跳过。")
        return
    report_sections_save(
        agency=city,
        year=2020,
        by=author,
        format_version="2019",
        table2=TABLE2_2020,
        overview=OVERVIEW_2020,
        problems=PROBLEMS_2020,
        other_matters=OTHER_2020,
    )
    stdout.write("年报演示数据：已填写 2020 年表二（主动公开）及报告文字。")


def seed_challenges(city: Agency, approver) -> None:
    """Table four of 2020: one administrative review (upheld), one direct lawsuit (other)."""
    closed_2020 = Case.objects.filter(
        agency=city, closed_on__gte=dt.date(2020, 1, 1), closed_on__lte=dt.date(2020, 6, 30)
    ).order_by("received_on")
    specs = [
        (
            "review",
            closed_2020.filter(outcome=Outcome.NOT_HELD).first(),
            {"result": "upheld", "days": (25, 70)},
            "申请人不服答复，向淄博市人民政府申请行政复议；复议机关决定维持原答复。",
        ),
        (
            "litigation_direct",
            closed_2020.filter(outcome=Outcome.PARTIALLY_DISCLOSED).first()
            or closed_2020.filter(outcome=Outcome.NOT_HELD)[1:2].first(),
            {"result": "other", "days": (30, 120)},
            "申请人未经复议直接提起行政诉讼；审理中原告撤回起诉，法院裁定准许撤诉。",
        ),
    ]
    for kind, case, spec, note in specs:
        if case is None or LegalChallenge.objects.filter(case__agency=city, kind=kind).exists():
            continue
        filed_on = case.closed_on + dt.timedelta(days=spec["days"][0])
        challenge_save(
            case_id=case.id,
            by=approver,
            data={
                "kind": kind,
                "filed_on": filed_on,
                "result": spec["result"],
                "concluded_on": filed_on + dt.timedelta(days=spec["days"][1]),
                "note": note,
            },
            reason="演示数据：2020年行政复议、行政诉讼情况",
        )

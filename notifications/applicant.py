"""Notices to applicants on case actions (registered as requests_app after-action hooks): the
supplement asked for and the extension. They go out after the action commits."""

from __future__ import annotations

from django.db import transaction

from .services import notify_applicant


def on_supplement_requested(*, case, by, event) -> None:
    subject = f"{case.agency.name}请您补正政府信息公开申请"
    body = (
        f"您的申请（案件编号{case.case_no}）需要补正：{case.supplement_missing}\n"
        f"请于{case.supplement_due:%Y年%m月%d日}前补正，可在网上查询页面上传补正材料。"
        "逾期未补正的，视为放弃申请。"
    )
    key = f"supplement-requested:{case.pk}:{event.pk}"
    transaction.on_commit(
        lambda: notify_applicant(
            case, kind="supplement_requested", subject=subject, body=body, dedupe_key=key
        )
    )


def on_extension_approved(*, case, by, event) -> None:
    subject = f"{case.agency.name}延长答复期限"
    body = (
        f"您的申请（案件编号{case.case_no}）答复期限延长 {case.extension_days} 个工作日，"
        f"延长后的答复期限为{case.reply_due:%Y年%m月%d日}。"
    )
    key = f"extension:{case.pk}:{event.pk}"
    transaction.on_commit(
        lambda: notify_applicant(case, kind="extension", subject=subject, body=body, dedupe_key=key)
    )

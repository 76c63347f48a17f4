"""Draft annual reports: every unit's tables three and four counted by the report page's own
function (`reporting.stats.annual_report_build`), the texts of sections one, five, six and
table two (`reporting.services.report_texts`), the consistency check the report carries and
the carry-over check against last year's published report (`reporting.services.carry_over_check`)
— frozen as a draft. Nothing here counts a case itself, and nothing touches a published report.

Idempotent: a draft whose fingerprint (figures, texts, checks) is unchanged is left as it is."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from agencies.models import Agency, Membership, Role
from reporting.exports import ReportTexts, report_docx_bytes
from reporting.services import carry_over_check, report_texts
from reporting.stats import AnnualReport, Failure, annual_report_build, report_agency_ids

from .models import Draft, UnitSweep


def supervising_agency_ids() -> set[int]:
    """Agencies where someone holds the supervisor role: they publish a consolidated report."""
    return set(Membership.objects.filter(role=Role.SUPERVISOR).values_list("agency_id", flat=True))


def _texts_json(texts: ReportTexts) -> dict:
    data = dataclasses.asdict(texts)
    data["fee_total"] = str(texts.fee_total)
    return data


def _carry_json(carry: dict | None) -> dict | None:
    if carry is None:
        return None
    return {
        "ok": carry["ok"],
        "published": carry["published"],
        "live": carry["live"],
        "revision": carry["snapshot"].revision,
        "cases": [
            {
                "case_id": entry["case"].id,
                "public_id": str(entry["case"].public_id),
                "case_no": entry["case"].case_no,
                "in_published": entry["in_published"],
                "in_live": entry["in_live"],
            }
            for entry in carry["cases"]
        ],
    }


def draft_compute(agency: Agency, year: int, consolidated: bool, sweep_total: int) -> dict:
    """The fields of one draft (not saved)."""
    report = annual_report_build(agency=agency, year=year, consolidated=consolidated)
    agency_ids = report_agency_ids(agency, consolidated)
    texts = _texts_json(report_texts(agency, year, agency_ids, report.format_version))
    carry = _carry_json(carry_over_check(agency=agency, year=year, live=report))
    failures = [{"cell": f.cell, "message": f.message} for f in report.failures]
    fields = {
        "format_version": report.format_version,
        "data": report.as_json(),
        "texts": texts,
        "failures": failures,
        "carry_over": carry,
        "sweep_total": sweep_total,
        "clean": not failures and (carry is None or carry["ok"]) and sweep_total == 0,
    }
    fields["fingerprint"] = hashlib.sha256(
        json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return fields


def drafts_produce(year: int, agency_ids: Iterable[int] | None = None) -> dict:
    """Draft every unit (or these units) and the consolidated draft of every supervising agency
    among them. Returns what was produced: {"units", "consolidated", "clean", "changed"}."""
    agencies = Agency.objects.order_by("id")
    if agency_ids is not None:
        agencies = agencies.filter(id__in=list(agency_ids))
    agencies = list(agencies)
    sweeps = dict(
        UnitSweep.objects.filter(year=year, agency__in=agencies).values_list("agency_id", "total")
    )
    supervising = supervising_agency_ids()
    all_sweeps = None
    existing = {
        (d.agency_id, d.consolidated): d
        for d in Draft.objects.filter(year=year, agency__in=agencies)
    }
    now = timezone.now()
    created, changed = [], []
    summary = {"units": 0, "consolidated": 0, "clean": 0, "changed": 0}
    for agency in agencies:
        targets = [(False, sweeps.get(agency.id, 0))]
        if agency.id in supervising:
            if all_sweeps is None:
                all_sweeps = dict(
                    UnitSweep.objects.filter(year=year).values_list("agency_id", "total")
                )
            subtree = report_agency_ids(agency, True)
            targets.append((True, sum(all_sweeps.get(i, 0) for i in subtree)))
        for consolidated, sweep_total in targets:
            fields = draft_compute(agency, year, consolidated, sweep_total)
            summary["consolidated" if consolidated else "units"] += 1
            summary["clean"] += fields["clean"]
            draft = existing.get((agency.id, consolidated))
            if draft is None:
                created.append(
                    Draft(
                        agency=agency,
                        year=year,
                        consolidated=consolidated,
                        computed_at=now,
                        **fields,
                    )
                )
            elif draft.fingerprint != fields["fingerprint"]:
                for name, value in fields.items():
                    setattr(draft, name, value)
                draft.revision += 1
                draft.computed_at = now
                changed.append(draft)
    Draft.objects.bulk_create(created, batch_size=500)
    if changed:
        Draft.objects.bulk_update(
            changed,
            [
                "format_version",
                "data",
                "texts",
                "failures",
                "carry_over",
                "sweep_total",
                "clean",
                "fingerprint",
                "revision",
                "computed_at",
            ],
            batch_size=500,
        )
    summary["changed"] = len(created) + len(changed)
    return summary


def draft_report(draft: Draft) -> AnnualReport:
    """The frozen draft as the report object the exports take."""
    data = draft.data
    return AnnualReport(
        agency_code=draft.agency.code,
        agency_name=draft.agency.name,
        year=draft.year,
        format_version=draft.format_version,
        consolidated=draft.consolidated,
        table3=data["table3"],
        table4=data["table4"],
        failures=[Failure(f["cell"], f["message"]) for f in draft.failures],
    )


def draft_docx(draft: Draft) -> bytes:
    """The draft's six-section report (.docx), from the frozen figures and texts."""
    texts = dict(draft.texts)
    texts["fee_total"] = Decimal(texts.get("fee_total") or "0")
    return report_docx_bytes(draft_report(draft), ReportTexts(**texts))

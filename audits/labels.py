"""The audits' labels for the case history (requests_app/labels.py), registered at start-up by
audits/apps.py: campaign states, verdicts, campaign actions, test-request fields and checklist
items read in Chinese wherever a history entry shows them."""

from __future__ import annotations

from requests_app.labels import labels_register

from .models import CampaignStatus, MockRequest, Verdict
from .scoring import DEFAULT_CHECKLIST
from .services import TRANSITIONS as CAMPAIGN_ACTIONS


def register() -> None:
    labels_register(
        "campaign",
        {
            **dict(CampaignStatus.choices),
            **dict(Verdict.choices),
            **{key: label for key, (label, _) in CAMPAIGN_ACTIONS.items()},
        },
    )
    labels_register(
        "audit_fields",
        {
            **{f.name: str(f.verbose_name) for f in MockRequest._meta.concrete_fields},
            **{spec.key: spec.label for spec in DEFAULT_CHECKLIST},
        },
    )

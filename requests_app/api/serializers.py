from rest_framework import serializers

from agencies.models import Agency
from common import limits

from ..models import (
    STATE_FILTER_CHOICES,
    Case,
    CaseEvent,
    Channel,
    DeliveryMethod,
    InformationForm,
)
from ..outcomes import ApplicantType
from ..selectors import MASKED_IN_HISTORY, mask_id_number, mask_phone
from ..timeliness import is_overdue


class CaseOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    overdue = serializers.SerializerMethodField()
    applicant_id_number = serializers.SerializerMethodField()
    applicant_phone = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "agency",
            "case_no",
            "channel",
            "submitted_on",
            "signed_on",
            "confirmed_on",
            "received_on",
            "applicant_type",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "delivery_method",
            "content",
            "information_form",
            "state",
            "outcome",
            "proposed_outcome",
            "closed_on",
            "reply_due",
            "deadline_provisional",
            "clock_stopped",
            "extension_state",
            "extension_days",
            "overdue",
            "version",
        ]

    def get_overdue(self, case: Case) -> bool:
        return is_overdue(
            state=case.state,
            reply_due=case.reply_due,
            closed_on=case.closed_on,
            today=self.context["today"],
        )

    def get_applicant_id_number(self, case: Case) -> str:
        return mask_id_number(case.applicant_id_number) if case.applicant_id_number else ""

    def get_applicant_phone(self, case: Case) -> str:
        return mask_phone(case.applicant_phone) if case.applicant_phone else ""


def _text(name: str, **kwargs) -> serializers.CharField:
    """A case's text field, as long as its column allows (common.limits)."""
    return limits.api_text(Case, name, **kwargs)


OPTIONAL = {"required": False, "allow_blank": True}


class CaseRegisterInput(serializers.Serializer):
    agency = serializers.CharField(
        max_length=limits.max_length(Agency, "code"), help_text="机关代码"
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    # Dates are checked by the intake service with every other field (YYYY-MM-DD, 2008-05-01 …
    # today); the format is declared for the schema.
    submitted_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    signed_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    confirmed_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    mail_tracking_number = _text("mail_tracking_number", **OPTIONAL)
    applicant_type = serializers.ChoiceField(choices=ApplicantType.choices)
    applicant_name = _text("applicant_name")
    applicant_id_number = _text("applicant_id_number", **OPTIONAL)
    applicant_credit_code = _text("applicant_credit_code", **OPTIONAL)
    applicant_phone = _text("applicant_phone", **OPTIONAL)
    applicant_email = _text("applicant_email", **OPTIONAL)
    applicant_address = _text("applicant_address", **OPTIONAL)
    applicant_postcode = _text("applicant_postcode", **OPTIONAL)
    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices, required=False)
    content = serializers.CharField()
    information_form = serializers.ChoiceField(choices=InformationForm.choices, required=False)
    receipt_date_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="收到申请之日不在今年或已超过30天时须为 true（已核对收到日期）",
    )
    confirmation_delay_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="平信：与申请人确认的日期晚于到达日期（submitted_on）时须写明原因",
    )


class CaseListQuery(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=STATE_FILTER_CHOICES,
        required=False,
        allow_blank=True,
        help_text="状态；finished 为全部已办结（予以公开、部分公开、不予公开、无法提供、不予处理、其他处理）",
    )
    agency = serializers.CharField(
        max_length=limits.max_length(Agency, "code"), required=False, allow_blank=True
    )


class CaseUpdateInput(serializers.Serializer):
    changes = serializers.DictField(help_text="字段名 → 新值")
    reason = serializers.CharField()
    expected_version = serializers.IntegerField(min_value=1, max_value=limits.MAX_INT)


# A request typed by the public on the portal (staff registrations have no such cap).
PORTAL_CONTENT_MAX_LENGTH = 5000


class CaseEventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", default=None, allow_null=True, help_text="系统事件为空"
    )
    changes = serializers.SerializerMethodField()

    def get_changes(self, event: CaseEvent) -> dict:
        """Old and new values, identity and phone numbers masked as on lists (SPEC §10)."""
        changes = dict(event.changes or {})
        for name, mask in MASKED_IN_HISTORY.items():
            if isinstance(changes.get(name), list):
                changes[name] = [mask(v) if v else v for v in changes[name]]
        return changes

    class Meta:
        model = CaseEvent
        fields = [
            "at",
            "kind",
            "transition",
            "from_state",
            "to_state",
            "actor",
            "reason",
            "changes",
        ]


class DeadlineOutput(serializers.Serializer):
    reply_due = serializers.DateField(allow_null=True)
    provisional = serializers.BooleanField()
    clock_stopped = serializers.BooleanField()
    working_days_allowed = serializers.IntegerField()
    working_days_used = serializers.IntegerField()
    steps = serializers.ListField(child=serializers.CharField())


class PortalRequestInput(serializers.Serializer):
    agency = serializers.CharField(max_length=limits.max_length(Agency, "code"))
    applicant_type = serializers.ChoiceField(choices=ApplicantType.choices)
    applicant_name = _text("applicant_name")
    applicant_id_number = _text("applicant_id_number", **OPTIONAL)
    applicant_credit_code = _text("applicant_credit_code", **OPTIONAL)
    applicant_phone = _text("applicant_phone")
    applicant_email = _text("applicant_email", **OPTIONAL)
    applicant_address = _text("applicant_address", **OPTIONAL)
    applicant_postcode = _text("applicant_postcode", **OPTIONAL)
    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices, required=False)
    content = serializers.CharField(max_length=PORTAL_CONTENT_MAX_LENGTH)
    information_form = serializers.ChoiceField(choices=InformationForm.choices, required=False)


class PersonalDataOutput(serializers.Serializer):
    applicant_id_number = serializers.CharField(required=False)
    applicant_credit_code = serializers.CharField(required=False)
    applicant_phone = serializers.CharField(required=False)


class PortalLookupInput(serializers.Serializer):
    tracking_code = serializers.CharField(max_length=40, help_text="提交申请时得到的查询码")


class PortalStatusOutput(serializers.Serializer):
    tracking_code = serializers.CharField()
    agency = serializers.CharField()
    case_no = serializers.CharField()
    received_on = serializers.DateField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    reply_due = serializers.DateField(allow_null=True)
    deadline_provisional = serializers.BooleanField()
    closed_on = serializers.DateField(allow_null=True)


class CaseAssignInput(serializers.Serializer):
    handler = serializers.IntegerField(
        help_text="承办人的用户 id", min_value=1, max_value=limits.MAX_INT
    )
    reason = serializers.CharField(required=False, allow_blank=True)
    expected_version = serializers.IntegerField(
        required=False, min_value=1, max_value=limits.MAX_INT
    )

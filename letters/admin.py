"""Admin: letters are read-only records (writes go through the services and the case page);
administrators upload per-agency templates here, checked by the same service as the page."""

from django import forms
from django.contrib import admin, messages

from requests_app.rules import RuleViolation

from .models import Delivery, Letter, LetterTemplate
from .placeholders import TEMPLATE_KEYS
from .rendering import TemplateInvalid, template_check
from .services import letter_approve, letter_issue, template_upload


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = [
        "method",
        "tracking_number",
        "email",
        "sent_on",
        "received_on",
        "note",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "kind",
        "outcome",
        "state",
        "render_status",
        "agency",
        "case",
        "issued_on",
    ]
    list_filter = ["kind", "state", "render_status", "agency"]
    search_fields = ["number", "case__case_no", "case__applicant_name"]
    inlines = [DeliveryInline]
    actions = ["approve_letters", "issue_letters"]

    def _run(self, request, queryset, service, done: str) -> None:
        """Each letter through the service (the same issuing gate as the pages and the API);
        a refusal is reported with the letter and the field it names."""
        for letter in queryset:
            try:
                service(letter_id=letter.id, by=request.user)
            except RuleViolation as exc:
                field = f"（{exc.field}）" if exc.field else ""
                self.message_user(request, f"{letter}：{exc.message}{field}", level=messages.ERROR)
            else:
                self.message_user(request, f"{letter}：{done}", level=messages.SUCCESS)

    @admin.action(description="审核通过所选文书")
    def approve_letters(self, request, queryset):
        self._run(request, queryset, letter_approve, "已审核通过")

    @admin.action(description="签发所选文书")
    def issue_letters(self, request, queryset):
        self._run(request, queryset, letter_issue, "已签发")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Letter._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TemplateUploadForm(forms.ModelForm):
    key = forms.ChoiceField(label="模板", choices=[(k, k) for k in TEMPLATE_KEYS])
    upload = forms.FileField(label="模板文件（.docx）")

    class Meta:
        model = LetterTemplate
        fields = ["agency", "key"]

    def clean(self):
        cleaned = super().clean()
        upload, key = cleaned.get("upload"), cleaned.get("key")
        if upload and key:
            data = upload.read()
            upload.seek(0)
            try:
                template_check(data, key)
            except TemplateInvalid as exc:
                raise forms.ValidationError(exc.errors) from exc
        return cleaned


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """Upload only: a template in force is replaced by a newer upload, never edited or deleted."""

    list_display = ["agency", "key", "original_name", "uploaded_by", "uploaded_at", "sha256"]
    list_filter = ["key", "agency"]
    form = TemplateUploadForm

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data["upload"]
        created = template_upload(
            agency=form.cleaned_data["agency"],
            by=request.user,
            key=form.cleaned_data["key"],
            data=upload.read(),
            filename=upload.name,
        )
        for field in LetterTemplate._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))

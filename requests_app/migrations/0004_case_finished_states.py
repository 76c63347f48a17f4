"""One terminal state per outcome group (issue 17): every `closed` case moves to the state of
its outcome's group (予以公开, 部分公开, 不予公开, 无法提供, 不予处理, 其他处理); backwards, every
such case becomes `closed` again. Only `Case.state` changes: history rows and the transition
log keep the `closed` they recorded."""

import django_fsm
from django.conf import settings
from django.db import migrations, models


# The groups of table three (SPEC §3) as they stand at this migration: a key belongs to the
# group before its first dot, and each group has its state of the same name.
GROUPS = ["disclosed", "partially_disclosed", "withheld", "unavailable", "not_processed", "other"]


def closed_to_group_states(apps, schema_editor):
    Case = apps.get_model("requests_app", "Case")
    for group in GROUPS:
        in_group = models.Q(outcome=group) | models.Q(outcome__startswith=f"{group}.")
        Case.objects.filter(in_group, state="closed").update(state=group)
    left = Case.objects.filter(state="closed").values_list("id", "outcome")[:5]
    if left:  # the check constraints make this impossible; never leave a case behind silently
        raise RuntimeError(f"closed cases without an outcome group: {list(left)}")


def group_states_to_closed(apps, schema_editor):
    Case = apps.get_model("requests_app", "Case")
    Case.objects.filter(state__in=GROUPS).update(state="closed")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0005_agency_clerks_issue_receipts"),
        ("requests_app", "0003_clockevent_deferral"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="case",
            name="case_outcome_iff_closed",
        ),
        migrations.AlterField(
            model_name="case",
            name="state",
            field=django_fsm.FSMField(
                choices=[
                    ("received", "已登记"),
                    ("supplement", "待补正"),
                    ("consulting", "征求意见中"),
                    ("fee_pending", "待缴费"),
                    ("drafting", "拟稿中"),
                    ("review", "待审核"),
                    ("disclosed", "予以公开"),
                    ("partially_disclosed", "部分公开"),
                    ("withheld", "不予公开"),
                    ("unavailable", "无法提供"),
                    ("not_processed", "不予处理"),
                    ("other", "其他处理"),
                    ("void", "已作废"),
                ],
                db_index=True,
                default="received",
                max_length=50,
                protected=True,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(closed_to_group_states, group_states_to_closed, elidable=False),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("closed_on__isnull", False),
                        (
                            "state__in",
                            [
                                "disclosed",
                                "partially_disclosed",
                                "withheld",
                                "unavailable",
                                "not_processed",
                                "other",
                            ],
                        ),
                        models.Q(("outcome", ""), _negated=True),
                    ),
                    models.Q(
                        ("closed_on__isnull", True),
                        ("outcome", ""),
                        (
                            "state__in",
                            [
                                "received",
                                "supplement",
                                "consulting",
                                "fee_pending",
                                "drafting",
                                "review",
                            ],
                        ),
                    ),
                    ("state", "void"),
                    _connector="OR",
                ),
                name="case_outcome_iff_closed",
            ),
        ),
    ]

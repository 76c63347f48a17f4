from django.conf import settings
from django.db import models


class AgencyLevel(models.TextChoices):
    CITY = "city", "市级"
    DISTRICT = "district", "区县"
    TOWN = "town", "镇街"
    DEPARTMENT = "department", "部门"


class Agency(models.Model):
    """An administrative agency (行政机关) answering requests; agencies form a tree."""

    code = models.CharField("机关代码", max_length=40, unique=True)
    name = models.CharField("机关名称", max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField("层级", max_length=20, choices=AgencyLevel.choices)
    address = models.CharField("地址", max_length=300, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    review_body = models.CharField("行政复议机关", max_length=200, blank=True)
    court = models.CharField("管辖法院", max_length=200, blank=True)
    receipt_on_registration = models.BooleanField(
        "登记后自动出具登记回执",
        default=False,
        help_text="登记申请后自动签发登记回执（SPEC §4，可选）",
    )
    clerks_issue_receipts = models.BooleanField(
        "登记员可自行出具登记回执",
        default=False,
        help_text="登记回执不作任何决定：开启后登记员可一键出具并打印回执，无需审核人签发",
    )
    letter_prefix = models.CharField(
        "文号前缀", max_length=60, blank=True, help_text="如“淄政办信复”；空则用机关名称简称"
    )
    supplement_min_days = models.PositiveSmallIntegerField(
        "最短补正期限（日）",
        default=15,
        help_text="补正告知书给出的补正期限短于此天数（自然日）时，承办人须写明理由（条例第三十条）",
    )
    # 文号 prefixes of the other series (issue 9 item 5); empty: the reply prefix + 回执 / 告知.
    receipt_prefix = models.CharField(
        "登记回执文号前缀",
        max_length=60,
        blank=True,
        help_text="如“淄政办信收”；空则用答复书文号前缀加“回执”",
    )
    notice_prefix = models.CharField(
        "告知书文号前缀",
        max_length=60,
        blank=True,
        help_text="补正、延期、征求意见、收费等告知文书，如“淄政办信告”；空则用答复书文号前缀加“告知”",
    )

    class Meta:
        verbose_name = "机关"
        verbose_name_plural = "机关"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Role(models.TextChoices):
    CLERK = "clerk", "登记员"
    HANDLER = "handler", "承办人"
    APPROVER = "approver", "审核人"
    SUPERVISOR = "supervisor", "政务公开办"
    AUDITOR = "auditor", "律师/评估人"
    ADMINISTRATOR = "administrator", "系统管理员"


class Membership(models.Model):
    """A user holds a role in one agency. A supervisor's role reaches the agency's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency.name} · {self.get_role_display()}"

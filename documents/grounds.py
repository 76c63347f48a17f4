"""The legal grounds a redaction box may carry: a fixed list (issue 14), each with the label
burnt into the released page. Art. 14: state secrets, laws forbidding, the "three safeties, one
stability"; Art. 15: trade secrets and personal privacy of third parties; Art. 16(1): internal
affairs; Art. 16(2): process information and enforcement files. Personal information is named on
its own because it is by far the most frequent ground in practice (Art. 15 with the Personal
Information Protection Law)."""

from __future__ import annotations

from django.db import models


class Ground(models.TextChoices):
    ART14 = "art14", "条例第十四条（国家秘密等）"
    ART15 = "art15", "条例第十五条（商业秘密、个人隐私）"
    ART16_1 = "art16_1", "条例第十六条第一款（内部事务信息）"
    ART16_2 = "art16_2", "条例第十六条第二款（过程性信息、执法案卷）"
    PERSONAL = "personal", "个人信息"


# What the released page says on each box.
GROUND_LABELS: dict[str, str] = {
    Ground.ART14: "依据条例第十四条不予公开",
    Ground.ART15: "依据条例第十五条不予公开",
    Ground.ART16_1: "依据条例第十六条第一款不予公开",
    Ground.ART16_2: "依据条例第十六条第二款不予公开",
    Ground.PERSONAL: "个人信息依法不予公开",
}
# A shorter label for boxes too small for the full one.
GROUND_SHORT: dict[str, str] = {
    Ground.ART14: "第十四条",
    Ground.ART15: "第十五条",
    Ground.ART16_1: "第十六条第一款",
    Ground.ART16_2: "第十六条第二款",
    Ground.PERSONAL: "个人信息",
}
# How a reply letter cites the ground.
GROUND_CITATIONS: dict[str, str] = {
    Ground.ART14: "《中华人民共和国政府信息公开条例》第十四条",
    Ground.ART15: "《中华人民共和国政府信息公开条例》第十五条",
    Ground.ART16_1: "《中华人民共和国政府信息公开条例》第十六条第一款",
    Ground.ART16_2: "《中华人民共和国政府信息公开条例》第十六条第二款",
    Ground.PERSONAL: "《中华人民共和国政府信息公开条例》第十五条、《中华人民共和国个人信息保护法》",
}

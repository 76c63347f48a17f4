"""The messages the campaign services raise (constants so tests and callers can rely on them),
the status groups and import columns they check against, and the two error types:
`AuditInvalid` (field → Chinese message) and `NotPermitted`."""

from __future__ import annotations

from common.errors import FieldErrors
from common.errors import NotPermitted as CommonNotPermitted

from ..models import (
    CampaignStatus,
)

# --- messages (constants so tests and callers can rely on them) ------------------------------
MSG_CONFLICT = "该记录已被他人修改，请刷新后重试"
MSG_REQUIRED = "此项为必填项"
MSG_DATE = "日期格式应为 YYYY-MM-DD"
MSG_PERIOD = "结束日期不能早于开始日期"
MSG_AGENCY_NOT_BELOW = "机关“{name}”不在组织机关的管辖范围内"
MSG_AGENCY_UNKNOWN = "机关代码“{code}”不存在"
MSG_AGENCY_NOT_TARGETED = "机关“{name}”不是本次测评的被测评机关"
MSG_AGENCY_HAS_REQUESTS = "机关“{name}”已有模拟申请，不能移出测评"
MSG_NOT_AUDITOR = "用户“{name}”不是律师/评估人，不能指派"
MSG_CHANNEL = (
    "申请渠道“{value}”无效，应为 online、email、fax、mail_signed、mail_ordinary、in_person 之一"
)
MSG_OUTCOME = "办理结果“{value}”不是有效的结果代码"
MSG_STATUS = "测评当前状态为“{status}”，不能{action}"
MSG_NO_AGENCIES = "请至少选择一个被测评机关"
MSG_NO_LAWYERS = "请至少指派一名测评律师"
MSG_NO_REQUESTS = "测评还没有模拟申请"
MSG_NOT_SENT = "模拟申请 {codes} 尚未登记发出日期"
MSG_NOT_SCORED = "模拟申请 {codes} 尚未评分完毕"
MSG_NOTHING_JUDGED = (
    "模拟申请 {codes} 没有“符合”或“不符合”的评分结论（各项均为不适用或无法判断，不能计分）："
    "请评定（如机关未答复，按未受理或逾期未答复评为不符合），或说明理由后排除出评分"
)
MSG_EXCLUDE_REASON = "请填写排除出评分的理由"
MSG_INCLUDE_REASON = "请填写恢复计入评分的理由"
MSG_ALREADY_EXCLUDED = "该模拟申请已排除出评分"
MSG_NOT_EXCLUDED = "该模拟申请未被排除出评分"
MSG_EXCLUDED_NO_SCORE = "该模拟申请已排除出评分，如需评分请先恢复计入评分"
MSG_CASE_OTHER_AGENCY = "该案件不属于被测评机关“{name}”"
MSG_CASE_TAKEN = "该案件已关联其他模拟申请"
MSG_CASE_VOID = "该案件已作废，不能关联"
MSG_ALREADY_LINKED = "该模拟申请已关联案件，请先取消关联"
MSG_LINKED_NO_MANUAL = "已关联案件的模拟申请以案件记录为准，无需手工登记答复"
MSG_REPLY_BEFORE_RECEIPT = "答复日期不能早于收到申请之日"
MSG_RECEIPT_BEFORE_SENT = "收到申请之日不能早于发出日期"
MSG_EXTENSION = "延期不得超过20个工作日"
MSG_REPLY_OUTCOME_PAIR = "答复日期和答复结果须同时填写"
MSG_VERDICT = "评分结论无效"
MSG_WEIGHT = "分值须为0至100的整数"
MSG_ITEM_KEY = "评分项代码只能包含小写字母、数字和下划线，且在本测评中唯一"
MSG_IMPORT_EMPTY = "文件中没有模拟申请"
MSG_IMPORT_COLUMNS = "缺少列：{columns}"
MSG_IMPORT_FORMAT = "只支持 .xlsx 或 .csv 文件"
MSG_FILE_TOO_LARGE = "文件不能超过 10 MB"
MSG_SCAN_TYPE = "扫描件须为 PDF、JPG、PNG 或 TIFF 文件"
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")

STATUS_LABELS = dict(CampaignStatus.choices)
EDITABLE_STATUSES = (CampaignStatus.PLANNING, CampaignStatus.RUNNING, CampaignStatus.SCORING)
REQUEST_ENTRY_STATUSES = (CampaignStatus.PLANNING, CampaignStatus.RUNNING)
REPLY_STATUSES = (CampaignStatus.RUNNING, CampaignStatus.SCORING)
MAX_UPLOAD = 10 * 1024 * 1024

IMPORT_COLUMNS = [
    "agency_code",
    "channel",
    "sent_on",
    "tracking_number",
    "request_text",
    "applicant_identity",
    "expected_outcome",
]


class AuditInvalid(FieldErrors):
    """Bad input: every problem keyed by field (or by `row N` for imports)."""


class NotPermitted(CommonNotPermitted):
    """The user may not do this in audits (the common 403 refusal)."""

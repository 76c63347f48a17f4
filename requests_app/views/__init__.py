"""Staff web pages (thin: the rules live in services, selectors and actions)."""

from .case import (
    case_act,
    case_assign_view,
    case_attachment_download,
    case_attachment_upload,
    case_detail,
    case_edit,
    case_personal_data,
)
from .home import home
from .intake import intake_channels, intake_done, intake_form
from .queues import supervision
from .worklist import worklist

__all__ = [
    "case_act",
    "case_assign_view",
    "case_attachment_download",
    "case_attachment_upload",
    "case_detail",
    "case_edit",
    "case_personal_data",
    "home",
    "intake_channels",
    "intake_done",
    "intake_form",
    "supervision",
    "worklist",
]

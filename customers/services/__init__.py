"""Writes of the customers domain, one function per use case (re-exported here)."""

from .complaints import (
    complaint_assign,
    complaint_close,
    complaint_log,
    complaint_reopen,
    complaint_resolve,
    complaint_respond,
)
from .escalation import complaints_escalate_breached
from .policy import sla_target_delete, sla_target_for, sla_target_set

__all__ = [
    "complaint_assign",
    "complaint_close",
    "complaint_log",
    "complaint_reopen",
    "complaint_resolve",
    "complaint_respond",
    "complaints_escalate_breached",
    "sla_target_delete",
    "sla_target_for",
    "sla_target_set",
]

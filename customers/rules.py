"""Role sets and numbers of the complaint workflows, in one place.

The SLA targets here are the defaults: head office overrides them per severity (and per
category) on the SLA policy page; a severity without a row of its own uses these.
"""

from decimal import Decimal

from opsdesk.platform.roles import ALL_ROLES, Role

# Log a complaint or feedback: every role (store staff log one for their store too).
LOGGERS = ALL_ROLES
# Answer, note, assign, resolve, close and reopen: store managers for their stores,
# regional ops for their regions, head office everywhere.
HANDLERS = frozenset({Role.STORE_MANAGER, Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
# Set the SLA policy.
POLICY_SETTERS = frozenset({Role.HEAD_OFFICE, Role.ADMIN})

# Default SLA targets per severity, in minutes: (first response, resolution). Wall-clock
# time from intake (docs/design.md: the clocks start at intake), not opening hours.
DEFAULT_TARGETS = {
    "critical": (60, 24 * 60),
    "high": (4 * 60, 48 * 60),
    "medium": (24 * 60, 72 * 60),
    "low": (48 * 60, 7 * 24 * 60),
}
# A target is at least a minute and at most 90 days.
MIN_TARGET_MINUTES = 1
MAX_TARGET_MINUTES = 90 * 24 * 60
# Intake may be recorded a little ahead of the server's clock (a phone's clock), never more.
INTAKE_CLOCK_SKEW_MINUTES = 5
# Intake older than this is refused: a complaint is logged when it comes in.
INTAKE_MAX_AGE_DAYS = 30
MAX_COMPENSATION = Decimal("100000.00")
MAX_TEXT = 4000

"""Role sets and settings of the staff workflows, in one place (docs/staff.md)."""

from django.conf import settings

from opsdesk.platform.roles import Role

# Build, change and publish a store's week; copy last week; set availability and leave.
SCHEDULERS = frozenset({Role.STORE_MANAGER, Role.HEAD_OFFICE, Role.ADMIN})
# Read the schedules, the shifts of everyone and the people of the stores in scope.
SCHEDULE_READERS = frozenset({Role.STORE_MANAGER, Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
# Add people and change their details (contract, limits, cost).
PEOPLE_EDITORS = frozenset({Role.STORE_MANAGER, Role.HEAD_OFFICE, Role.ADMIN})
# Set a store's minimum staffing.
STAFFING_RULE_SETTERS = frozenset({Role.STORE_MANAGER, Role.HEAD_OFFICE, Role.ADMIN})
# Approve or refuse a swap that a colleague accepted.
SWAP_APPROVERS = frozenset({Role.STORE_MANAGER, Role.HEAD_OFFICE, Role.ADMIN})
# Configure training courses.
COURSE_EDITORS = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
# Assign a course to someone, record someone else's completion.
TRAINING_RECORDERS = frozenset({Role.STORE_MANAGER, Role.HEAD_OFFICE, Role.ADMIN})

# Checks before publishing (staff/checks/).
MAX_SHIFT_HOURS = 16
MAX_BREAK_MINUTES = 240
# Days before a certification expires when the sweep assigns its renewal.
RENEWAL_DAYS = 30


def min_rest_hours():
    """The minimum rest between two shifts of one person (``STAFF_MIN_REST_HOURS``)."""
    from decimal import Decimal

    return Decimal(str(getattr(settings, "STAFF_MIN_REST_HOURS", 11)))

"""Who may do what in reports (roles of opsdesk/platform/roles.py)."""

from opsdesk.platform.roles import Role

# Monthly operations report: head office for every region, regional ops for their own.
MONTHLY_READERS = frozenset({Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
# Report schedules (emails to any address): head office only.
SCHEDULE_MANAGERS = frozenset({Role.HEAD_OFFICE, Role.ADMIN})

"""People, availability and leave, week schedules and shifts, swap requests, staffing
rules, training courses, assignments and certifications.

Fields and constraints only: the rules (the checks before publishing, swaps, training)
live in ``staff/services`` and ``staff/checks/``; see docs/staff.md. Times of a shift
are stored as aware datetimes (UTC in the database) computed from the store-local date
and wall-clock times, so that a shift's length is real elapsed time across a DST change.
"""

from .people import (  # noqa: F401
    HOURS,
    MONEY,
    ZERO,
    Availability,
    ContractType,
    Employee,
    Leave,
    Position,
    StaffingRule,
    Weekday,
    _StoreStaffNarrowed,
)
from .schedules import (  # noqa: F401
    Schedule,
    Shift,
    ShiftQuerySet,
    SwapRequest,
    SwapRequestQuerySet,
)
from .training import (  # noqa: F401
    Certification,
    Course,
    TrainingAssignment,
    TrainingAssignmentQuerySet,
)

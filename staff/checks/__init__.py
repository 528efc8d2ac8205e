"""The checks a week's shifts pass before publishing (docs/design.md "Schedules"), also run live
in the editor, on every change to a published week and on every swap approval.

Errors refuse publishing (and a change to a published week, or a swap approval, that adds
one); warnings are shown and allow it:

- ``not_employed`` (error): a shift on a date outside the person's active from/to.
- ``overlap`` (error): two shifts of one person overlap, at any of the chain's stores.
- ``leave`` (error): a shift touches a day of the person's leave.
- ``rest`` (error): less than the minimum rest (``STAFF_MIN_REST_HOURS``) between two
  shifts of one person; exactly the minimum is allowed.
- ``weekly_hours`` (error): a person's paid hours in a week (Monday–Sunday business dates,
  all stores) above their weekly limit; exactly the limit is allowed.
- ``min_staffing`` (error): fewer people on shift than the store's rule at some moment of
  its opening hours.
- ``availability`` (warning): a shift outside the person's recurring availability (when
  they have any).

On a published week a change is compared with the week before it by identity, not by
message: a violation is the same one when its rule, person and date and its store (or,
for ``overlap`` and ``rest``, its two shifts) are the same; each has a ``magnitude`` (the
minutes over the weekly limit, of overlap, of rest missing, on leave or not employed, and
the person-minutes short of minimum staffing). A change that keeps or reduces every
magnitude is allowed (a partial fix); one that adds a violation or makes one worse is
refused (``compare``).

The shifts checked ("candidates") are compared with every **published** shift of the same
people elsewhere (other stores, neighbouring weeks); drafts of other weeks are not
commitments yet. Constant queries: whatever the number of shifts, one per kind of record.
"""

from .checking import (  # noqa: F401
    check,
)
from .core import (  # noqa: F401
    ERROR,
    NEIGHBOUR_DAYS,
    SEVERITY,
    WARNING,
    Planned,
    Violation,
    _clock,
    _Context,
    _day,
    _describe,
    _length,
    _magnitudes,
    _minutes,
    _violation,
    compare,
    errors,
    new_errors,
)
from .rules import (  # noqa: F401
    _availability,
    _covered,
    _employment,
    _leave,
    _min_staffing,
    _overlap_and_rest,
    _under,
    _weekly_hours,
)

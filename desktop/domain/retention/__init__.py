"""Retention rules: policies, and when each piece of a record is due to go. Pure; no storage.

The one home of retention policy parsing and wording:
  policies.py  what may be configured, the one parser (parse_policies), the words for each policy
  schedule.py  timers: when each case, consent and request is due (CaseFacts, Rules, schedule)
  sweep.py     what a sweep does (PlannedAction) and its report (SweepReport)
  wording.py   how policies read in the access report, the first-run review and the case list
"""

from desktop.domain.retention.policies import (  # noqa: F401
    _ID,
    ACTIONS,
    ANONYMISED_COLUMNS,
    CASE_TRIGGERS,
    CATEGORIES,
    FIELDS,
    KEPT_ON_ANONYMISE,
    MAX_DAYS,
    MAX_MONTHS,
    TRIGGERS,
    UNITS,
    WHAT_TEXT,
    Policy,
    PolicyError,
    add_months,
    parse_policies,
    policies_to_json,
)
from desktop.domain.retention.schedule import (  # noqa: F401
    CaseFacts,
    PlannedRemoval,
    Rules,
    _fold_due,
    _item,
    _start_day,
    _utc_day,
    consent_removal,
    describe,
    due_removals,
    facts_of,
    hold_of,
    last_start_due_by,
    next_removal,
    request_removal,
    schedule,
    schedule_facts,
)
from desktop.domain.retention.sweep import (  # noqa: F401
    PlannedAction,
    SweepOutcome,
    SweepReport,
)

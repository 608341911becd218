"""Row <-> domain object mapping shared by repositories."""

from __future__ import annotations

from desktop.domain.clock import from_iso
from desktop.domain.models import Case, Category, Change, Channel, Consent, Note, Status, Subject

CASE_COLUMNS = (
    "id, subject_id, name, email, phone, category, description, technical_details, channel, status, "
    "received_at, created_at, last_activity_at, closed_at, created_by, notice_version, "
    "notice_acknowledged_at, legal_hold_reason, legal_hold_by, legal_hold_at, anonymised_at, "
    "child_flagged_at, resolution, phone_unchecked"
)


def case_from_row(r: tuple) -> Case:
    return Case(
        id=r[0], subject_id=r[1], name=r[2], email=r[3], phone=r[4],
        category=Category(r[5]), description=r[6], technical_details=r[7],
        channel=Channel(r[8]), status=Status(r[9]),
        received_at=from_iso(r[10]), created_at=from_iso(r[11]),  # type: ignore[arg-type]
        last_activity_at=from_iso(r[12]), closed_at=from_iso(r[13]),  # type: ignore[arg-type]
        created_by=r[14], notice_version=r[15], notice_acknowledged_at=from_iso(r[16]),
        legal_hold_reason=r[17], legal_hold_by=r[18], legal_hold_at=from_iso(r[19]),
        anonymised_at=from_iso(r[20]), child_flagged_at=from_iso(r[21]), resolution=r[22],
        phone_unchecked=bool(r[23]) and r[4] is not None,
    )


SUBJECT_COLUMNS = (
    "id, email, created_at, restricted_at, restriction_reason, legal_hold_reason, legal_hold_by, "
    "legal_hold_at, marketing_objected_at"
)


def subject_from_row(r: tuple) -> Subject:
    return Subject(
        id=r[0], email=r[1], created_at=from_iso(r[2]),  # type: ignore[arg-type]
        restricted_at=from_iso(r[3]), restriction_reason=r[4],
        legal_hold_reason=r[5], legal_hold_by=r[6], legal_hold_at=from_iso(r[7]),
        marketing_objected_at=from_iso(r[8]),
    )


def note_from_row(r: tuple) -> Note:
    return Note(id=r[0], case_id=r[1], at=from_iso(r[2]), staff=r[3], body=r[4])  # type: ignore[arg-type]


def change_from_row(r: tuple) -> Change:
    return Change(
        id=r[0], case_id=r[1], at=from_iso(r[2]), staff=r[3], field=r[4],  # type: ignore[arg-type]
        old_value=r[5], new_value=r[6], request_ref=r[7],
    )


def consent_from_row(r: tuple) -> Consent:
    return Consent(
        id=r[0], subject_id=r[1], case_id=r[2], kind=r[3], version=r[4],
        given_at=from_iso(r[5]), withdrawn_at=from_iso(r[6]), source=r[7],  # type: ignore[arg-type]
    )

"""Domain dataclasses. Plain data; no persistence, no Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Category(StrEnum):
    BOUNCE = "bounce"
    SPAM_FOLDER = "spam_folder"
    AUTH_RECORDS = "spf_dkim_dmarc"
    SMTP_AUTH = "smtp_auth"
    CONNECTION_TLS = "connection_tls"
    RATE_LIMIT = "rate_limit_blocklist"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.BOUNCE: "Bounce / NDR",
    Category.SPAM_FOLDER: "Spam folder placement",
    Category.AUTH_RECORDS: "SPF / DKIM / DMARC failure",
    Category.SMTP_AUTH: "SMTP authentication",
    Category.CONNECTION_TLS: "Connection / TLS",
    Category.RATE_LIMIT: "Rate limit or blocklist",
    Category.OTHER: "Other",
}


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    WEB_FORM = "web_form"
    CHAT = "chat"
    IN_PERSON = "in_person"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Email",
    Channel.WEB_FORM: "Web form",
    Channel.CHAT: "Chat",
    Channel.IN_PERSON: "In person",
}


class Status(StrEnum):
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.OPEN: "Open",
    Status.WAITING: "Waiting on customer",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}

# open -> waiting on customer -> resolved -> closed; a closed or resolved case may be reopened.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.WAITING, Status.RESOLVED}),
    Status.WAITING: frozenset({Status.OPEN, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

# Fields staff may rectify on a case (Art. 16). Order is the order shown in forms and reports.
EDITABLE_FIELDS = ("name", "email", "phone", "category", "description", "technical_details", "channel")


@dataclass(frozen=True)
class IntakeData:
    """A validated, normalised intake submission, ready to store."""

    name: str
    email: str  # normalised
    phone: str | None  # E.164
    category: Category
    description: str
    technical_details: str | None
    channel: Channel
    received_at: datetime
    notice_version: str
    notice_acknowledged_at: datetime
    marketing_consent: bool
    not_a_child_confirmed: bool = True
    phone_unchecked: bool = False  # phone kept as typed by a web-form import (not E.164)


@dataclass
class Case:
    id: int
    subject_id: int | None
    name: str | None
    email: str | None
    phone: str | None
    category: Category
    description: str | None
    technical_details: str | None
    channel: Channel
    status: Status
    received_at: datetime
    created_at: datetime
    last_activity_at: datetime
    closed_at: datetime | None = None
    created_by: str = ""
    notice_version: str | None = None
    notice_acknowledged_at: datetime | None = None
    legal_hold_reason: str | None = None
    legal_hold_by: str | None = None
    legal_hold_at: datetime | None = None
    anonymised_at: datetime | None = None
    child_flagged_at: datetime | None = None
    resolution: str | None = None
    phone_unchecked: bool = False  # the phone is as typed in a web form, not a number we could read

    @property
    def on_hold(self) -> bool:
        return self.legal_hold_reason is not None

    @property
    def anonymised(self) -> bool:
        return self.anonymised_at is not None


@dataclass
class Subject:
    """A data subject: the person behind one or more cases, keyed by normalised email."""

    id: int
    email: str
    created_at: datetime
    restricted_at: datetime | None = None
    restriction_reason: str | None = None
    legal_hold_reason: str | None = None
    legal_hold_by: str | None = None
    legal_hold_at: datetime | None = None
    marketing_objected_at: datetime | None = None

    @property
    def restricted(self) -> bool:
        return self.restricted_at is not None

    @property
    def on_hold(self) -> bool:
        return self.legal_hold_reason is not None


@dataclass(frozen=True)
class Consent:
    id: int
    subject_id: int | None
    case_id: int | None
    kind: str  # "privacy_notice" | "marketing"
    version: str | None
    given_at: datetime
    withdrawn_at: datetime | None = None
    source: str | None = None


@dataclass(frozen=True)
class Note:
    id: int
    case_id: int
    at: datetime
    staff: str
    body: str


@dataclass(frozen=True)
class Change:
    id: int
    case_id: int
    at: datetime
    staff: str
    field: str
    old_value: str | None
    new_value: str | None
    request_ref: str | None = None


@dataclass(frozen=True)
class CaseQuery:
    """What the case list asks for: free-text search, a status filter and a sort order."""

    search: str = ""
    status: Status | None = None
    sort: str = "received_at"  # id, received_at, name, email, category, status, next_removal
    descending: bool = True
    subject_id: int | None = None


@dataclass
class AuditEntry:
    id: int
    at: datetime
    staff: str
    action: str
    target: str
    detail: str
    prev_hash: str
    hash: str


class RequestType(StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    PORTABILITY = "portability"
    RESTRICTION = "restriction"
    OBJECTION = "objection"


# How identity was checked (GDPR recital 64). "other" is stored as "other: <description>".
VERIFICATION_METHODS = {
    "reply_from_address": "Reply from the email address on file",
    "callback_number": "Call-back to the number on file",
    "in_person_id": "In person with photo ID",
    "other": "Other (described)",
}


def verification_label(stored: str | None) -> str:
    """The plain-language name of a stored verification method."""
    if not stored:
        return "method not recorded"
    if stored.startswith("other: "):
        return "Other: " + stored[7:]
    return VERIFICATION_METHODS.get(stored, stored)


class RequestStatus(StrEnum):
    RECEIVED = "received"
    VERIFYING = "verifying"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REFUSED = "refused"

    @property
    def closed(self) -> bool:
        return self in (RequestStatus.COMPLETED, RequestStatus.REFUSED)


@dataclass
class SubjectRequest:
    """A data-subject request in the register. subject_ref is a random, non-identifying reference
    that survives erasure; subject_email/phone/subject_id are cleared when the person is erased."""

    id: int
    ref: str
    type: RequestType
    subject_id: int | None
    subject_email: str | None
    subject_phone: str | None
    subject_ref: str
    received_at: datetime
    channel: str | None
    due_at: datetime
    status: RequestStatus
    created_by: str
    extended_due_at: datetime | None = None
    extension_reason: str | None = None
    verification_method: str | None = None
    verified_by: str | None = None
    verified_at: datetime | None = None
    outcome: str | None = None
    refusal_reason: str | None = None
    completed_at: datetime | None = None
    details: dict | None = None

    @property
    def effective_due(self) -> datetime:
        return self.extended_due_at or self.due_at

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


def pick_verified(requests: list[SubjectRequest]) -> SubjectRequest | None:
    """The request that authorises a release among these: verified and not refused, one still
    being worked on before a closed one, then the most recent. None when there is none."""
    usable = [r for r in requests if r.verified and r.status is not RequestStatus.REFUSED]
    if not usable:
        return None
    return max(usable, key=lambda r: (not r.status.closed, r.received_at, r.id))

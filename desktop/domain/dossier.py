"""Everything held about one data subject, gathered for an access report or a portable export.

Pure data: no store, no reportlab. The wording of purposes and categories lives here because
it is a compliance fact shared by the PDF report and the export's README.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop.domain.models import Case, Change, Consent, Note, Subject, SubjectRequest


@dataclass(frozen=True)
class FieldInfo:
    key: str
    label: str
    purpose: str
    category: str
    provided_by_person: bool


IDENTIFIERS = "Identifiers"
CONTENT = "Content of your support request"
ADMIN = "Case administration"
CONSENT = "Consent records"
REQUESTS = "Records of your data-protection requests"

# Every case field, in the order shown in reports, with why it is held (Art. 15(1)(a)) and its
# category (Art. 15(1)(b)).
CASE_FIELDS: tuple[FieldInfo, ...] = (
    FieldInfo("name", "Name", "To identify and address you.", IDENTIFIERS, True),
    FieldInfo("email", "Email address", "To communicate with you and provide email support.", IDENTIFIERS, True),
    FieldInfo("phone", "Contact number", "To facilitate communication with you, if needed.", IDENTIFIERS, True),
    FieldInfo("category", "Type of problem", "To understand and resolve your email-delivery problem.",
              CONTENT, True),
    FieldInfo("description", "Email delivery issue", "To understand and resolve your email-delivery problem.",
              CONTENT, True),
    FieldInfo("technical_details", "Technical details (headers, server logs)",
              "To diagnose the delivery problem. These may contain internet and network data such as "
              "IP addresses and mail server names.", CONTENT, True),
    FieldInfo("channel", "How you contacted us", "To reply to you the way you reached us.", ADMIN, True),
    FieldInfo("received_at", "Received", "To handle your request in order and apply retention periods.",
              ADMIN, True),
    FieldInfo("status", "Status", "To track progress on your support request.", ADMIN, False),
    FieldInfo("resolution", "Resolution", "To record how your problem was resolved.", ADMIN, False),
    FieldInfo("closed_at", "Closed", "To start the retention period after your case is closed.", ADMIN, False),
    FieldInfo("last_activity_at", "Last activity", "To remove cases left inactive.", ADMIN, False),
    FieldInfo("created_at", "Recorded", "To keep a reliable record of when we stored your data.", ADMIN, False),
    FieldInfo("created_by", "Recorded by (staff)", "Accountability: who entered the data.", ADMIN, False),
    FieldInfo("notice_version", "Privacy notice shown", "Proof that you were told how we use your data.",
              CONSENT, False),
    FieldInfo("notice_acknowledged_at", "Privacy notice acknowledged",
              "Proof that you were told how we use your data.", CONSENT, False),
    FieldInfo("legal_hold_reason", "Legal hold",
              "We must keep this record for a legal reason; it is exempt from deletion while held.",
              ADMIN, False),
    FieldInfo("anonymised_at", "Anonymised", "Identifiers were removed; only statistics remain.", ADMIN, False),
)

# Purposes of the other kinds of record.
RECORD_PURPOSES: tuple[tuple[str, str, str], ...] = (
    ("Staff notes", "To record the work done to resolve your problem.", ADMIN),
    ("Change history", "To prove who corrected what and when (accountability, Art. 5(2) and 16 GDPR).",
     ADMIN),
    ("Privacy-notice acknowledgement", "Proof that you were given our privacy notice.", CONSENT),
    ("Marketing consent", "To send marketing email only if you agreed, and to prove your consent. "
     "Marketing is separate from support and never a condition of it.", CONSENT),
    ("Data-protection requests", "To answer your requests (access, correction, deletion and others) on "
     "time and to prove that we did.", REQUESTS),
)

CATEGORIES: tuple[tuple[str, str], ...] = (
    (IDENTIFIERS, "Your name, email address and (if you gave it) contact number."),
    (CONTENT, "What you told us about your email-delivery problem, and technical details such as message "
     "headers or server logs, which can contain internet and network activity data (IP addresses, "
     "server and device names)."),
    (ADMIN, "Dates, status, how you contacted us, staff notes and the history of corrections."),
    (CONSENT, "When you were shown our privacy notice (and which version), and whether you agreed to "
     "marketing email."),
    (REQUESTS, "The data-protection requests you made, how we checked your identity, and their outcome."),
)


def field_value(case: Case, key: str) -> object:
    value = getattr(case, key)
    if key == "phone" and value and case.phone_unchecked:
        return f"{value} (as you typed it in the web form; not checked)"
    return getattr(value, "label", value)


@dataclass(frozen=True)
class Recipient:
    name: str
    purpose: str
    country: str
    safeguard: str


@dataclass(frozen=True)
class Organisation:
    controller_name: str
    controller_address: str
    contact_email: str
    alternative_contact: str
    supervisory_authority: str
    data_source: str
    automated_decision_making: str
    transfer_safeguards: str
    notice_version: str
    recipients: tuple[Recipient, ...] = ()
    dpo_contact: str = ""  # optional: printed only when given

    @classmethod
    def from_settings(cls, org: dict) -> Organisation:
        def s(key: str, default: str = "") -> str:
            value = org.get(key)
            return str(value).strip() if value not in (None, "") else default

        recipients = []
        for r in org.get("recipients") or []:
            if isinstance(r, dict):
                recipients.append(Recipient(
                    str(r.get("name", "")), str(r.get("purpose", "")), str(r.get("country", "")),
                    str(r.get("safeguard", ""))))
        return cls(
            controller_name=s("controller_name", "The support desk"),
            controller_address=s("controller_address"),
            contact_email=s("privacy_contact_email"),
            alternative_contact=s("alternative_privacy_contact"),
            supervisory_authority=s("supervisory_authority",
                                    "The data protection supervisory authority of your country."),
            data_source=s("data_source", "Collected directly from you when you contacted our support desk."),
            automated_decision_making=s("automated_decision_making",
                                        "No. Your data is not used for automated decision-making."),
            transfer_safeguards=s("transfer_safeguards"),
            notice_version=s("privacy_notice_version"),
            recipients=tuple(recipients),
            dpo_contact=s("dpo_contact"),
        )


@dataclass(frozen=True)
class RetentionPolicy:
    key: str
    label: str
    period: str
    action: str
    reason: str


@dataclass(frozen=True)
class CaseRecord:
    case: Case
    notes: tuple[Note, ...]
    changes: tuple[Change, ...]
    consents: tuple[Consent, ...]
    next_removal_at: datetime | None
    next_removal_policy: str | None


@dataclass(frozen=True)
class Dossier:
    """All data held about one person (matched by normalised email), plus what Art. 15 requires
    us to tell them."""

    email: str
    subject: Subject | None
    cases: tuple[CaseRecord, ...]
    consents: tuple[Consent, ...]
    requests: tuple[SubjectRequest, ...]
    organisation: Organisation
    retention: tuple[RetentionPolicy, ...]
    gathered_at: datetime

    @property
    def holds_data(self) -> bool:
        return bool(self.subject or self.cases or self.consents)

    def names(self) -> list[str]:
        seen: list[str] = []
        for rec in self.cases:
            if rec.case.name and rec.case.name not in seen:
                seen.append(rec.case.name)
        return seen

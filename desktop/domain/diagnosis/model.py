"""Result types of the delivery diagnosis: plain data, no behaviour beyond conversion to dicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RecipientResult:
    """One recipient of a bounce: what the report (or the bounce text) says about it."""

    recipient: str
    action: str = ""           # failed, delayed, delivered, relayed, expanded (RFC 3464)
    status: str = ""           # enhanced status code (RFC 3463), the most specific one found
    status_field: str = ""     # the Status: field as written, when there is one
    reply_code: str = ""       # SMTP reply code (RFC 5321), e.g. 550
    diagnostic: str = ""       # diagnostic text (Diagnostic-Code or the bounce's error line)
    remote_mta: str = ""
    reason: str = ""
    category: str = ""
    permanent: bool | None = None


@dataclass(frozen=True)
class AuthCheck:
    """One method result from Authentication-Results, ARC or Received-SPF."""

    method: str        # spf, dkim, dmarc, arc, ...
    result: str        # pass, fail, softfail, none, neutral, temperror, permerror, ...
    source: str        # the header it came from and the authserv-id
    detail: str = ""   # header.d=, smtp.mailfrom=, ...


@dataclass(frozen=True)
class Hop:
    """One Received header: who handed the message to whom, when, and the delay since the previous hop."""

    by: str
    from_: str
    when: str           # ISO 8601, or "" when the date could not be read
    delay_seconds: float | None


@dataclass(frozen=True)
class HeaderReport:
    auth: tuple[AuthCheck, ...] = ()
    from_domain: str = ""
    dkim_domains: tuple[str, ...] = ()
    dkim_aligned: bool | None = None     # some DKIM d= aligns (relaxed) with the From domain
    spf_domain: str = ""
    spf_aligned: bool | None = None
    dmarc_from_headers: str = ""         # pass / fail / "" (unknown): DMARC judged from headers alone
    hops: tuple[Hop, ...] = ()
    spam_verdict: str = ""               # what a receiver's spam headers say, if anything


@dataclass(frozen=True)
class Diagnosis:
    kind: str                            # bounce, delay, feedback_report, auto_reply, headers, message, ses
    category: str                        # one of the seven category codes
    reason: str                          # a reason key of resources/diagnosis/explanations.json
    reason_label: str = ""
    status: str = ""
    reply_code: str = ""
    permanent: bool | None = None
    action: str = ""
    diagnostic: str = ""
    remote_mta: str = ""
    reporting_mta: str = ""
    arrival_date: str = ""
    recipient: str = ""                  # first failed recipient (unmasked: mask when showing)
    recipients: tuple[RecipientResult, ...] = ()
    blocklist: str = ""
    case_owner: str = ""                 # whose case: the original sender, never MAILER-DAEMON
    returned_from: str = ""
    returned_from_name: str = ""
    returned_subject: str = ""
    returned_message_id: str = ""
    evidence: tuple[str, ...] = ()
    explanation: str = ""
    next_steps: tuple[str, ...] = ()
    headers: HeaderReport = field(default_factory=HeaderReport)
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)

"""diagnose(raw, rules): what went wrong with a delivery, from a bounce, a forwarded bounce,
an SES notification or a header paste. Pure: stdlib email only, no DNS, no network."""

from __future__ import annotations

import re
from email.message import Message

from desktop.domain.diagnosis import ses, textual
from desktop.domain.diagnosis.codes import (
    first_enhanced,
    first_reply,
    is_vague,
    most_specific,
    normalise_status,
)
from desktop.domain.diagnosis.dates import date_iso as _date
from desktop.domain.diagnosis.dsn import address_of, diagnostic_of, mta_of, report_fields
from desktop.domain.diagnosis.gates import may_match, row_gate
from desktop.domain.diagnosis.headers import BY, header_report
from desktop.domain.diagnosis.mime import (
    DSN_TYPES,
    attached_report,
    content_type,
    first_text,
    hall,
    header_text,
    headers_in_text,
    hget,
    mailbox_of,
    parse_bytes,
    part_text,
    returned_headers,
    split_returned,
    walk,
)
from desktop.domain.diagnosis.model import Diagnosis, HeaderReport, RecipientResult
from desktop.domain.diagnosis.rules import Rules
from desktop.domain.diagnosis.textual import BOUNCE_BODY, error_lines, find_addresses, remote_mta

BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status notification|failure|failed|has failed|problem|notification|report|incomplete)|"
    r"returned mail|failure notice|mail delivery (?:failed|failure|system|subsystem|error)|non[- ]?deliver|"
    r"could not send message|delivery delayed|mail system error|message not delivered|rejected|"
    r"returned to sender|delivery notification|nicht zustellbar|non remis|unzustellbar|no se puede entregar|"
    r"onbestelbaar|non recapitabile|não é possível entregar|olevererbart|kan ikke leveres|配信不能|"
    r"message you sent|wasn't delivered|delivery unsuccessful|mail could not be delivered|unable to deliver", re.I)
AUTO_REPLY_SUBJECT = re.compile(r"out of (?:the )?office|auto(?:matic)?[- ]?(?:reply|response|antwort)|"
                                r"^auto:|vacation|abwesenheit|absence|away from", re.I)
DAEMON_FROM = re.compile(r"mailer-daemon|postmaster|mail delivery (?:sub)?system|mail-daemon|^(?:.*<)?mdaemon@")
FORWARDED_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|tr|wg|rv|enc)\s*:", re.I)
DELAYED = re.compile(r"(?:has been|was) delayed|delivery delayed|will (?:continue|keep) (?:trying|to try)|"
                     r"attempts will continue|will be retried|not yet been delivered|warning:", re.I)
GIVEN_UP = re.compile(r"permanent|giving up|gave up|failed permanently", re.I)
REPORT_TYPE = re.compile(r';\s*report-type\s*=\s*"?([A-Za-z0-9-]+)"?\s*(?:;|$)', re.I)
GENERIC_STATUS = {"0.0", "7.0", "7.1", "5.0", "1.0", "2.0", "3.0", "4.0", "6.0"}
GENERIC_REASONS = {"", "other", "recipient_failure", "security_error"}
TRANSIENT_ONLY = {"network", "connection_lost"}   # reasons no MTA gives up on at the first try
GOOD = ("pass", "none", "neutral", "bestguesspass")


def diagnose(raw: bytes | str, rules: Rules) -> Diagnosis:
    data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
    data = data.replace(b"\x00", b"")
    head = data[:200].lstrip()
    if head[:1] in (b"{", b"["):
        obj = ses.load_notification(data.decode("utf-8", "replace"))
        if obj is not None:
            return _from_ses(obj, rules)
    msg = parse_bytes(data)
    wrapped = attached_report(msg)   # a gateway re-sent a report inside its own bounce (with a disclaimer)
    if wrapped is not None and is_bounce(msg):
        return _diagnose_message(wrapped, rules)
    inner = _forwarded_bounce(msg)
    if inner is not None:
        d = _diagnose_message(inner, rules)
        owner = mailbox_of(msg, "From")[1]
        return _replace(d, case_owner=owner or d.case_owner, kind="forwarded " + d.kind)
    return _diagnose_message(msg, rules)


def _replace(d, **changes):
    """dataclasses.replace for these plain frozen records (no __post_init__, no init=False
    fields), without its per-field checks: a copy of the fields with the changes."""
    fields = {**d.__dict__, **changes}
    new = object.__new__(type(d))
    new.__dict__.update(fields)
    return new


def is_bounce(msg: Message) -> bool:
    known = msg.__dict__.get("_diagnosis_bounce")
    if known is None:
        known = msg.__dict__["_diagnosis_bounce"] = _is_bounce(msg)
    return known


def _is_bounce(msg: Message) -> bool:
    if any(content_type(p) in DSN_TYPES for p, _d, inside in walk(msg) if not inside):
        return True
    frm = header_text(msg, "From").lower()
    if DAEMON_FROM.search(frm):
        return True
    if hget(msg, "X-Failed-Recipients"):
        return True
    subject = header_text(msg, "Subject")
    if FORWARDED_SUBJECT.match(subject):   # a person forwarding a bounce
        return False
    if hget(msg, "In-Reply-To"):
        return False
    # the report's own opening text, near the top of its first text part (not a quote further down)
    return bool(BOUNCE_SUBJECT.search(subject) or BOUNCE_BODY.search(first_text(msg)[:1500]))


def _forwarded_bounce(msg: Message) -> Message | None:
    """A customer's message carrying a bounce as an attached message: the attached bounce."""
    if is_bounce(msg):
        return None
    for part, depth, _inside in walk(msg):
        if depth and content_type(part) == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and is_bounce(payload[0]):
                return payload[0]
    return None


def _human_text(msg: Message) -> str:
    texts = []
    for part, _depth, inside in walk(msg):
        if inside or part.is_multipart():
            continue
        ctype = content_type(part)
        if ctype in ("text/plain", "text/html") and not (ctype == "text/html" and texts):
            texts.append(part_text(part))
    return "\n".join(texts)


def _diagnose_message(msg: Message, rules: Rules) -> Diagnosis:
    ctype = content_type(msg)
    raw_ctype = str(hget(msg, "Content-Type") or "")
    report_type = ""
    if "report-type" in raw_ctype.lower():
        m = REPORT_TYPE.search(raw_ctype)
        report_type = m.group(1).lower() if m else str(msg.get_param("report-type", "") or "").lower()
    if report_type == "feedback-report" or any(content_type(p) == "message/feedback-report" for p, _, _ in walk(msg)):
        return _simple("feedback_report", "feedback_report", msg, rules, header_report(msg), ["Content-Type: multipart/report; report-type=feedback-report"])
    bounce = is_bounce(msg)
    auto = str(hget(msg, "Auto-Submitted") or "").lower().startswith("auto-replied") or hget(msg, "X-Autoreply") \
        or AUTO_REPLY_SUBJECT.search(header_text(msg, "Subject"))
    if not bounce and auto:
        return _simple("auto_reply", "auto_reply", msg, rules, header_report(msg), ["Subject: " + header_text(msg, "Subject")])
    if not bounce:
        return _headers_only(msg, rules, header_report(msg))
    return _bounce(msg, rules, ctype)


def _simple(kind: str, reason: str, msg: Message, rules: Rules, hdr: HeaderReport, evidence: list[str]) -> Diagnosis:
    label, text, steps = rules.explain(reason)
    owner = mailbox_of(msg, "From")[1]
    if kind == "feedback_report":
        ret = returned_headers(msg)
        owner = mailbox_of(ret, "From")[1] or mailbox_of(msg, "To")[1] or owner
    return Diagnosis(kind=kind, category=rules.category(reason), reason=reason, reason_label=label,
                     case_owner=owner, evidence=tuple(e for e in evidence if e.strip()), explanation=text,
                     next_steps=steps, headers=hdr, arrival_date=_date(header_text(msg, "Date")))


def _headers_only(msg: Message, rules: Rules, hdr: HeaderReport) -> Diagnosis:
    failed = [c for c in hdr.auth if c.method in ("spf", "dkim", "dmarc") and c.result not in GOOD]
    if hdr.dmarc_from_headers == "fail" or any(c.method == "dmarc" for c in failed):
        reason, evidence = "auth_headers", [f"{c.source}: {c.method}={c.result} {c.detail}".strip() for c in failed]
        if hdr.dkim_domains and hdr.dkim_aligned is False:
            evidence.append(f"DKIM d={', '.join(hdr.dkim_domains)} does not align with From domain {hdr.from_domain}")
    elif hdr.spam_verdict:
        reason, evidence = "spam_headers", [hdr.spam_verdict]
    elif failed:
        reason, evidence = "auth_headers", [f"{c.source}: {c.method}={c.result} {c.detail}".strip() for c in failed]
    else:
        reason, evidence = "not_bounce", []
    return _simple("headers" if reason != "not_bounce" else "message", reason, msg, rules, hdr, evidence)


def _bounce(msg: Message, rules: Rules, ctype: str) -> Diagnosis:
    human = _human_text(msg)
    human_part, quoted = split_returned(human)
    human_part = human_part[:6000]   # the error lines come first; a long tail only costs searches
    ret = returned_headers(msg) or (headers_in_text(quoted) if quoted else None)
    returned_from = mailbox_of(ret, "From")[1] if ret is not None else ""
    to = mailbox_of(msg, "To")[1]
    owner = next((a for a in (returned_from, to) if a and not textual.DAEMONS.match(a.lower())), "")
    per_message, blocks = report_fields(msg)
    evidence: list[str] = []
    results = [_from_block(b, rules, human_part, evidence) for b in blocks]
    results = [_with_text_diagnostic(r, human_part, rules, evidence) for r in results]
    dsn_status = any(r.status_field for r in results)   # a Status: field with no usable Final-Recipient
    if not any(r.recipient for r in results):
        results = _from_text(msg, human_part, rules, owner, evidence) or results
    if not results:
        results = [_classify(RecipientResult(recipient=""), rules, human_part, evidence)]
    failed = [r for r in results if r.action.lower() not in ("delivered", "relayed", "expanded")]
    first = (failed or results)[0]
    kind = "delay" if first.action.lower() == "delayed" else ("delivered" if not failed else "bounce")
    reason = first.reason if failed else "delivered"
    blocklist = rules.blocklist(first.diagnostic or human_part) if reason == "blocklisted" else ""
    if blocklist:
        evidence.append(f"Block list named: {blocklist}")
    label, text, steps = rules.explain(reason, blocklist)
    reporting = mta_of(per_message.get("reporting-mta", "")) or _top_by(msg)
    arrival = per_message.get("arrival-date", "") or (header_text(ret, "Date") if ret is not None else "")
    return Diagnosis(
        kind=kind, category=rules.category(reason), reason=reason, reason_label=label,
        status=first.status, reply_code=first.reply_code, permanent=first.permanent, action=first.action,
        diagnostic=first.diagnostic, remote_mta=first.remote_mta, reporting_mta=reporting,
        arrival_date=_date(arrival), recipient=first.recipient, recipients=tuple(results),
        blocklist=blocklist, case_owner=owner, returned_from=returned_from,
        returned_from_name=mailbox_of(ret, "From")[0] if ret is not None else "",
        returned_subject=header_text(ret, "Subject") if ret is not None else "",
        returned_message_id=header_text(ret, "Message-ID") if ret is not None else "",
        evidence=tuple(dict.fromkeys(e for e in evidence if e)), explanation=text, next_steps=steps,
        headers=header_report(ret if ret is not None else msg),
        warnings=("status inferred from the reason: the bounce carries no enhanced status code",)
        if first.status and not (first.status_field or dsn_status or first_enhanced(first.diagnostic + human_part)) else ())


def _top_by(msg: Message) -> str:
    top = (hall(msg, "Received") or [""])[0]
    m = BY.search(" ".join(str(top).split()))
    return m.group(1) if m else ""


def _from_block(b: dict[str, str], rules: Rules, human: str, evidence: list[str]) -> RecipientResult:
    recipient = address_of(b.get("final-recipient") or b.get("original-recipient") or b.get("x-actual-recipient", ""))
    diag = textual.complete_reply(diagnostic_of(b.get("diagnostic-code", "")), human)
    for name in ("action", "status", "diagnostic-code", "remote-mta"):
        if b.get(name):
            evidence.append(f"{name.title()}: {' '.join(b[name].split())}"[:300])
    r = RecipientResult(recipient=recipient, action=b.get("action", "").split()[0].lower() if b.get("action") else "",
                        status_field=normalise_status(b.get("status", "")), diagnostic=diag,
                        remote_mta=mta_of(b.get("remote-mta", "")) or remote_mta(diag))
    return _classify(r, rules, human, evidence)


def _with_text_diagnostic(r: RecipientResult, human: str, rules: Rules, evidence: list[str]) -> RecipientResult:
    """A report without a Diagnostic-Code: the bounce text's error lines for that recipient."""
    if r.diagnostic or not r.recipient or not human:
        return r
    zone = textual.zones(human, [r.recipient]).get(r.recipient, "")
    diag = " ".join(error_lines(zone))[:1000] if zone else ""
    if not diag:
        return r
    evidence.append("Bounce text: " + diag[:300])
    return _classify(_replace(r, diagnostic=diag, remote_mta=r.remote_mta or remote_mta(zone)), rules, human, evidence)


def _from_text(msg: Message, human: str, rules: Rules, owner: str, evidence: list[str]) -> list[RecipientResult]:
    exclude = {a.lower() for a in (owner, mailbox_of(msg, "From")[1], mailbox_of(msg, "To")[1]) if a}
    failed_hdr = [a.strip() for a in str(hget(msg, "X-Failed-Recipients") or "").split(",") if "@" in a]
    recipients = failed_hdr or find_addresses(human, exclude)
    if failed_hdr:
        evidence.append("X-Failed-Recipients: " + ", ".join(failed_hdr))
    delayed = _may_be_delayed(human) and bool(DELAYED.search(human)) and not GIVEN_UP.search(human)   # before the status is inferred
    out = []
    zone_of = textual.zones(human, recipients) if recipients else {}
    for rcpt in recipients[:50] or [""]:
        lines = error_lines(zone_of.get(rcpt, human))
        diag = " ".join(lines)[:1000]
        if diag:
            evidence.append("Bounce text: " + diag[:300])
        r = RecipientResult(recipient=rcpt, action="delayed" if delayed else "failed", diagnostic=diag,
                            remote_mta=remote_mta(zone_of.get(rcpt, human)))
        out.append(_classify(r, rules, human, evidence))
    return out


# DELAYED's fixed words, taken from the pattern itself (gates.py): without one of them it cannot match
_DELAYED_GATE = row_gate([DELAYED.pattern.lower()])


def _may_be_delayed(text: str) -> bool:
    """False only when DELAYED cannot match: an ASCII text (its lower case matches as re.I
    does) without any of the pattern's fixed words."""
    return not text.isascii() or may_match(_DELAYED_GATE, text.lower())


def _classify(r: RecipientResult, rules: Rules, human: str, evidence: list[str]) -> RecipientResult:
    diag = r.diagnostic
    status = most_specific(r.status_field, diag) or first_enhanced(diag)
    reply = first_reply(diag) or (first_reply(human) if not diag else "")
    expiry = ""
    if r.action == "failed" and r.status_field.startswith("4"):
        expiry = f"Action: failed with a transient status ({r.status_field}): given up after retries"
    elif r.action != "delayed":
        expiry = rules.is_expiry(diag) or rules.is_expiry(r.status_field) or rules.is_expiry(human)
    if expiry:
        reason = "expired"
        evidence.append("Expiry: " + expiry)
        if not status:
            inner = rules.by_text(diag.lower().replace(expiry, " "))   # not the expiry's words ("retry timeout")
            status = rules.inferred_status(inner.reason, reply, None) if inner else "4.4.7"
    else:
        reason, from_text = _reason(diag, status, reply, human, rules, evidence)
        if reason in TRANSIENT_ONLY and r.action == "failed" and "5" not in status[:1] + reply[:1] \
                and GIVEN_UP.search(human):   # a connection error called permanent: its retries ran out
            evidence.append(f"Expiry: delivery failed permanently on a transient {reason} error")
            reason, status = "expired", status or "4.4.7"
        if from_text and is_vague(status):
            # the report's own fields say nothing specific: the bounce text's code goes with its reason
            status = most_specific(status, human) or status
    if not status and reason:
        status = rules.inferred_status(reason, reply, False if r.action == "delayed" else None)
        if status and r.action == "delayed":
            status = "4" + status[1:]
    permanent = None
    if r.action == "delayed":
        permanent = False
    elif status[:1] in ("4", "5"):
        permanent = status[0] == "5"
    elif reply[:1] in ("4", "5"):
        permanent = reply[0] == "5"
    return _replace(r, status=status, reply_code=reply, reason=reason, category=rules.category(reason),
                    permanent=permanent)


def _reason(diag: str, status: str, reply: str, human: str, rules: Rules, evidence: list[str]) -> tuple[str, bool]:
    """The reason, and whether it was read from the bounce text rather than the recipient's own lines."""
    strong = _strong(diag, rules)
    if strong is not None:
        evidence.append(f"Matched '{strong.text}' -> {strong.reason}")
        return strong.reason, False
    subject_detail = ".".join(status.split(".")[1:]) if status else ""
    by_status = rules.by_status(status)
    if by_status and subject_detail not in GENERIC_STATUS:
        evidence.append(f"Status {status} -> {by_status}")
        return by_status, False
    weak = rules.weak_match(diag)   # no strong pattern matched diag
    if weak is not None:
        evidence.append(f"Matched '{weak.text}' -> {weak.reason}")
        return weak.reason, False
    if not diag or not (status or reply) or is_vague(status):
        strong = _strong(human, rules)
        if strong is not None:
            evidence.append(f"Matched '{strong.text}' in the bounce text -> {strong.reason}")
            return strong.reason, True
    if by_status:
        evidence.append(f"Status {status} -> {by_status}")
        return by_status, False
    by_reply = rules.by_reply(reply)
    if by_reply:
        evidence.append(f"Reply code {reply} -> {by_reply}")
        return by_reply, False
    return "recipient_failure", False


def _strong(text: str, rules: Rules):
    return rules.strong_match(text)


def _from_ses(obj: dict, rules: Rules) -> Diagnosis:
    c = ses.common(obj)
    if c["kind"] == "Complaint":
        label, text, steps = rules.explain("feedback_report")
        return Diagnosis(kind="feedback_report", category="other", reason="feedback_report", reason_label=label,
                         case_owner=c["sender"], evidence=(f"SES notificationType: Complaint {c['feedback_type']}".strip(),),
                         explanation=text, next_steps=steps, arrival_date=c["arrival"])
    evidence = [f"SES notificationType: {c['kind']} {c['bounce_type']}/{c['bounce_subtype']}".strip(" /")]
    results = []
    for row in ses.recipients(obj):
        r = RecipientResult(recipient=row["recipient"], action=row["action"].lower(),
                            status_field=normalise_status(row["status"]), diagnostic=row["diagnostic"],
                            remote_mta=row["remote_mta"])
        if row["diagnostic"]:
            evidence.append("diagnosticCode: " + row["diagnostic"][:300])
        r = _classify(r, rules, "", evidence)
        if row["subtype_reason"] and (r.reason in GENERIC_REASONS or r.reason == "expired"):
            r = _replace(r, reason=row["subtype_reason"], category=rules.category(row["subtype_reason"]))
            if not r.status:
                r = _replace(r, status=rules.inferred_status(r.reason, "", row["permanent"]))
        results.append(r)
    if c["kind"] == "Delivery" or not results:
        reason = "delivered" if c["kind"] == "Delivery" else "other"
        label, text, steps = rules.explain(reason)
        return Diagnosis(kind="ses", category=rules.category(reason), reason=reason, reason_label=label,
                         case_owner=c["sender"], evidence=tuple(evidence), explanation=text, next_steps=steps)
    first = results[0]
    blocklist = rules.blocklist(first.diagnostic) if first.reason == "blocklisted" else ""
    label, text, steps = rules.explain(first.reason, blocklist)
    return Diagnosis(kind="ses", category=first.category, reason=first.reason, reason_label=label, status=first.status,
                     reply_code=first.reply_code, permanent=first.permanent, action=first.action,
                     diagnostic=first.diagnostic, remote_mta=first.remote_mta, reporting_mta=c["reporting_mta"],
                     arrival_date=c["arrival"], recipient=first.recipient, recipients=tuple(results), blocklist=blocklist,
                     case_owner=c["sender"], returned_from=c["sender"], returned_subject=c["subject"],
                     returned_message_id=c["message_id"], evidence=tuple(dict.fromkeys(evidence)),
                     explanation=text, next_steps=steps)

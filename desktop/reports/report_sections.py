"""The sections of the access report, one function per Art. 15 item. Each returns flowables.

All user and settings text goes through Writer (escaped, font fallback, visible markers).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether

from desktop.domain.dossier import (
    CASE_FIELDS,
    CATEGORIES,
    RECORD_PURPOSES,
    CaseRecord,
    Dossier,
    field_value,
)
from desktop.domain.models import RequestType, verification_label
from desktop.reports import report_text as T
from desktop.reports.blocks import Writer, day, gap, short, when

WIDTH = 174 * mm  # A4 minus 18 mm margins

CONSENT_KINDS = {"privacy_notice": "Privacy notice acknowledged", "marketing": "Marketing email consent"}
REQUEST_TYPES = {
    RequestType.ACCESS: "Access (a copy of your data)", RequestType.RECTIFICATION: "Correction",
    RequestType.ERASURE: "Deletion", RequestType.PORTABILITY: "Portable copy",
    RequestType.RESTRICTION: "Restriction", RequestType.OBJECTION: "Objection",
}
LONG_FIELDS = {"description", "technical_details", "resolution"}


def _value_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):
        return when(value)  # type: ignore[arg-type]
    return str(value)


def heading(w: Writer, number: int, title: str) -> list:
    return [CondPageBreak(40 * mm), w.fixed(f"{number}. {title}", w.s.h1)]


def summary(w: Writer, d: Dossier) -> list:
    out = heading(w, 1, "Summary")
    if not d.holds_data:
        out.append(w.fixed(T.NO_DATA))
    notes = sum(len(r.notes) for r in d.cases)
    changes = sum(len(r.changes) for r in d.cases)
    rows = [["What", "How many"],
            ["Support cases", str(len(d.cases))], ["Staff notes on your cases", str(notes)],
            ["Corrections and status changes", str(changes)], ["Consent records", str(len(d.consents))],
            ["Data-protection requests", str(len(d.requests))]]
    out.append(w.table(rows, [90 * mm, 30 * mm]))
    s = d.subject
    if s is not None:
        flags = []
        if s.restricted:
            flags.append(f"Use of your data is restricted since {when(s.restricted_at)}: we keep it but do "
                         "not use it.")
        if s.marketing_objected_at:
            flags.append(f"You objected to marketing email on {when(s.marketing_objected_at)}; we do not send it.")
        if s.on_hold:
            flags.append(f"A legal hold applies to your data since {when(s.legal_hold_at)}, because: "
                         f"{s.legal_hold_reason}. Held records are kept until the hold ends.")
        if flags:
            out.append(gap(2))
            out.extend(w.bullets(flags))
    return out


def case_fields_table(w: Writer, rec: CaseRecord) -> tuple[list, list]:
    """(table, long texts printed below it)."""
    rows: list[list] = [["Detail", "What we hold", "Why we hold it"]]
    below: list = []
    for f in CASE_FIELDS:
        value = _value_text(field_value(rec.case, f.key))
        if f.key in ("legal_hold_reason", "anonymised_at", "resolution", "closed_at") and value is None:
            continue
        if f.key in LONG_FIELDS and value is not None and (len(value) > 300 or "\n" in value):
            rows.append([f.label, w.shared("<i>full text below the table</i>", w.s.cell), f.purpose])
            style = w.s.mono if f.key == "technical_details" else w.s.body
            below.append(w.fixed(f.label, w.s.h3))
            below.extend(w.long(value, style))
            continue
        cell, cut = short(value)
        if cut:
            below.append(w.fixed(f"{f.label} (full text)", w.s.h3))
            below.extend(w.long(value))
        rows.append([f.label, cell or "— (not given)", f.purpose])
    return [w.table(rows, [36 * mm, 84 * mm, 54 * mm])], below


def one_case(w: Writer, d: Dossier, rec: CaseRecord) -> list:
    c = rec.case
    out: list = [CondPageBreak(60 * mm),
                 w.rich(f"Support case {c.id} \u2014 received {w.esc(day(c.received_at))}", w.s.h2)]
    table, below = case_fields_table(w, rec)
    out += table + below
    removal = (f"Scheduled removal: {when(rec.next_removal_at)} (rule: {_policy_name(d, rec.next_removal_policy)})."
               if rec.next_removal_at else "Scheduled removal: none scheduled at present"
               + (" (a legal hold applies)." if c.on_hold else "."))
    out.append(gap(1.5))
    out.append(w.fixed(removal, w.s.small))
    out.append(w.fixed(f"Staff notes ({len(rec.notes)})", w.s.h3))
    if not rec.notes:
        out.append(w.fixed("No notes.", w.s.small))
    for n in rec.notes:
        out.append(w.rich(f"{w.esc(when(n.at))}, by {w.esc(n.staff)}:", w.s.small))
        out.extend(w.long(n.body))
    out.append(w.fixed(f"Change history ({len(rec.changes)})", w.s.h3))
    if not rec.changes:
        out.append(w.fixed("No corrections or status changes have been recorded for this case.", w.s.small))
    labels = {f.key: f.label for f in CASE_FIELDS}
    for ch in rec.changes:
        ref = f" (request {w.esc(ch.request_ref)})" if ch.request_ref else ""
        out.append(w.rich(f"{w.esc(when(ch.at))}, {w.esc(ch.staff)} changed "
                          f"<b>{w.esc(labels.get(ch.field, ch.field))}</b>{ref}. Before:", w.s.small))
        out.extend(w.long(ch.old_value, empty="(empty)"))
        out.append(w.fixed("After:", w.s.small))
        out.extend(w.long(ch.new_value, empty="(empty)"))
    return out


def _policy_name(d: Dossier, key: str | None) -> str:
    labels = {p.key: p.label for p in d.retention}
    return labels.get(key or "", (key or "retention policy").replace("_", " ").replace("-", " "))


def your_data(w: Writer, d: Dossier, progress=None) -> list:
    out = heading(w, 2, "A copy of your data")
    if not d.cases:
        out.append(w.fixed("We hold no support cases about you."))
        return out
    out.append(w.fixed(T.DATA_INTRO))
    out.append(w.rich(f"Email address this report covers: {w.esc(d.email)}", w.s.body))
    for i, rec in enumerate(d.cases, 1):
        out += one_case(w, d, rec)
        if progress:
            progress(0.1 + 0.5 * i / len(d.cases), f"case {i} of {len(d.cases)}")
    return out


def consents(w: Writer, d: Dossier) -> list:
    out = heading(w, 3, "Your consents and acknowledgements")
    if not d.consents:
        return out + [w.fixed("We hold no consent records about you.")]
    rows: list[list] = [["What", "Notice version", "Given", "Withdrawn", "Source", "Case"]]
    for c in d.consents:
        rows.append([CONSENT_KINDS.get(c.kind, c.kind), c.version or "—", when(c.given_at),
                     when(c.withdrawn_at, "not withdrawn"), c.source or "—", str(c.case_id or "—")])
    out.append(w.table(rows, [36 * mm, 40 * mm, 30 * mm, 30 * mm, 24 * mm, 14 * mm]))
    return out


def requests(w: Writer, d: Dossier) -> list:
    out = heading(w, 4, "Your data-protection requests")
    if not d.requests:
        return out + [w.fixed("No requests are recorded.")]
    rows: list[list] = [["Reference", "Type", "Received", "Status", "Identity checked", "Outcome"]]
    for r in d.requests:
        verified = (f"{when(r.verified_at)} ({verification_label(r.verification_method)})"
                    if r.verified_at else "not yet")
        outcome = r.outcome or r.refusal_reason or ("completed " + when(r.completed_at) if r.completed_at else "—")
        rows.append([r.ref, REQUEST_TYPES.get(r.type, str(r.type)), when(r.received_at),
                     r.status.value.replace("_", " "), verified, short(outcome)[0]])
    out.append(w.table(rows, [26 * mm, 30 * mm, 28 * mm, 20 * mm, 36 * mm, 34 * mm]))
    return out


def purposes(w: Writer, d: Dossier) -> list:
    out = heading(w, 5, "Why we hold your data (purposes)")
    out.append(w.fixed("We use your data only to handle your support request and, if you agreed, to send "
                       "you marketing email. Here is the purpose of each detail:"))
    rows: list[list] = [["Detail", "Purpose"]]
    rows += [[f.label, f.purpose] for f in CASE_FIELDS]
    rows += [[name, purpose] for name, purpose, _cat in RECORD_PURPOSES]
    out.append(w.table(rows, [55 * mm, 119 * mm]))
    return out


def categories(w: Writer, d: Dossier) -> list:
    out = heading(w, 6, "Categories of data")
    rows: list[list] = [["Category", "What it covers"]] + [[c, text] for c, text in CATEGORIES]
    out.append(w.table(rows, [55 * mm, 119 * mm]))
    return out


def recipients(w: Writer, d: Dossier) -> list:
    org = d.organisation
    out = heading(w, 7, "Who receives your data")
    out.append(w.fixed(T.RECIPIENTS_INTRO))
    if org.recipients:
        rows: list[list] = [["Recipient", "Purpose", "Country", "Safeguard for transfers"]]
        rows += [[r.name, r.purpose, r.country, r.safeguard] for r in org.recipients]
        out.append(w.table(rows, [40 * mm, 62 * mm, 28 * mm, 44 * mm]))
    else:
        out.append(w.fixed("We do not share your data with anyone else."))
    if org.transfer_safeguards:
        out.append(gap(2))
        out.append(w.rich("<b>Transfers outside your country:</b> " + w.esc(org.transfer_safeguards)))
    return out


def retention(w: Writer, d: Dossier) -> list:
    out = heading(w, 8, "How long we keep your data")
    out.append(w.fixed(T.RETENTION_INTRO))
    rows: list[list] = [["Data", "How long", "Then", "Why"]]
    rows += [[p.label, p.period, p.action or "—", p.reason or "—"] for p in d.retention]
    out.append(w.table(rows, [42 * mm, 50 * mm, 22 * mm, 60 * mm]))
    if d.cases:
        out.append(w.fixed("When each of your records is next due to be removed:", w.s.h3))
        rows = [["Case", "Received", "Next removal", "Under which rule"]]
        for rec in d.cases:
            rows.append([str(rec.case.id), day(rec.case.received_at),
                         when(rec.next_removal_at, "not scheduled"
                              + (" (legal hold)" if rec.case.on_hold else "")),
                         _policy_name(d, rec.next_removal_policy) if rec.next_removal_at else "—"])
        out.append(w.table(rows, [20 * mm, 40 * mm, 50 * mm, 64 * mm]))
    return out


def rights(w: Writer, d: Dossier, ref: str) -> list:
    org = d.organisation
    out = heading(w, 9, "Your rights and how to use them")
    for title, text in T.RIGHTS:
        out.append(KeepTogether([w.fixed(title, w.s.h3), w.fixed(text)]))
    contact = org.contact_email or org.controller_name
    out.append(gap(1))
    out.append(w.rich(T.HOW_TO_EXERCISE.format(contact=f"<b>{w.esc(contact)}</b>", ref=f"<b>{w.esc(ref)}</b>")))
    if org.alternative_contact:
        out.append(w.rich("You can also contact: " + w.esc(org.alternative_contact)))
    if org.dpo_contact:
        out.append(w.rich("Our data protection officer: " + w.esc(org.dpo_contact)))
    return out


def complaint(w: Writer, d: Dossier) -> list:
    out = heading(w, 10, "Your right to complain")
    out.append(w.rich(T.COMPLAINT.format(authority=w.esc(d.organisation.supervisory_authority))))
    return out


def source(w: Writer, d: Dossier) -> list:
    out = heading(w, 11, "Where your data came from")
    out.append(w.fixed(d.organisation.data_source))
    channels = sorted({rec.case.channel.label for rec in d.cases})
    if channels:
        out.append(w.fixed("Your cases came to us by: " + ", ".join(channels) + "."))
    return out


def automated(w: Writer, d: Dossier) -> list:
    out = heading(w, 12, "Automated decision-making")
    out.append(w.fixed(T.AUTOMATED, w.s.h3))
    out.append(w.fixed(d.organisation.automated_decision_making))
    return out

"""Bounces without a delivery-status part: the plain-text forms of qmail, Exim, old Sendmail and
Postfix, Exchange/Outlook, Gmail, Yahoo, Lotus Domino, Novell and others.

The human-readable text is split per failed recipient; each recipient's zone (the lines after
its address, up to the next recipient) gives its error line, reply code and status code."""

from __future__ import annotations

import re

from desktop.domain.diagnosis.codes import ENHANCED, REPLY

ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
DAEMONS = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon|maildaemon|mailer_daemon|"
                     r"no-?reply|noreply-dmarc-support|bounces?|root|nobody|abuse|double-bounce)@", re.I)
# lines of a quoted header block or a URL are not where a failed recipient is named
NOT_RECIPIENT_LINE = re.compile(r"^\s*(?:>|from:|to:|cc:|reply-to:|sender:|return-path:|message-id:|"
                                r"received:|x-[\w-]+:|date:|subject:|envelope-from|mail from)", re.I)
REMOTE = [re.compile(p, re.I) for p in (
    r"\bhost\s+([A-Za-z0-9.-]+\.[A-Za-z]{2,})\s*\[[\d.:a-f]+\]\s*said",
    r"\bhost\s+([A-Za-z0-9.-]+\.[A-Za-z]{2,})\s*\[[\d.:a-f]+\]",
    r"(?:remote (?:host|server|mta)|generating server|reported by)\s*(?:said|returned|is)?[:\s]+\(?([A-Za-z0-9.-]+\.[A-Za-z]{2,})",
    r"\bconnected to ([\d.]+) but",
    r"\bdelivery to ([A-Za-z0-9.-]+\.[A-Za-z]{2,}) failed",
)]
BOILERPLATE = re.compile(
    r"(?:this is (?:the|an?) (?:mail|automatically|auto)|i'm sorry to (?:have to )?inform|could not be delivered to one or more|"
    r"please contact your system administrator|for further assistance|the mail system|delivery has failed to these recipients|"
    r"unable to deliver your message to the following|this message was created automatically|your message (?:did not|couldn't|could not) reach|"
    r"failed permanently|technical details of|if you do so, please include|you can delete your own text|"
    r"was undeliverable|delivery to the following recipient|the following (?:address|recipient)(?:es|s)? (?:had|failed)|"
    r"^\s*-+\s*$|^\s*$)", re.I)

# The opening sentences MTAs put at the top of their own non-delivery reports (their templates'
# wording: Postfix bounce(5) template, Exim's deliver.c, Sendmail's savemail.c, qmail-send, Courier,
# Exchange/Office 365, Gmail, Yahoo, Lotus Domino, GroupWise, MDaemon): a bounce pasted without its
# headers, or one from an MTA whose From/Subject we do not know, is still read as a bounce.
BOUNCE_BODY = re.compile(
    r"this is the mail system at host|i'm sorry to have to inform you that your message could not|"
    r"this message was created automatically by mail delivery software|"
    r"a message that you sent could not be delivered to one or more of its|"
    r"the original message was received at .{0,80}\n.{0,200}-+ ?the following address|"
    r"-+ ?the following addresses had permanent fatal errors|-+ ?transcript of session follows|"
    r"this is the qmail-send program at|i'm afraid i wasn't able to deliver your message|"
    r"your message to the following recipients cannot be delivered|"
    r"delivery has failed to these recipients or groups|your message did not reach some or all of the intended|"
    r"\*\* (?:address not found|message not delivered|message blocked) \*\*|"
    r"delivery to the following recipients? failed permanently|"
    r"sorry, we were unable to deliver your message to the following address|"
    r"the message that you sent was undeliverable to the following|"
    r"the attached message had permanent fatal delivery errors|"
    r"your message was not delivered to the following recipients|"
    r"could not be delivered to one or more recipients|unable to deliver (?:your )?message to the following",
    re.I | re.S)
RECIPIENT_ERROR = re.compile(r"^<[^<>\s]+@[^<>\s]+>:\s*\S")


def find_addresses(text: str, exclude: set[str]) -> list[str]:
    found: list[str] = []
    for line in text.splitlines():
        if NOT_RECIPIENT_LINE.match(line) or "http" in line.lower() and "@" not in line.split("http")[0]:
            continue
        for a in ADDRESS.findall(line):
            a = a.strip(".")
            low = a.lower()
            if low in exclude or DAEMONS.match(low) or low in (f.lower() for f in found):
                continue
            found.append(a)
    return found


def zones(text: str, recipients: list[str]) -> dict[str, str]:
    """The text that belongs to each recipient: from its first mention to the next recipient's."""
    positions = []
    low = text.lower()
    for r in recipients:
        i = low.find(r.lower())
        if i >= 0:
            positions.append((i, r))
    positions.sort()
    result = {}
    for n, (start, r) in enumerate(positions):
        end = positions[n + 1][0] if n + 1 < len(positions) else len(text)
        zone = text[start:end]
        # one recipient per block: when the zone is only the address, the error may come before it
        if not REPLY.search(zone) and not ENHANCED.search(zone) and len(zone.strip().splitlines()) <= 1:
            zone = text[:end]
        result[r] = zone
    return result


def error_lines(zone: str, max_lines: int = 4) -> list[str]:
    """The lines of a zone that carry a code, or else its first meaningful lines."""
    lines = [" ".join(line.split()) for line in zone.splitlines()]
    lines = [x for x in lines if x]
    coded = [x for x in lines if (REPLY.search(x) or ENHANCED.search(x)) and not NOT_RECIPIENT_LINE.match(x)]
    if coded:
        i = lines.index(coded[0])
        # keep a continuation line (Exim, Postfix fold the server's reply)
        picked = [coded[0]] + [x for x in lines[i + 1:i + 3] if not ADDRESS.fullmatch(x.strip("<>:"))
                               and not BOILERPLATE.search(x) and not NOT_RECIPIENT_LINE.match(x)]
        return picked[:max_lines]
    # Postfix/Exim name the recipient at the start of its error ('<a@b>: Name service error ... Host not'
    # folded onto '    found, try again'): read from that line, so the fold is not cut off by boilerplate
    folded = [i for i, x in enumerate(lines) if RECIPIENT_ERROR.match(x)]
    start = folded[0] if folded else 0
    meaningful = [x for x in lines[start:] if not BOILERPLATE.search(x) and not NOT_RECIPIENT_LINE.match(x)]
    return meaningful[:max_lines]


def remote_mta(text: str) -> str:
    for rx in REMOTE:
        m = rx.search(text)
        if m:
            return m.group(1).strip(".")
    return ""

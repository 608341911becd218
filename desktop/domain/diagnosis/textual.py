"""Bounces without a delivery-status part: the plain-text forms of qmail, Exim, old Sendmail and
Postfix, Exchange/Outlook, Gmail, Yahoo, Lotus Domino, Novell and others.

The human-readable text is split per failed recipient; each recipient's zone (the lines after
its address, up to the next recipient) gives its error line, reply code and status code."""

from __future__ import annotations

import re

from desktop.domain.diagnosis.codes import ENHANCED, REPLY
from desktop.domain.diagnosis.gates import may_match, row_gate

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
    r"could not be delivered to one or more recipients|unable to deliver (?:your )?message to the following|"
    r"the following message to <[^<>\s]+> was undeliverable|your message to \S+ couldn't be delivered|"
    # Exchange / Microsoft 365 NDR openings in other languages (de, fr, es, it, nl, pt, sv, da/no, ja)
    r"die (?:zustellung|übermittlung) an (?:diese|folgende) empfänger oder gruppen ist fehlgeschlagen|"
    r"ihre nachricht (?:an \S+ )?konnte nicht (?:zugestellt|übermittelt) werden|"
    r"la remise (?:aux destinataires ou groupes suivants|à ces destinataires ou groupes) a échoué|"
    r"votre message (?:à \S+ )?n'a pas pu être (?:remis|distribué)|"
    r"error en la entrega a (?:estos|los siguientes) destinatarios|no se pudo entregar (?:el|su) mensaje|"
    r"recapito non riuscito per (?:questi|i seguenti) destinatari|impossibile recapitare il messaggio|"
    r"uw bericht (?:aan \S+ )?(?:kan|kon) niet worden bezorgd|"
    r"de bezorging (?:bij|aan) (?:deze|de volgende) geadresseerden .{0,20}is mislukt|"
    r"falha na entrega (?:para|a) (?:estes|os seguintes) destinatários|"
    r"(?:a sua|sua) mensagem (?:para \S+ )?não (?:pôde|pode) ser entregue|"
    r"det gick inte att leverera till följande mottagare|levering til (?:disse|følgende) modtagere|"
    r"levering til (?:disse|følgende) mottakere|次の受信者またはグループへの配信に失敗しました",
    re.I | re.S)
RECIPIENT_ERROR = re.compile(r"^<[^<>\s]+@[^<>\s]+>:\s*\S")


def find_addresses(text: str, exclude: set[str]) -> list[str]:
    found: list[str] = []
    for line in text.splitlines():
        if "@" not in line:   # ADDRESS needs one: nothing to find (the tests below only skip lines)
            continue
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


# BOILERPLATE is all lower case: an ASCII line, lower-cased, is searched without re.I (same matches)
_BOILERPLATE_LOW = re.compile(BOILERPLATE.pattern) if BOILERPLATE.pattern == BOILERPLATE.pattern.lower() else None


def _boilerplate(line: str) -> bool:
    if _BOILERPLATE_LOW is not None and line.isascii():
        return _BOILERPLATE_LOW.search(line.lower()) is not None
    return BOILERPLATE.search(line) is not None


def _server_reply_first(lines: list[str]) -> int:
    """Where error_lines starts reading: 0, or, when the first coded line has no reply code (a code
    quoted in prose, "see DSN 5.7.129") and a later line does ("Remote server returned '550 5.7.129
    ..."), that later line: the server's own reply says more."""
    for i, x in enumerate(lines):
        if ("5" in x or "4" in x or "2" in x) and (REPLY.search(x) or ENHANCED.search(x)) \
                and not NOT_RECIPIENT_LINE.match(x):
            if REPLY.search(x):
                return 0
            return next((j for j in range(i + 1, len(lines))
                         if REPLY.search(lines[j]) and not NOT_RECIPIENT_LINE.match(lines[j])), 0)
    return 0


def error_lines(zone: str, max_lines: int = 4) -> list[str]:
    """The lines of a zone that carry a code, or else its first meaningful lines (each test stops
    at the lines it needs: the first coded line, the first max_lines meaningful ones)."""
    lines = [" ".join(line.split()) for line in zone.splitlines()]
    lines = [x for x in lines if x]
    lines = lines[_server_reply_first(lines):]
    for i, x in enumerate(lines):
        # both codes begin with 2, 4 or 5: a line without those digits is not searched
        if ("5" in x or "4" in x or "2" in x) and (REPLY.search(x) or ENHANCED.search(x)) \
                and not NOT_RECIPIENT_LINE.match(x):
            # keep a continuation line (Exim, Postfix fold the server's reply)
            picked = [x] + [y for y in lines[i + 1:i + 3] if not ADDRESS.fullmatch(y.strip("<>:"))
                            and not _boilerplate(y) and not NOT_RECIPIENT_LINE.match(y)]
            return picked[:max_lines]
    # Postfix/Exim name the recipient at the start of its error ('<a@b>: Name service error ... Host not'
    # folded onto '    found, try again'): read from that line, so the fold is not cut off by boilerplate
    start = next((i for i, x in enumerate(lines) if RECIPIENT_ERROR.match(x)), 0)
    meaningful: list[str] = []
    for x in lines[start:]:
        if len(meaningful) >= max_lines:
            break
        if not _boilerplate(x) and not NOT_RECIPIENT_LINE.match(x):
            meaningful.append(x)
    return meaningful


# the fixed words each REMOTE pattern needs (gates.py): an ASCII text without them is not searched
# (a case-insensitive search tries every position; a substring test is far cheaper)
_REMOTE_GATES = [row_gate([rx.pattern.lower()]) for rx in REMOTE]


def remote_mta(text: str) -> str:
    low = text.lower() if text.isascii() else None
    for rx, gate in zip(REMOTE, _REMOTE_GATES, strict=True):
        if low is not None and not may_match(gate, low):
            continue
        m = rx.search(text)
        if m:
            return m.group(1).strip(".")
    return ""


# a multi-line SMTP reply continues with "NNN-" and ends with "NNN " (RFC 5321 4.2.1)
_FIRST_OF_MANY = re.compile(r"^([245]\d\d)-")


def complete_reply(diag: str, human: str, max_lines: int = 12) -> str:
    """A Diagnostic-Code that holds only the first line of a multi-line reply ("550-Verification
    failed for <...>"; Sendmail keeps one line) completed from the session transcript in the bounce
    text, where the whole reply is quoted ("<<< 550-...", "<<< 550 Sender verify failed")."""
    m = _FIRST_OF_MANY.match(diag)
    if not m or not human or diag[:40] not in human:
        return diag
    code, head = m.group(1), diag[:40]
    lines = [x.strip().removeprefix("<<<").strip() for x in human.splitlines()]
    for i, line in enumerate(lines):
        if not line.startswith(head):
            continue
        parts = [line]
        for text in lines[i + 1:i + max_lines]:
            if not text.startswith(code):
                break
            parts.append(text)
            if text[3:4] != "-":   # "550 ...": the last line of the reply
                break
        if len(parts) > 1:
            return " ".join(parts)
    return diag

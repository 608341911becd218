"""The fixed, plain-language wording of the access report (Art. 12(1): concise, clear, plain).

Placeholders in {braces} are filled with escaped values by the sections module.
"""

INTRO = (
    "You asked us for a copy of the personal data we hold about you. This report is our answer. "
    "It contains every record we hold about you, why we hold it, who we share it with, how long we "
    "keep it, and what you can do about it. It is free of charge."
)

HOW_TO_READ = (
    "Section 1 is a short summary. Section 2 is a full copy of your data: each support case you "
    "opened with us, with every detail, our notes about it and the history of any corrections. "
    "Sections 3 to 12 explain what we do with your data and what your rights are. Dates and times "
    "are in Coordinated Universal Time (UTC)."
)

NO_DATA = (
    "We hold no support cases or consent records about you. The only information we keep is the "
    "record of your data-protection request(s) listed in section 4, which the law requires us to "
    "keep for a limited time."
)

RIGHTS = (
    ("Correct your data (rectification)",
     "If anything in this report is wrong or incomplete, tell us and we will correct it. We keep a "
     "record of who changed what and when."),
    ("Delete your data (erasure)",
     "You can ask us to delete your data. We will delete it securely unless the law requires us to "
     "keep part of it, and if so we will tell you which part and why."),
    ("Limit how we use your data (restriction)",
     "You can ask us to keep your data but stop using it, for example while we check a correction. "
     "Your cases then become read-only."),
    ("Object to how we use your data (objection)",
     "You can object to our use of your data. If you object to marketing email we stop at once and "
     "will not send it again."),
    ("Take your data with you (portability)",
     "You can ask for the data you gave us in a machine-readable file (JSON and spreadsheet-friendly "
     "CSV files in a zip archive), to keep or to give to another service."),
    ("Withdraw consent",
     "Where we rely on your consent (marketing email), you can withdraw it at any time, as easily as "
     "you gave it. This does not affect support."),
)

HOW_TO_EXERCISE = (
    "To use any of these rights, write to {contact}. Please quote the request reference {ref}. We "
    "answer within 30 days (under GDPR, within one month, which can be extended by two further "
    "months for complex requests, in which case we tell you why within the first month). We may ask "
    "you to confirm your identity before we act, to protect your data. Using your rights is free."
)

COMPLAINT = (
    "If you are unhappy with how we handle your data, you have the right to complain to a data "
    "protection supervisory authority, without first complaining to us: {authority}"
)

AUTOMATED = "Do we make automated decisions about you, including profiling?"

RETENTION_INTRO = (
    "We keep your data only as long as we need it for the purpose it was collected for. Each kind "
    "of data has its own period, set out below. After that, it is deleted or anonymised "
    "(anonymised means everything that identifies you is removed; only statistics such as the type "
    "of problem and dates remain). A legal hold, where the law requires us to keep a record, pauses "
    "removal for the held record only."
)

RECIPIENTS_INTRO = (
    "These are the organisations (or kinds of organisation) that may receive personal data from us, "
    "what for, and where they are. Marketing services only receive your data if you agreed to "
    "marketing email."
)

CHARACTERS_MISSING = (
    "Some characters in your data could not be displayed with the fonts in this report. They are "
    "shown as their Unicode code instead, for example [U+0E01], so that nothing is hidden: {codes}."
)

CHARACTERS_CONTROL = (
    "Some of your data contains invisible characters (control, formatting or text-direction "
    "characters). They are shown as their Unicode code, for example [U+202E], so that the text reads "
    "exactly as stored: {codes}."
)

DATA_INTRO = (
    "Below is every support case we hold that is linked to you, with every detail we recorded. "
    "The column \u201cWhy we hold it\u201d explains the purpose of each detail."
)

FOOTER_NOTE = "Personal and confidential"

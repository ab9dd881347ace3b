"""What co-producers read: the email (HTML and text) and the SMS of every event type, in
French and English. Pure: plain values in, strings out.

Every event type of chalicelib/domain/events.py has a template in every locale (a test
fails otherwise). Templates use only the `data` that REQUIRED_DATA names. The HTML is built
from the same paragraphs as the text, each HTML-escaped as a whole, so no value reaches the
HTML unescaped. SMS are plain GSM-7 (basic set, no extension characters) and at most 160
characters: a long film title is shortened, never the end of the message.

Money, counts and months are written by the `Formats` the caller passes (the notifier's is
Babel's, adapters/formats.py): the domain stays free of locale data.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from chalicelib.domain import events
from chalicelib.domain.perks import title_in
from chalicelib.domain.royalties import parse_period

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
SMS_MAX = 160
BRAND = "Coprod"

# The GSM 03.38 basic character set (no escape/extension table: those count twice).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_REPLACEMENTS = {
    "€": "EUR", "’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-",
    "…": "...", "œ": "oe", "Œ": "OE", "\u00a0": " ", "\u202f": " ", "ç": "c", "[": "(", "]": ")",
    "{": "(", "}": ")", "~": "-", "^": "", "\\": "/", "|": "/",
}

STAGE_LABELS = {
    "fr": {"development": "développement", "pre_production": "préproduction", "shooting": "tournage",
           "post_production": "postproduction", "released": "sortie"},
    "en": {"development": "development", "pre_production": "pre-production", "shooting": "shooting",
           "post_production": "post-production", "released": "release"},
}


@dataclass(frozen=True)
class Template:
    subject: str
    paragraphs: tuple[str, ...]
    sms: str


@dataclass(frozen=True)
class Email:
    subject: str
    html: str
    text: str


def locale_of(value: str | None) -> str:
    return value if value in LOCALES else DEFAULT_LOCALE


@dataclass(frozen=True)
class Formats:
    """How a locale writes numbers: `money(cents, locale)` ("1 250,00 €", "€1,250.00"),
    `count(value, locale)` ("1 000", "1,000") and `month(year, month, locale)` ("novembre 2026")."""

    money: Callable[[int, str], str]
    count: Callable[[int, str], str]
    month: Callable[[int, int, str], str]


def _period(text: str, locale: str, formats: Formats) -> str:
    """A royalty period "2026-11" as the month it is; anything else as it is."""
    try:
        year, month = parse_period(text)
    except ValueError:
        return text
    return formats.month(year, month, locale)


def _casting(selected: Any, locale: str) -> str:
    if locale == "fr":
        return "Vous êtes retenu(e) !" if selected else "Votre candidature n'a pas été retenue cette fois."
    return "You have been selected!" if selected else "You were not selected this time."


def values(event: events.Event, locale: str, formats: Formats) -> dict[str, str]:
    """The event's data as display strings for `locale` (money, counts, months, stage names)."""
    data: Mapping[str, Any] = event.data
    out = {name: str(value) for name, value in data.items()}
    for name, value in data.items():
        if name.endswith("_cents") and isinstance(value, int):
            out[name.removesuffix("_cents")] = formats.money(value, locale)
    for name in ("count", "coproducer_count", "refunded_pledges", "percent"):
        if isinstance(data.get(name), int):
            out[name] = formats.count(data[name], locale)
    if isinstance(data.get("period"), str):
        out["period"] = _period(data["period"], locale, formats)
    if "perk_title" in data:  # a default perk's title in the reader's language
        out["perk_title"] = title_in(str(data.get("kind", "")), str(data["perk_title"]), locale)
    for name in ("stage", "previous_stage"):
        if name in data:
            out[name] = STAGE_LABELS[locale].get(str(data[name]), str(data[name]))
    if "selected" in data:
        out["outcome"] = _casting(data["selected"], locale)
    if "payouts_enabled" in data:
        out["payout_state"] = PAYOUT_STATES[locale][bool(data["payouts_enabled"])]
    return out


T = Template
TEMPLATES: dict[str, dict[str, Template]] = {
    events.FUNDING_MILESTONE: {
        "fr": T("« {title} » a atteint {percent} % de son objectif",
                ("Bonne nouvelle : « {title} » a atteint {percent} % de son objectif.",
                 "{raised} collectés sur {goal}. Merci d'en faire partie !"),
                "{brand}: \"{title}\" a atteint {percent}% de son objectif ({raised} sur {goal})."),
        "en": T("\"{title}\" reached {percent}% of its goal",
                ("Good news: \"{title}\" reached {percent}% of its goal.",
                 "{raised} raised of {goal}. Thank you for being part of it!"),
                "{brand}: \"{title}\" reached {percent}% of its goal ({raised} of {goal})."),
    },
    events.COPRODUCER_MILESTONE: {
        "fr": T("« {title} » compte {count} coproducteurs",
                ("« {title} » compte désormais {count} coproducteurs.",
                 "Merci de faire grandir le film avec eux !"),
                "{brand}: \"{title}\" compte {count} coproducteurs. Merci !"),
        "en": T("\"{title}\" has {count} co-producers",
                ("\"{title}\" now has {count} co-producers.", "Thank you for growing the film with them!"),
                "{brand}: \"{title}\" now has {count} co-producers. Thank you!"),
    },
    events.CAMPAIGN_FUNDED: {
        "fr": T("« {title} » est financé !",
                ("La campagne de « {title} » est réussie : {raised} collectés sur {goal}, "
                 "par {coproducer_count} coproducteurs.", "Le film entre en production. Merci !"),
                "{brand}: \"{title}\" est finance ! {raised} sur {goal}. Merci !"),
        "en": T("\"{title}\" is funded!",
                ("The campaign of \"{title}\" succeeded: {raised} raised of {goal}, "
                 "by {coproducer_count} co-producers.", "The film goes into production. Thank you!"),
                "{brand}: \"{title}\" is funded! {raised} of {goal}. Thank you!"),
    },
    events.CAMPAIGN_FAILED: {
        "fr": T("« {title} » n'a pas atteint son objectif",
                ("La campagne de « {title} » s'est terminée à {raised} sur {goal}.",
                 "Vos contributions sont remboursées ({refunded_pledges} remboursements)."),
                "{brand}: \"{title}\" n'a pas atteint son objectif. Vous etes rembourse(e)."),
        "en": T("\"{title}\" did not reach its goal",
                ("The campaign of \"{title}\" ended at {raised} of {goal}.",
                 "Your pledges are refunded ({refunded_pledges} refunds)."),
                "{brand}: \"{title}\" did not reach its goal. Your pledge is refunded."),
    },
    events.STAGE_CHANGED: {
        "fr": T("« {title} » : étape {stage}",
                ("« {title} » passe de l'étape {previous_stage} à l'étape {stage}.",),
                "{brand}: \"{title}\" passe a l'etape {stage}."),
        "en": T("\"{title}\": {stage}",
                ("\"{title}\" moved from {previous_stage} to {stage}.",),
                "{brand}: \"{title}\" moved to {stage}."),
    },
    events.PERK_UNLOCKED: {
        "fr": T("« {title} » : {perk_title} débloqué",
                ("Un avantage de coproducteur de « {title} » est débloqué : {perk_title}.",),
                "{brand}: \"{title}\": {perk_title} debloque pour vous."),
        "en": T("\"{title}\": {perk_title} unlocked",
                ("A co-producer perk of \"{title}\" is unlocked: {perk_title}.",),
                "{brand}: \"{title}\": {perk_title} unlocked for you."),
    },
    events.CASTING_DECIDED: {
        "fr": T("« {title} » : casting {call_title}",
                ("Casting « {call_title} » de « {title} » : {outcome}",),
                "{brand}: \"{title}\", casting {call_title}: {outcome}"),
        "en": T("\"{title}\": casting {call_title}",
                ("Casting \"{call_title}\" of \"{title}\": {outcome}",),
                "{brand}: \"{title}\", casting {call_title}: {outcome}"),
    },
    events.ROYALTY_STATEMENT: {
        "fr": T("Votre relevé de droits {period}",
                ("Votre relevé de droits pour {period} est disponible : {credited} crédités.",
                 "Solde : {balance}."),
                "{brand}: releve de droits {period} : {credited} credites, solde {balance}."),
        "en": T("Your royalty statement for {period}",
                ("Your royalty statement for {period} is available: {credited} credited.",
                 "Balance: {balance}."),
                "{brand}: royalty statement {period}: {credited} credited, balance {balance}."),
    },
}

PAYOUT_STATES = {"fr": {True: "peut recevoir vos droits", False: "ne peut plus recevoir vos droits"},
                 "en": {True: "can receive your royalties", False: "can no longer receive your royalties"}}
TEMPLATES[events.PAYOUT_ACCOUNT_CHANGED] = {
    "fr": T("Votre compte de versement a changé",
            ("Votre compte de versement Stripe {payout_state}.",
             "Si vous n'êtes pas à l'origine de ce changement, écrivez-nous sans attendre."),
            "{brand}: votre compte de versement {payout_state}."),
    "en": T("Your payout account changed",
            ("Your Stripe payout account {payout_state}.",
             "If you did not make this change, write to us at once."),
            "{brand}: your payout account {payout_state}."),
}

TEMPLATES[events.YEARLY_STATEMENT] = {
    "fr": T("Votre relevé annuel de droits {year} est prêt",
            ("Votre relevé annuel de droits pour {year} est prêt : {credited} crédités dans l'année.",
             "Retrouvez-le dans votre espace coproducteur, en PDF ou en CSV.",
             "Ce relevé liste des faits ; il ne constitue pas un conseil fiscal."),
            "{brand}: votre releve annuel de droits {year} est pret ({credited} credites)."),
    "en": T("Your {year} yearly royalty statement is ready",
            ("Your yearly royalty statement for {year} is ready: {credited} credited in the year.",
             "Find it in your co-producer space, as a PDF or a CSV file.",
             "This statement lists facts; it is not tax advice."),
            "{brand}: your {year} yearly royalty statement is ready ({credited} credited)."),
}

TEMPLATES[events.FILM_UPDATE] = {
    "fr": T("« {title} » : {update_title}",
            ("Des nouvelles de l'équipe de « {title} » :", "{update_title}", "{body}"),
            "{brand}: nouvelles de \"{title}\" : {update_title}"),
    "en": T("\"{title}\": {update_title}",
            ("News from the team of \"{title}\":", "{update_title}", "{body}"),
            "{brand}: news from \"{title}\": {update_title}"),
}

FOOTER = {
    "fr": ("Vous recevez ce message parce que vous êtes coproducteur sur {brand}.",
           "Ne plus recevoir d'e-mails : {unsubscribe_url}"),
    "en": ("You receive this message because you are a co-producer on {brand}.",
           "Stop these emails: {unsubscribe_url}"),
}
UNSUBSCRIBE_LABEL = {"fr": "Ne plus recevoir d'e-mails", "en": "Stop these emails"}


def template(event_type: str, locale: str) -> Template:
    return TEMPLATES[event_type][locale_of(locale)]


def _fill(text: str, fields: Mapping[str, str]) -> str:
    return text.format_map({**fields, "brand": BRAND})


def render_email(event: events.Event, locale: str, unsubscribe_url: str, formats: Formats) -> Email:
    locale = locale_of(locale)
    tpl, fields = template(event.event_type, locale), values(event, locale, formats)
    subject = " ".join(_fill(tpl.subject, fields).split())  # no line breaks in a header
    paragraphs = [_fill(p, fields) for p in tpl.paragraphs]
    notice, unsubscribe = (_fill(line, {"unsubscribe_url": unsubscribe_url}) for line in FOOTER[locale])
    text = "\n\n".join([*paragraphs, "--", notice, unsubscribe]) + "\n"
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    page = (
        f'<!DOCTYPE html><html lang="{locale}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head><body>"
        f"<h1>{html.escape(subject)}</h1>{body}<hr>"
        f'<p style="font-size:small">{html.escape(notice)}<br>'
        f'<a href="{html.escape(unsubscribe_url, quote=True)}">{html.escape(UNSUBSCRIBE_LABEL[locale])}</a>'
        f"</p></body></html>"
    )
    return Email(subject=subject, html=page, text=text)


def gsm7(text: str) -> str:
    """`text` in the GSM-7 basic set: known look-alikes replaced, other accents dropped."""
    out = []
    for char in text:
        if char in GSM7_BASIC:
            out.append(char)
        elif char in _GSM7_REPLACEMENTS:
            out.append(_GSM7_REPLACEMENTS[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append("".join(c if c in GSM7_BASIC else "?" for c in base) if base else "?")
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC for char in text)


def _shorten(text: str, size: int) -> str:
    return text if len(text) <= size else text[: max(0, size - 3)].rstrip() + "..."


def render_sms(event: events.Event, locale: str, formats: Formats) -> str:
    """At most 160 GSM-7 characters; the film title (then the other text fields) shortened.
    Money's no-break spaces become plain ones, "€" becomes "EUR" (not in GSM-7's basic set)."""
    locale = locale_of(locale)
    tpl, fields = template(event.event_type, locale), values(event, locale, formats)
    euro = "EUR" if locale == "fr" else "EUR "  # "1 250,00 EUR", "EUR 1,250.00"
    fields = {name: gsm7(value.replace("€", euro)) for name, value in fields.items()}
    message = gsm7(_fill(tpl.sms, fields))
    for name in ("title", "perk_title", "call_title", "outcome", "period", "update_title"):
        excess = len(message) - SMS_MAX
        if excess <= 0 or name not in fields:
            continue
        fields[name] = _shorten(fields[name], max(8, len(fields[name]) - excess))
        message = gsm7(_fill(tpl.sms, fields))
    return _shorten(message, SMS_MAX)


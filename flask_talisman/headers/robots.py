"""X-Robots-Tag (the crawlers' indexing rules, as Google and Bing read them).

The directives are those Google's "Robots meta tag, data-nosnippet, and
X-Robots-Tag specifications" and Bing's robots meta tag documentation name.
A directive may start with a crawler's user agent token (``googlebot:
noindex``); by Google's reading the token applies to the directives after
it, up to the next token. The normal form puts the directives for every
crawler first and writes the token before each directive it applies to,
so the header means the same to a crawler that reads a token as applying
to one directive only.
"""

from __future__ import annotations

import re
from datetime import datetime
from difflib import get_close_matches
from email.utils import parsedate_to_datetime

from ..errors import ConfigurationError, check_header_text, suggest, type_error
from .base import Header, Option, Resolved, header

__all__ = ["DIRECTIVES", "OPTIONS", "check_x_robots_tag", "headers"]

#: The directives that stand alone.
FLAGS = (
    "all",
    "noindex",
    "nofollow",
    "none",
    "noarchive",
    "nosnippet",
    "notranslate",
    "noimageindex",
    "indexifembedded",
    "nocache",
)
IMAGE_PREVIEWS = ("none", "standard", "large")
#: The directives that take a value, with what the value is.
VALUED = {
    "max-snippet": "a number of characters (0: no snippet, -1: no limit)",
    "max-image-preview": "none, standard or large",
    "max-video-preview": "a number of seconds (0: a still image, -1: no limit)",
    "unavailable_after": "a date such as 2027-11-03 or 3 Nov 2027 15:00:00 GMT",
}
#: Every directive name, for "did you mean".
DIRECTIVES = (*FLAGS, *VALUED)
_VALID = (
    ", ".join(FLAGS) + "; max-snippet: <n>, max-image-preview: none|standard|large, "
    "max-video-preview: <n>, unavailable_after: <date>"
)
_TOKEN = re.compile(r"[a-z0-9_-]+\Z")
_NUMBER = re.compile(r"-?[0-9]+\Z")
#: 2027-11-03, 2027-11-03T15:00, 2027-11-03T15:00:00.250Z, ...T15:00:00+01:00.
_ISO_8601 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{3}(?:[0-9]{3})?)?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?)?\Z"
)
_WEEKDAYS = frozenset(
    day[:length]
    for day in (
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    )
    for length in (3, len(day))
)


def _in(text: str, where: str) -> str:
    """``'noindx'``, or ``'noindx' in 'noindx, nofollow'`` for a part."""
    return repr(text) if repr(text) == where else f"{text!r} in {where}"


def _date(option: str, text: str, where: str) -> str:
    # In a str, "Wednesday, 3 Nov 2027" is split at the comma, leaving the day.
    if "," in text or text.lower() in _WEEKDAYS:
        raise ConfigurationError(
            f"{option}: the date in {where} has a comma, which crawlers read "
            "as the end of the directive. Write it without one: leave out the "
            "weekday ('3 Nov 2027 15:00:00 GMT') or use ISO 8601 ('2027-11-03')."
        )
    try:
        if _ISO_8601.match(text):
            # The same dates on every Python (3.10's fromisoformat has no "Z").
            datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] == "Z" else text)
        else:
            parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ConfigurationError(
            f"{option}: {_in(text, where)} is not a date, and crawlers "
            "ignore unavailable_after without one. Write ISO 8601 "
            "('2027-11-03' or '2027-11-03T15:00:00Z') or RFC 822 "
            "('3 Nov 2027 15:00:00 GMT')."
        ) from None
    return text


def _value(option: str, name: str, text: str, where: str) -> str:
    """The normal form of the value of the directive ``name``."""
    if name == "unavailable_after":
        return _date(option, text, where)
    lowered = text.lower()
    if name == "max-image-preview":
        if lowered in IMAGE_PREVIEWS:
            return lowered
    elif _NUMBER.match(text) and int(text) >= -1:
        return str(int(text))
    hint = suggest(lowered, IMAGE_PREVIEWS) if name == "max-image-preview" else ""
    raise ConfigurationError(
        f"{option}: {_in(text, where)} is not a value of {name}.{hint} "
        f"Write {name}: followed by {VALUED[name]}."
    )


def _unknown(option: str, word: str, where: str, bot: str | None) -> str:
    if f"no{word}" in FLAGS:
        fix = (
            " It is what crawlers do by default, and none of them reads it: "
            f"leave it out (no{word} does the opposite)."
        )
    elif bot is not None and (close := get_close_matches(bot, VALUED, n=1)):
        # "max-snipet: 50" reads as the crawler max-snipet and directive 50.
        fix = f" Did you mean '{close[0]}: {word}'?"
    else:
        fix = suggest(word, DIRECTIVES) or f" Valid: {_VALID}."
    return f"{option}: {_in(word, where)} is not a robots directive.{fix}"


def _directive(option: str, item: str, where: str) -> tuple[str | None, str]:
    """``(crawler or None, directive)`` from ``[crawler:] directive[: value]``."""
    first, colon, rest = (part.strip() for part in item.partition(":"))
    bot = None
    if colon and first.lower() not in VALUED:
        bot = first.lower()
        if bot in FLAGS:
            raise ConfigurationError(
                f"{option}: {_in(item, where)}: {first} takes no value. "
                "Separate directives with ', ' ('noindex, nofollow'); a name "
                "before ':' is a crawler's ('googlebot: noindex')."
            )
        if not _TOKEN.match(bot):
            raise ConfigurationError(
                f"{option}: {_in(first, where)} is not a crawler's user agent "
                "token (letters, digits, '-' and '_', such as googlebot or "
                "bingbot)."
            )
        if not rest:
            raise ConfigurationError(
                f"{option}: {_in(item, where)} names a crawler but no "
                f"directive. Write one after it: '{bot}: noindex'."
            )
        item = rest
        first, colon, rest = (part.strip() for part in item.partition(":"))
    name = first.lower()
    if name in FLAGS and not colon:
        return bot, name
    if name in FLAGS:
        raise ConfigurationError(
            f"{option}: {_in(item, where)}: {name} takes no value; write "
            f"{name!r} alone."
        )
    if name in VALUED and colon and rest:
        return bot, f"{name}: {_value(option, name, rest, where)}"
    if name in VALUED:
        raise ConfigurationError(
            f"{option}: {_in(item, where)} has no value. Write {name}: "
            f"followed by {VALUED[name]}."
        )
    raise ConfigurationError(_unknown(option, name or item, where, bot))


def check_x_robots_tag(option: str, value: object) -> str | None:
    """Return the header value (directives joined by ``", "``) or ``None``.

    ``value`` is a str of comma-separated directives or a list (or tuple) of
    directives, each optionally after a crawler's token (``googlebot:``).
    """
    if value is None or value is False or value == "" or value in ([], ()):
        return None
    items: list[str]
    if isinstance(value, str):
        check_header_text(option, value)
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if not isinstance(item, str):
                raise type_error(option, item, "each directive as a str")
            check_header_text(option, item)
            if "," in item and "unavailable_after" not in item.lower():
                raise ConfigurationError(
                    f"{option}: {item!r} in {value!r} holds a comma, which "
                    "would end the directive. Give each directive as its own "
                    "item: ['noindex', 'nofollow']."
                )
            items.append(item)
    else:
        raise type_error(
            option, value, "a str such as 'noindex, nofollow', or a list of str"
        )
    where = repr(value)
    if any(";" in item for item in items):
        raise ConfigurationError(
            f"{option}: {value!r} holds a ';'. Robots directives are separated "
            "by ', ', as in 'noindex, nofollow'."
        )
    everyone: list[str] = []
    crawlers: list[str] = []
    scope: str | None = None
    for item in items:
        if not item.strip():
            raise ConfigurationError(
                f"{option}: {value!r} has an empty directive. Separate "
                "directives with single commas: 'noindex, nofollow'."
            )
        bot, directive = _directive(option, item, where)
        if isinstance(value, str):  # a token applies up to the next one
            bot = scope = bot if bot is not None else scope
        rendered = directive if bot is None else f"{bot}: {directive}"
        found = everyone if bot is None else crawlers
        if rendered not in found:
            found.append(rendered)
    return ", ".join(everyone + crawlers)


def headers(o: Resolved) -> list[Header]:
    """``X-Robots-Tag``, on HTTPS and plain-HTTP responses alike."""
    return header("X-Robots-Tag", o["x_robots_tag"])


OPTIONS = (
    Option(
        "x_robots_tag",
        None,
        check_x_robots_tag,
        "X-Robots-Tag, e.g. 'noindex, nofollow'.",
        header="X-Robots-Tag",
        example='"noindex, nofollow"',
        section="More headers",
        details=(
            "``X-Robots-Tag``, which asks search engines not to index or show a "
            'response: ``"noindex, nofollow"`` on admin views, or app-wide on a '
            "staging site. A string of comma-separated directives or a list of "
            "them, from ``all``, ``noindex``, ``nofollow``, ``none``, "
            "``noarchive``, ``nosnippet``, ``notranslate``, ``noimageindex``, "
            "``indexifembedded``, ``nocache``, ``max-snippet: <n>``, "
            "``max-image-preview: none|standard|large``, "
            "``max-video-preview: <n>`` and ``unavailable_after: <date>`` (ISO "
            "8601 or RFC 822, without a comma), in upper or lower case. A "
            "directive may start with a crawler's token: "
            '``"googlebot: noindex"``. In a string the token applies to the '
            "directives after it, up to the next token; in a list, to its own "
            "item. The header lists the directives for every crawler first, "
            "then each crawler's, token before each, in lower case: "
            '``"googlebot: noindex, nofollow"`` gives '
            "``googlebot: noindex, googlebot: nofollow``. It is not a way to keep "
            "a page secret: crawlers that ignore it still see the page."
        ),
    ),
)

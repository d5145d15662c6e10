"""The cleaning rules, as named data a reader can scan.

Each rule names what it recognises; ``clean.py`` applies them in order. Patterns match a whole
line after normalisation (NFC, white space collapsed, trimmed) and are case-insensitive unless
the rule says otherwise. None of them mentions a document: they describe page furniture that
recurs across news sites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property


@dataclass(frozen=True)
class LineRule:
    """A line that is page furniture: removed and reported under ``name``."""

    name: str
    patterns: tuple[str, ...]
    language: str = "fr"  # "en" marks untranslated English furniture (a quality flag)
    compiled: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regexes = tuple(re.compile(p, re.IGNORECASE) for p in self.patterns)
        object.__setattr__(self, "compiled", regexes)

    def matches(self, line: str) -> bool:
        return any(regex.fullmatch(line) for regex in self.compiled)


@dataclass(frozen=True)
class MetadataRule:
    """A line that carries metadata: removed from the text, its named groups kept."""

    name: str
    pattern: str
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", re.compile(self.pattern))

    def extract(self, line: str) -> dict[str, str] | None:
        found = self.compiled.fullmatch(line)
        if found is None:
            return None
        return {key: value for key, value in found.groupdict().items() if value}


@cache
def furniture_pattern(line_rules: tuple[LineRule, ...]) -> re.Pattern[str]:
    """One case-insensitive pattern for ``line_rules``, group ``r<i>`` for the i-th rule.

    Alternatives are tried in order, so the group of a full match names the first rule that
    matches the line, as testing the rules one after the other would: one scan, not dozens.
    """
    alternatives = (
        f"(?P<r{index}>{'|'.join(f'(?:{pattern})' for pattern in rule.patterns)})"
        for index, rule in enumerate(line_rules)
    )
    return re.compile("|".join(alternatives), re.IGNORECASE)


FURNITURE_RULES: tuple[LineRule, ...] = (
    LineRule("share_button", (r"partagez", r"partager( sur \S+)?", r"imprimer", r"envoyer")),
    LineRule("share_button_en", (r"share( on \S+)?", r"tweet", r"print"), language="en"),
    LineRule("front_page_promo", (r"à la une (du|de|sur) .+", r"à découvrir (sur|aussi) .+")),
    LineRule(
        "comment_furniture",
        (
            r"vos réactions",
            r"réagir",
            r"laisser un commentaire",
            r"règles de bonne conduite\b.*",
            r"(\d+ )?commentaires?",
        ),
    ),
    LineRule(
        "comment_furniture_en",
        (r"leave a reply", r"please enter your (comment|name|email)( address)?( here)?!?"),
        language="en",
    ),
    LineRule("app_banner_en", (r"download the app:?", r"get the app"), language="en"),
    LineRule("app_banner", (r"téléchargez l'application.*", r"téléchargez l’application.*")),
    LineRule("language_switch_en", (r"read in english",), language="en"),
    LineRule("advertisement", (r"publicité", r"pub")),
    LineRule("advertisement_en", (r"-? ?advertisement ?-? ?(spot_img)?",), language="en"),
    LineRule("template_placeholder", (r"spot_img", r"\{\{ ?\w+ ?\}\}")),
    LineRule(
        "related_links",
        (
            r"(à )?lire aussi\b.*",
            r"voir aussi\b.*",
            r"sur le même sujet",
            r"doit lire",
            r"plus d['’]articles",
            r"dernières nouvelles",
            r"passez en revue",
            r"articles? similaires?",
        ),
    ),
    LineRule("related_links_en", (r"must read", r"more articles", r"latest news"), language="en"),
)

METADATA_RULES: tuple[MetadataRule, ...] = (
    MetadataRule(
        "dateline",
        r"Publié le (?P<published>.+?)"
        r"(?: (?:-|,|\|)? ?(?:Modifié|Mis à jour) le (?P<modified>.+))?",
    ),
    MetadataRule(
        "date_stamp_reading_time",
        r"(?:date (?P<date_stamp>\d{4}-\d{2}(?:-\d{2})?) ?)?"
        r"Temps de lecture(?: estimé)? ?: ?(?P<reading_time>\d+ ?min(?:utes?)?)",
    ),
    MetadataRule("date_stamp", r"date (?P<date_stamp>\d{4}-\d{2}(?:-\d{2})?)"),
    MetadataRule("agency_credit", r"(?P<credit>AFP|Reuters|AP|Belga|ATS|DPA|ANSA|EFE)"),
    MetadataRule(
        "byline", r"Par (?P<byline>[A-ZÀ-Ý][\w'’-]+(?: [A-ZÀ-Ý][\w'’-]+){0,3})(?: \(\w+\))?"
    ),
)

# A line no metadata rule matches does not match this union of them (its groups unnamed, as
# two rules name a group alike): one scan rejects it.
METADATA_SCREEN = re.compile(
    "|".join(f"(?:{re.sub(r'[(][?]P<[^>]+>', '(?:', rule.pattern)})" for rule in METADATA_RULES)
)


@cache
def line_screen(line_rules: tuple[LineRule, ...]) -> re.Pattern[str]:
    """``furniture_pattern(line_rules)`` (case-insensitive), else the metadata screen (group
    ``metadata``, case-sensitive): the one scan a kept line gets. Tried in that order, so a
    line both could match is furniture, as when the rules are tried one after the other."""
    furniture = furniture_pattern(line_rules).pattern
    return re.compile(f"(?i:{furniture})|(?P<metadata>{METADATA_SCREEN.pattern})")


# A block (lines without a blank between them) opened by a temperature is a weather banner;
# a date inside it is the day the page was scraped, never the publication date.
WEATHER_BANNER_OPENER = re.compile(r"-?\d+(?:[.,]\d+)? ?°? ?[CF]")
BANNER_DATE = re.compile(
    r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), )?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r" \d{1,2}, \d{4}"
)

# The furniture rules whose lines are untranslated English (a quality flag when removed).
ENGLISH_FURNITURE: frozenset[str] = frozenset(
    rule.name for rule in FURNITURE_RULES if rule.language == "en"
)

# A block opened by one of these lines is a list of links to other articles: removed whole.
RELATED_BLOCK_OPENER = re.compile(
    r"(?:sur le même sujet|(?:à )?lire aussi|voir aussi|articles? liés?)\b.*", re.IGNORECASE
)

# A block opened by this line is the share-button list ("Partager cet article : Courriel, …
# Yahoo!"): removed whole, whatever its last button is.
SHARE_BLOCK_OPENER = re.compile(r"partager cet article ?:?", re.IGNORECASE)

# A block whose first line this does not match opens no special block (it is the union of the
# three openers above): one scan a block, and for most documents no opener to look for.
BLOCK_OPENERS_SCREEN = re.compile(
    f"{WEATHER_BANNER_OPENER.pattern}|(?i:{RELATED_BLOCK_OPENER.pattern}|{SHARE_BLOCK_OPENER.pattern})"
)

# A dash-led name after a quotation attributes it ("— Christian Estrosi"): content, even short.
ATTRIBUTION_LINE = re.compile(r"[—–] ?\w.*")

BULLET_PREFIX = re.compile(r"[•·▪●◦‣-] ?")

SENTENCE_END = re.compile(r"[.!?…]['’\"”»]?$")

# Quality flags raised on kept text: (name, pattern, what it means).
QUALITY_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "mt_number_placeholder",
        # The word that holds the placeholder. A match may only start where a word starts:
        # `\w*XNUM\w*` alone rescanned a long word from each of its letters (quadratic).
        re.compile(r"(?<!\w)\w*XNUM\w*"),
        "machine-translation placeholder left in a number",
    ),
    (
        "english_kicker",
        re.compile(r"^(?P<kicker>[A-Z][A-Z' ]{2,}[A-Z]) [-–—] "),
        "upper-case kicker before the text, kept; check its language",
    ),
)

# Literals of which every match of a quality pattern holds one: a line with none of them is not
# scanned (a substring search is ~70 times faster than the pattern's scan of a line without a
# match). A pattern anchored at the line's start has none: its first try fails at once, sooner
# than three substring searches through a line that holds a character outside Latin-1.
QUALITY_LITERALS: dict[str, tuple[str, ...]] = {
    "mt_number_placeholder": ("XNUM",),
}

# Words whose presence marks a line or kicker as English (a lexical signal, not a detector).
ENGLISH_MARKERS: frozenset[str] = frozenset(
    {
        "the", "and", "of", "to", "in", "for", "on", "with", "your", "you", "here", "please",
        "enter", "reply", "leave", "read", "download", "app", "more", "news", "latest", "must",
        "tests", "test", "thaw", "talks", "summit", "advertisement",
    }
)  # fmt: skip

TITLE_MAX_WORDS = 30
SUBHEADING_MAX_WORDS = 8
TRAILING_FURNITURE_MAX_WORDS = 4


@dataclass(frozen=True)
class SpacingRule:
    """A space left by an extraction step, deleted inside a line (group ``drop`` is removed).

    Every match holds one of ``literals``: a line with none of them is not scanned (the
    patterns open with a look-behind or a word boundary, which sre tries at every position).
    """

    name: str
    pattern: str
    literals: tuple[str, ...]
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", re.compile(self.pattern, re.IGNORECASE))


# Wiki-link removal leaves a space where a link ended ("Fillon , le", "2016 . –") or began
# ("l' AFP", "( Drôme )"). French typography keeps its space before ; : ! ? and inside « »,
# which these rules never touch, and no-break spaces are never deleted.
SPACING_RULES: tuple[SpacingRule, ...] = (
    SpacingRule(
        "space_before_comma_or_period", r"(?<=\S)(?P<drop> )(?=[,.](?:\s|$))", (" ,", " .")
    ),
    SpacingRule(
        "space_after_elision",
        r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’](?P<drop> )(?=\w)",
        ("' ", "’ "),
    ),
    SpacingRule("space_inside_parentheses", r"(?<=\()(?P<drop> )|(?P<drop2> )(?=\))", ("( ", " )")),
)

# Wikinews page furniture that WiNER's extraction left in the text (the rules were written
# on the 2016 articles of WiNER-fr, so figures on those articles are in-sample for cleaning).
WIKINEWS_FURNITURE: tuple[LineRule, ...] = (
    # "Évènements du 20 août 2016": the link to the day's portal page.
    LineRule("wikinews_day_portal", (r"[ée]v[èé]nements du \d{1,2}(er)? \w+ \d{4}",)),
    # "Fichier:Tom Simpson memorial.jpg ...": an image reference, not a caption.
    LineRule("wikinews_file_reference", (r"fichier ?:.*",)),
    # "— Donald Trump, Président élu.": the attribution stub of a quote box that was dropped.
    LineRule("wikinews_quote_box_stub", (r"[—–] ?[A-ZÀ-Ý][^«»“”\"]{0,100}",)),
)


@dataclass(frozen=True)
class Profile:
    """What a corpus gets beyond the common rules."""

    spacing: tuple[SpacingRule, ...] = ()
    furniture: tuple[LineRule, ...] = ()
    # A related-links opener alone in its block ("Sur le même sujet Tour de France 2016")
    # heads the list in the next block: both are removed.
    related_list_follows: bool = False
    share_blocks: bool = False

    @cached_property
    def line_rules(self) -> tuple[LineRule, ...]:
        """The common furniture rules, then the profile's, in the order they are tried."""
        return FURNITURE_RULES + self.furniture

    @cached_property
    def line_pattern(self) -> re.Pattern[str]:
        """``line_screen(line_rules)``, kept here: its cache key hashes every rule."""
        return line_screen(self.line_rules)


# Which optional rules a corpus gets. "news" is the default: the seeds' spacing is what their
# publishers printed, so it is kept; "wikinews" repairs the artefacts of WiNER's extraction and
# removes Wikinews page furniture.
PROFILES: dict[str, Profile] = {
    "news": Profile(),
    "wikinews": Profile(
        spacing=SPACING_RULES,
        furniture=WIKINEWS_FURNITURE,
        related_list_follows=True,
        share_blocks=True,
    ),
}
DEFAULT_PROFILE = "news"

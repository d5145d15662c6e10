"""`rules`: quotation extraction and attribution by hand-written rules over the spaCy parse.

1. Quoted segments: every pair of quotation marks in the forms the sources use (« », “ ”,
   " ", mixed pairs such as " ”), within a paragraph; an opening mark never closed ends at the
   end of its paragraph (guidelines D13).
2. Cues: tokens whose lemma is in the reporting-verb lexicon :data:`REPORTING_VERBS` (a table:
   lemma -> the complements it takes; a first-group form the lemmatiser leaves as it is,
   "estime", is taken for its verb), and "selon". Forms that report no one's words are no
   cues (:func:`_no_speaker_form`): an infinitive after "à" ("À noter que", "c'est-à-dire"),
   a passive participle with no agent ("il est estimé que", "ils sont appelés à voter"), a
   participle with no auxiliary ("accusés de", "X, qualifié pour"). A sentence opening with
   "Selon X," or "Pour X," (X a name, a pronoun, or followed by a quotation mark) reports the
   clause after the comma (past an apposition: "Pour le député X, soutien de Y, ...").
   In text order, each cue is
   - a *clause* cue when a "que"/"qu'" follows it closely, or an infinitive its table row
     allows ("a promis d'accroître", "exhorté M. Biden à organiser", "déclaré être",
     "affirme aussi ne pas renoncer"): the reported clause runs from there to the end of the
     clause (:func:`clause_end`: a semicolon, a dash, a colon opening a quotation, a comma
     before a new cue, a contrast or a gloss such as "c'est-à-dire");
   - an *incise* when only auxiliaries, adverbs and clitics separate it from a comma before it
     (", a-t-il dit", "», a déclaré le président russe", ", selon X"): the clause before the
     comma (after a colon in it, "France : ...") is the quotation when it has a finite verb;
     or from the closing mark of a quotation that opens its sentence ("« ... » explique X");
     a participle with its agent ("« ... », promise par le gouvernement") takes the quoted
     words alone;
   - otherwise a candidate for a quoted segment that follows it in the sentence ("a qualifié
     les pourparlers de “très constructifs”").
   The kind follows the marks: no mark -> indirect; a clause that is exactly one quoted segment
   (or opens with one after a colon) -> direct; a clause holding a quoted fragment -> mixed (a
   segment running past the end of the clause goes on as a direct quotation, settled case S5).
3. Segments left over: a quotation with no cue when it stands in a title or standfirst, after
   "NP :" (that NP is the speaker), or when it has at least :data:`MIN_DIRECT_WORDS` words;
   anything shorter is taken for scare quotes.
4. Speakers (:func:`find_speaker`), first found: after an incise cue, the inverted clitic
   ("a-t-il dit" -> "il") or the inverted subject ("a déclaré le président russe"); after
   "selon", its object, and for "selon lequel/laquelle" the first name of the sentence (D15);
   for a participle cue ("..., ajoutant que"), the speaker of the nearest earlier cue of the
   sentence (D11); after a participle with its agent, the agent; for an infinitive after "à X
   de" ("a permis à la ministre de déclarer"), X; the word just before the cue and its
   auxiliaries (found up to :data:`MAX_AUXILIARY_GAP` words before a participle) when it is a
   name, a subject pronoun or a noun the parser calls subject; the cue's nsubj in the parse
   (climbing conj, xcomp, advcl and acl links); the last name before the cue in the sentence.
   A name inside the subject noun phrase is the speaker (D10), otherwise the noun phrase
   (with its determiner and complements) or the pronoun.
5. speaker_entity_id (:func:`resolve`): a name is linked to the inventory by the name-matching
   linker, with the noun it qualifies when alone it links to nothing ("le comité Nobel"), and
   so is a noun phrase holding a capitalised word ("l'Unédic"); a text's named author speaks
   for it (:data:`DOCUMENT_NOUNS`: "un rapport de l'IGPN"); a person or organisation in
   apposition ending a longer mention is its speaker ("la ministre du travail Myriam El
   Khomri"); a plural or indefinite noun phrase ("les experts", "un responsable de ...") and a
   plural pronoun have none; a singular noun phrase seen in apposition to a name in the
   available texts ("le président russe Vladimir Poutine") gets that name's entity; other
   pronouns and noun phrases are resolved to the most recent compatible person: the latest,
   before the cue, of the earlier quotations' sources that are persons and of the PER names
   (spaCy) in subject position outside quotation contents; failing that, the latest PER name
   outside quotation contents, then anywhere. A quotation with no speaker takes the source of
   the quotation before it (in a title or standfirst: the document's most frequent source).
6. utterance_id: quotations of all predicted documents are clustered by TF-IDF cosine
   similarity of their contents (character 3-5-grams, scikit-learn), linking two quotations of
   the same speaker entity when the similarity reaches a threshold chosen on the training
   split's gold quotations (the value with the best pairwise F1; ties go to the highest).

Revision and freeze (issue 18). The rules were revised with the train split alone as their
development set (all of it: the rules learn nothing); no text, gold annotation or score of a
test document was looked at. The patterns added are general French reporting speech (see
above), each tested on sentences built for it. They were frozen at commit db3ca55
(:data:`FROZEN_AT`), and the test split was scored once, after that commit; later commits
may change this text, never the rules (a test compares the code with that commit's).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from propos.baselines.common import (
    Document,
    Parsed,
    Tok,
    empty_prediction,
    fold,
    load_gold,
    load_inventory,
    make_span,
    number_ids,
    parse,
    sanitize,
)
from propos.baselines.linker import inventory_index
from propos.corpus import Corpus
from propos.schema import QUOTATION_MARKS

FROZEN_AT = "db3ca55"
"""The commit at which the rules were frozen, before the test split was scored."""

# ---------------------------------------------------------------- the lexicon (named data)

QUE = "que"  # takes a "que"/"qu'" clause
DE = "de"  # takes "de" + infinitive
A = "à"  # takes "à" + infinitive
INF = "inf"  # takes a bare infinitive ("déclaré être")

REPORTING_VERBS: dict[str, frozenset[str]] = {
    fold(lemma): frozenset(frames)
    for lemma, frames in (
        ("accuser", {DE}),
        ("admettre", {QUE, INF}),
        ("affirmer", {QUE, INF}),
        ("ajouter", {QUE}),
        ("annoncer", {QUE, INF}),
        ("appeler", {A}),
        ("assurer", {QUE, INF}),
        ("avertir", {QUE}),
        ("avouer", {QUE, INF}),
        ("commenter", set()),
        ("comparer", set()),
        ("conclure", {QUE}),
        ("confier", {QUE}),
        ("considérer", {QUE}),
        ("couper", set()),
        ("croire", {QUE}),
        ("déclarer", {QUE, INF}),
        ("demander", {QUE, DE, A}),
        ("démentir", {QUE}),
        ("déplorer", {QUE}),
        ("désigner", set()),
        ("dire", {QUE, INF}),
        ("écrire", {QUE}),
        ("estimer", {QUE, INF}),
        ("évoquer", set()),
        ("exhorter", {A}),
        ("expliquer", {QUE}),
        ("indiquer", {QUE}),
        ("insister", {QUE}),
        ("juger", {QUE}),
        ("jurer", {QUE, DE}),
        ("lancer", set()),
        ("marteler", {QUE}),
        ("menacer", {DE}),
        ("nier", {QUE, INF}),
        ("noter", {QUE}),
        ("parler", set()),
        ("penser", {QUE}),
        ("plaider", set()),
        ("poursuivre", set()),
        ("préciser", {QUE}),
        ("prévenir", {QUE}),
        ("promettre", {QUE, DE}),
        ("proposer", {DE}),
        ("qualifier", set()),
        ("raconter", {QUE}),
        ("rapporter", {QUE}),
        ("reconnaître", {QUE, INF}),
        ("regretter", {QUE}),
        ("relever", {QUE}),
        ("répéter", {QUE}),
        ("répliquer", {QUE}),
        ("répondre", {QUE}),
        ("résumer", set()),
        ("souligner", {QUE}),
        ("soutenir", {QUE}),
        ("suggérer", {QUE, DE}),
    )
}
"""Reporting verbs by lemma (accents folded): the complements that make a reported clause.
Every verb of the table is also a cue for a direct quotation."""

SELON = "selon"
POUR = "pour"
STRESSED_PRONOUNS = frozenset({"lui", "elle", "eux", "elles"})
MAX_FRONTED_SOURCE = 12
"""At most this many tokens in a source put first ("Selon les médias locaux, ...")."""
RELATIVE_AFTER_SELON = frozenset({"lequel", "laquelle", "lesquels", "lesquelles"})

CLAUSE_BREAKS: tuple[tuple[str, ...], ...] = (
    ("bien", "que"),
    ("bien", "qu'"),
    ("bien", "qu’"),
    ("alors", "que"),
    ("alors", "qu'"),
    ("alors", "qu’"),
    ("tandis", "que"),
    ("ce", "que"),
    ("ce", "qui"),
    ("mais",),
    ("sur", "fond"),
)
"""Words after a comma that end a reported clause (the journalist's words go on)."""

GLOSSES = ("c'est-a-dire", "autrement dit", "soit ")
"""A comma followed by one of these ends a reported clause: the journalist explains it."""

CONNECTIVES = frozenset(
    {"par ailleurs", "en outre", "de plus", "enfin", "toutefois", "cependant", "en revanche"}
)
"""A sentence opening with one of these and a comma: the reported clause starts after it."""

SKIPPED_BEFORE_SUBJECT = frozenset(
    {"mercredi", "mardi", "jeudi", "lundi", "vendredi", "samedi", "dimanche", "aussi", "encore"}
    | {"toutefois", "également", "ensuite", "enfin", "alors", "m.", "mme", "hier", "ainsi"}
)
"""Words skipped between an incise cue and its inverted subject."""

AUXILIARY_LEMMAS = frozenset({"avoir", "etre"})
PREVERBAL_CLITICS = frozenset(
    {"lui", "leur", "se", "s'", "s’", "ne", "n'", "n’", "y", "en", "nous"}
)
SUBJECT_PRONOUNS = frozenset({"il", "elle", "ils", "elles", "on", "qui"})
INVERTED_CLITICS = {"-il": "il", "-elle": "elle", "-ils": "ils", "-elles": "elles", "-on": "on"}
SINGULAR_PRONOUNS = frozenset({"il", "elle", "lui", "qui", "celui-ci", "celle-ci"})
PLURAL_PRONOUNS = frozenset({"ils", "elles", "on", "nous", "eux"})
PRONOUN_WORDS = SINGULAR_PRONOUNS | PLURAL_PRONOUNS
NO_SOURCE_DETERMINERS = frozenset({"un", "une", "des", "les", "certains", "plusieurs", "d'autres"})
HEADLINE_ROLES = frozenset({"title", "standfirst"})
DOCUMENT_NOUNS = frozenset(
    fold(noun)
    for noun in (
        "rapport", "communiqué", "étude", "note", "chiffre", "donnée", "statistique",
        "estimation", "prévision", "enquête", "sondage", "bilan", "document", "lettre",
        "avis",
    )
)  # fmt: skip
"""Nouns of texts, figures and opinions: their named author is the source ("un rapport de
l'IGPN", "Ce n'est pas l'avis de X : ...")."""
SOURCE_TYPES = frozenset({"PER", "ORG"})
"""Entity types a name inside a longer speaker mention may have (not "le préfet du Var")."""
COMPLEMENT_WORDS = frozenset({"de", "du", "d'", "d’", "des"})
QUE_WORDS = frozenset({"que", "qu'", "qu’"})
NEGATION_WORDS = frozenset({"ne", "n'", "n’", "pas", "plus", "jamais", "point", "guère"})
OBJECT_CLITICS = frozenset(
    {"se", "s'", "s’", "le", "la", "l'", "l’", "les", "lui", "leur", "y", "en"}
    | {"me", "m'", "m’", "te", "t'", "t’", "nous", "vous"}
)
DE_WORDS = frozenset({"de", "d'", "d’"})

MIN_DIRECT_WORDS = 4
"""A quoted segment with no cue is a quotation from this many words on (else scare quotes)."""
MAX_QUE_GAP = 10
"""At most this many tokens between a cue and its "que" ("a indiqué mercredi que")."""
MAX_INFINITIVE_GAP = 14
MAX_CONTROLLER_GAP = 10
"""At most this many tokens in "à X" before the "de" of an infinitive cue."""
MAX_AUXILIARY_GAP = 8
"""At most this many tokens between an auxiliary and its participle ("avait dès le lendemain
appelé")."""
MAX_CUE_BEFORE_SEGMENT = 30
"""A cue this many tokens at most before a quoted segment of its sentence."""

OPENING_MARKS = "«“„‹"
CLOSING_MARKS = "»”›"
STRAIGHT_MARK = '"'
assert set(OPENING_MARKS + CLOSING_MARKS + STRAIGHT_MARK) == set(QUOTATION_MARKS)

THRESHOLDS = tuple(round(0.05 * n, 2) for n in range(1, 20))
"""Candidate similarity thresholds for the utterance clustering, tried on train."""


# ---------------------------------------------------------------- quoted segments


@dataclass
class Segment:
    open: int
    close: int
    closed: bool
    used_until: int = -1
    done: bool = False

    def __post_init__(self) -> None:
        self.used_until = self.open + 1

    def words(self, text: str) -> int:
        return len(text[self.used_until : self.close].split())


def find_segments(text: str, paragraphs: Sequence[tuple[int, int, str]]) -> list[Segment]:
    segments = []
    for start, end, _ in paragraphs:
        opened = None
        for i in range(start, end):
            char = text[i]
            if opened is None:
                if char in OPENING_MARKS or char == STRAIGHT_MARK:
                    opened = i
            elif char in CLOSING_MARKS or char == STRAIGHT_MARK:
                segments.append(Segment(opened, i, True))
                opened = None
        if opened is not None:
            segments.append(Segment(opened, end, False))
    return segments


# ---------------------------------------------------------------- cues


FIRST_GROUP_ENDINGS = ("aient", "ait", "ant", "ent", "ées", "és", "ée", "é", "es", "e")
"""Endings of first-group (-er) verb forms, for the forms the lemmatiser leaves as they are
("estime", "demande", "indique" come back as their own lemma)."""


def _first_group_lemma(word: str) -> str | None:
    for ending in FIRST_GROUP_ENDINGS:
        folded = fold(ending)
        if word.endswith(folded) and len(word) > len(folded) + 2:
            return word[: -len(folded)] + "er"
    return None


def cue_lemma(tok: Tok) -> str | None:
    if tok.lower == SELON:
        return SELON
    if tok.pos in ("VERB", "AUX"):
        for candidate in (fold(tok.lemma), fold(tok.text)):
            if candidate in REPORTING_VERBS:
                return candidate
        guess = _first_group_lemma(fold(tok.text))
        if guess in REPORTING_VERBS and fold(tok.lemma) == fold(tok.text):
            return guess
    if tok.text[:1].isupper() and tok.pos in ("PROPN", "NOUN", "ADJ", "X", "VERB"):
        low = fold(tok.text)  # title-case headline verbs ("Qualifie")
        for suffix in ("ent", "es", "e"):
            if low.endswith(suffix) and low[: -len(suffix)] + "er" in REPORTING_VERBS:
                return low[: -len(suffix)] + "er"
    return None


def _is_aux(tok: Tok) -> bool:
    return tok.pos == "AUX" or (fold(tok.lemma) in AUXILIARY_LEMMAS and tok.pos == "VERB")


def _is_infinitive(tok: Tok) -> bool:
    return tok.pos in ("VERB", "AUX") and tok.morph.get("VerbForm") == "Inf"


def _is_gerund(tok: Tok) -> bool:
    return tok.pos == "VERB" and tok.morph.get("VerbForm") == "Part" and tok.lower.endswith("ant")


def _is_past_participle(tok: Tok) -> bool:
    return tok.morph.get("VerbForm") == "Part" and not _is_gerund(tok)


def _no_speaker_form(parsed: Parsed, cue: Tok) -> bool:
    """A verb form that reports no one's words: an infinitive after "à" ("À noter que", "il
    est à noter que", "c'est-à-dire"), a passive participle with no agent ("ils sont appelés à
    voter", "il est estimé que") or a participle with no auxiliary ("accusés de", "X, qualifié
    pour"; participles sharing an auxiliary, "a exhorté ... et déclaré", have one)."""
    tokens = parsed.tokens
    if _is_infinitive(cue):
        before = [t for t in tokens[max(0, cue.i - 2) : cue.i] if t.text != "-"]
        return bool(before) and before[-1].lower == "à"
    if not _is_past_participle(cue) or cue.pos not in ("VERB", "AUX"):
        return False
    if _has_agent(tokens, cue):
        return False  # the agent is the speaker: "promise par le gouvernement"
    aux = _auxiliary_before(tokens, cue)
    if aux is None:
        return not _coordinated(tokens, cue)
    return fold(tokens[aux].lemma) != "avoir" and not _reflexive_before(tokens, aux)


def _has_agent(tokens: Sequence[Tok], cue: Tok) -> bool:
    """A past participle followed by its agent ("« ... », promise par le gouvernement")."""
    following = tokens[cue.i + 1] if cue.i + 1 < len(tokens) else None
    return _is_past_participle(cue) and following is not None and following.lower == "par"


def _auxiliary_before(tokens: Sequence[Tok], participle: Tok) -> int | None:
    """The auxiliary of a past participle, up to :data:`MAX_AUXILIARY_GAP` tokens before it
    ("avait dès le lendemain appelé"), not past a comma or another verb."""
    for tok in reversed(tokens[max(0, participle.i - MAX_AUXILIARY_GAP) : participle.i]):
        if tok.sentence != participle.sentence or tok.text in (",", ";", ":", "."):
            return None
        if _is_aux(tok):
            return tok.i
        if tok.pos == "VERB" and tok.text[:1].isalpha():  # the tagger calls "‘" a verb
            return None
    return None


def _coordinated(tokens: Sequence[Tok], participle: Tok) -> bool:
    """Does "et"/"ou" come just before the participle (adverbs aside)?"""
    j = participle.i - 1
    while j >= 0 and tokens[j].pos == "ADV" and tokens[j].sentence == participle.sentence:
        j -= 1
    return j >= 0 and tokens[j].sentence == participle.sentence and tokens[j].lower in ("et", "ou")


def _reflexive_before(tokens: Sequence[Tok], aux: int) -> bool:
    """Is the auxiliary "être" of a reflexive verb ("s'est dit", "se sont déclarés")?"""
    for tok in reversed(tokens[max(0, aux - 3) : aux]):
        if tok.lower in ("se", "s'", "s’", "me", "m'", "m’", "nous", "vous"):
            return True
        if tok.lower not in NEGATION_WORDS and tok.pos != "PRON":
            return False
    return False


def _is_finite_verb(tok: Tok) -> bool:
    return tok.pos == "VERB" and not _is_aux(tok) and tok.morph.get("VerbForm") == "Fin"


# ---------------------------------------------------------------- the document-level state


@dataclass
class Found:
    start: int
    end: int
    kind: str
    cue: int | None
    speaker: tuple[int, int] | None = None
    headline: bool = False
    via: str = ""
    source_from: Found | None = None


@dataclass
class State:
    parsed: Parsed
    segments: list[Segment]
    found: list[Found] = field(default_factory=list)
    consumed: list[tuple[int, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.parsed.text

    @property
    def tokens(self) -> list[Tok]:
        return self.parsed.tokens

    def segment_at(self, offset: int) -> Segment | None:
        for segment in self.segments:
            if segment.open <= offset < segment.close + (1 if segment.closed else 0):
                return segment
        return None

    def inside_segment(self, offset: int) -> bool:
        return any(s.open < offset < s.close for s in self.segments)

    def sentence_end(self, sentence: int) -> int:
        last = self.parsed.sentence_tokens(sentence)[-1]
        return self.tokens[last].end

    def sentence_start(self, sentence: int) -> int:
        return self.tokens[self.parsed.sentence_tokens(sentence)[0]].start

    def add(self, quote: Found) -> None:
        if quote.end <= quote.start:
            return
        self.found.append(quote)
        self.consumed.append((quote.start, quote.end))


def _next_char(text: str, offset: int) -> int:
    while offset < len(text) and text[offset].isspace():
        offset += 1
    return offset


def _tokens_from(state: State, offset: int) -> int:
    """Index of the first token starting at or after ``offset``."""
    for tok in state.tokens:
        if tok.start >= offset:
            return tok.i
    return len(state.tokens)


# ---------------------------------------------------------------- clause boundaries


def clause_end(state: State, start: int, first_comma: bool = False) -> int:
    """Where a reported clause starting at ``start`` ends (exclusive character offset)."""
    tokens = state.tokens
    first = _tokens_from(state, start)
    if first >= len(tokens):
        return len(state.text)
    sentence = tokens[first].sentence
    end = state.sentence_end(sentence)
    for i in range(first, len(tokens)):
        tok = tokens[i]
        if tok.sentence != sentence:
            break
        if state.inside_segment(tok.start):
            continue
        if tok.text in (";", "–", "—") or (tok.text == "-" and i > first):
            return tok.start
        if tok.text == ":" and i > first and _opens_segment_after(state, tok.end):
            return tok.start
        if tok.text == ",":
            before = state.text[: tok.start].rstrip()
            if before and before[-1] in CLOSING_MARKS + STRAIGHT_MARK and i > first:
                return tok.start
            following = [fold(t.text) for t in tokens[i + 1 : i + 3]]
            if any(tuple(following[: len(b)]) == b for b in CLAUSE_BREAKS):
                return tok.start
            if _gloss_follows(state.text, tok.end):
                return tok.start
            if any(cue_lemma(t) for t in tokens[i + 1 : i + 4] if t.sentence == sentence):
                return tok.start
            if first_comma:
                return tok.start
        if tok.lower == "et" and i + 1 < len(tokens):
            nxt = next((t for t in tokens[i + 1 : i + 4] if not _is_aux(t)), None)
            if nxt is not None and (cue_lemma(nxt) or _is_gerund(nxt)):
                return tok.start
    return end


def _gloss_follows(text: str, offset: int) -> bool:
    """Does a gloss of the journalist's ("c'est-à-dire ...") follow ``offset``?"""
    ahead = fold(text[offset : offset + 20]).lstrip().replace("’", "'")
    return ahead.startswith(GLOSSES)


def _opens_segment_after(state: State, offset: int) -> bool:
    """Does a quoted segment open right after ``offset`` (a colon introducing a quotation)?"""
    following = _next_char(state.text, offset)
    return any(segment.open == following for segment in state.segments)


def _strip_closing(text: str, start: int, end: int) -> int:
    """A mixed quotation ending on a quoted fragment stops before its closing mark (D23)."""
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:!?…"):
        end -= 1
    if end > start and text[end - 1] in CLOSING_MARKS + STRAIGHT_MARK:
        end -= 1
    return end


def _clause_start(state: State, comma: Tok) -> int:
    start = state.sentence_start(comma.sentence)
    for _, quote_end in state.consumed:
        if quote_end <= comma.start and quote_end > start:
            start = _next_char(state.text, quote_end + 1)
    for tok in state.parsed.tokens[_tokens_from(state, start) : comma.i]:
        if tok.text == ":" and not state.inside_segment(tok.start):
            start = _next_char(state.text, tok.end)  # "France : le chômage ..., selon X"
    head = state.text[start : comma.start]
    for connective in CONNECTIVES:
        if fold(head[: len(connective) + 1]) == connective + ",":
            start = _next_char(state.text, start + len(connective) + 1)
    return start


# ---------------------------------------------------------------- the three cue patterns


def _complement(state: State, cue: Tok, lemma: str) -> tuple[str, int] | None:
    """("que", offset after it) or ("inf", offset of the infinitive) when the cue has one."""
    tokens = state.tokens
    frames = REPORTING_VERBS.get(lemma, frozenset())
    if QUE in frames:
        for tok in tokens[cue.i + 1 : cue.i + 2 + MAX_QUE_GAP]:
            if (
                tok.sentence != cue.sentence
                or tok.text in (",", ";", ":", ".")
                or tok.text in QUOTATION_MARKS
            ):
                break
            if fold(tok.text) in QUE_WORDS:
                return QUE, _next_char(state.text, tok.end)
            if _is_finite_verb(tok) or (tok.pos == "VERB" and tok.i > cue.i + 1):
                break
    if frames & {DE, A, INF}:
        window = tokens[cue.i + 1 : cue.i + 1 + MAX_INFINITIVE_GAP]
        for position, tok in enumerate(window):
            if tok.sentence != cue.sentence or tok.text in (".", ";", ":"):
                break
            if position == 0 and INF in frames:
                start = _bare_infinitive(state, cue)
                if start is not None:
                    return INF, start
            word = fold(tok.text)
            if (word in DE_WORDS and DE in frames) or (tok.lower == "à" and A in frames):
                rest = tokens[tok.i + 1 : tok.i + 4]
                target = next((t for t in rest if t.pos != "PRON"), None)
                if target is not None and _is_infinitive(target):
                    return INF, rest[0].start
            if _is_finite_verb(tok):
                break
    return None


def _bare_infinitive(state: State, cue: Tok) -> int | None:
    """Where a bare infinitive after the cue starts ("déclaré être", "affirme aussi ne pas
    renoncer", "dit pourtant l'avoir vu"): adverbs are skipped, while a negation or a clitic
    opens the reported clause."""
    start = None
    for tok in state.tokens[cue.i + 1 : cue.i + 1 + MAX_INFINITIVE_GAP]:
        if tok.sentence != cue.sentence:
            return None
        if _is_infinitive(tok):
            return tok.start if start is None else start
        if tok.lower in NEGATION_WORDS or (tok.pos == "PRON" and tok.lower in OBJECT_CLITICS):
            start = tok.start if start is None else start
        elif tok.pos != "ADV" or start is not None:
            return None
    return None


def _incise_comma(state: State, cue: Tok) -> Tok | None:
    """The comma before an incise cue (only auxiliaries, adverbs and clitics between), or the
    closing mark of a quotation the cue follows with no comma ("« ... » explique X")."""
    if _is_gerund(cue):
        return None
    j = cue.i - 1
    while j >= 0 and state.tokens[j].paragraph == cue.paragraph:
        tok = state.tokens[j]
        if tok.text == "," or _closing_mark_of_sentence_quote(state, tok):
            return tok
        if _is_aux(tok) or tok.pos == "ADV" or tok.lower in INVERTED_CLITICS or tok.lower == "-t":
            j -= 1
            continue
        return None
    return None


def _closing_mark_of_sentence_quote(state: State, tok: Tok) -> bool:
    """Is ``tok`` the closing mark of a quoted segment that opens a sentence (after a full
    stop, a colon or at the start of its paragraph)?"""
    if tok.text not in CLOSING_MARKS + STRAIGHT_MARK:
        return False
    segment = next((s for s in state.segments if s.closed and s.close == tok.start), None)
    if segment is None:
        return False
    before = state.text[: segment.open].rstrip()
    paragraph_start = state.parsed.paragraphs[tok.paragraph][0]
    return segment.open <= _next_char(state.text, paragraph_start) or before.endswith(
        (".", ":", "!", "?", "…")
    )


def _closes_before(state: State, comma: Tok) -> bool:
    before = state.text[: comma.start].rstrip()
    return bool(before) and before[-1] in CLOSING_MARKS + STRAIGHT_MARK


def _subject_before(parsed: Parsed, cue: Tok, comma: Tok) -> bool:
    """Has the cue a subject before the comma (then it is no incise: "X, ..., a exhorté")?"""
    return any(
        parsed.tokens[c].dep.startswith("nsubj") and parsed.tokens[c].start < comma.start
        for c in parsed.children[cue.i]
    )


def _clause_quote(state: State, cue: Tok, start: int) -> None:
    text = state.text
    at = state.segment_at(start)
    if at is not None and at.open == start and not at.done:
        after = clause_end(state, at.close + 1) if at.closed else at.close
        rest = text[at.close + 1 : after].strip(" ,.;:!?…\u00a0\u202f") if at.closed else ""
        at.done = True
        if not rest:
            state.add(Found(at.open + 1, at.close, "direct", cue.i, via="que-direct"))
        else:
            # D21: the clause opens inside the marks and goes on after them
            end = _strip_closing(text, start, after)
            state.add(Found(at.open + 1, end, "mixed", cue.i, via="que-mixed"))
        return
    end = clause_end(state, start)
    kind = "indirect"
    for segment in state.segments:
        if start <= segment.open < end and not segment.done:
            kind = "mixed"
            if segment.close <= end or not segment.closed:
                segment.done = True
            else:  # the clause ends inside the segment: the rest goes on (S5)
                segment.used_until = _next_char(text, end + 1)
    state.add(Found(start, _strip_closing(text, start, end), kind, cue.i, via="clause"))


def _incise_quote(state: State, cue: Tok, comma: Tok) -> None:
    text = state.text
    if comma.text != ",":  # a closing mark: the quotation it closes is the whole sentence
        segment = next(s for s in state.segments if s.closed and s.close == comma.start)
        if not segment.done:
            segment.done = True
            state.add(Found(segment.used_until, segment.close, "direct", cue.i, via="incise-mark"))
        return
    clause_start = _clause_start(state, comma)
    before_comma = text[: comma.start].rstrip()
    closing = len(before_comma) - 1
    segment = next(
        (s for s in state.segments if s.closed and s.close == closing and not s.done), None
    )
    if segment is not None:
        segment.done = True
        lead = text[clause_start : segment.open].strip()
        if segment.used_until > segment.open + 1:
            state.add(Found(segment.used_until, segment.close, "direct", cue.i, via="incise-rest"))
        elif (
            segment.open < clause_start
            or not lead
            or lead.endswith((":", ".", "!", "?"))
            or _has_agent(state.tokens, cue)  # the participle qualifies the quoted words
        ):
            state.add(Found(segment.open + 1, segment.close, "direct", cue.i, via="incise-direct"))
        else:
            end = _strip_closing(text, clause_start, segment.close + 1)
            state.add(Found(clause_start, end, "mixed", cue.i, via="incise-mixed"))
        return
    inner = [s for s in state.segments if clause_start <= s.open < comma.start and not s.done]
    if inner:
        lead = text[clause_start : inner[0].open].strip()
        inner[0].done = True
        if not lead or lead.endswith(":"):
            state.add(Found(inner[0].open + 1, inner[0].close, "direct", cue.i, via="incise-s4"))
            return
        for segment in inner:
            segment.done = True
        end = _strip_closing(text, clause_start, comma.start)
        state.add(Found(clause_start, end, "mixed", cue.i, via="incise-mixed"))
        return
    end = min(clause_end(state, clause_start, first_comma=True), comma.start)
    words = [t for t in state.tokens[_tokens_from(state, clause_start) : comma.i] if t.end <= end]
    if any(t.pos in ("VERB", "AUX") and t.morph.get("VerbForm") == "Fin" for t in words):
        # a clause with a finite verb, not "En effet, selon X" nor a fronted phrase
        state.add(Found(clause_start, end, "indirect", cue.i, via="incise"))


def _segment_cue(state: State, segment: Segment) -> int | None:
    """The cue before a quoted segment in its sentence: the nearest verb, when it is one."""
    first = _tokens_from(state, segment.open)
    if first >= len(state.tokens):
        return None
    sentence = state.tokens[first].sentence
    for tok in reversed(state.tokens[max(0, first - MAX_CUE_BEFORE_SEGMENT) : first]):
        if tok.sentence != sentence or tok.text in (".", ";"):
            return None
        if cue_lemma(tok) and cue_lemma(tok) != SELON and not _no_speaker_form(state.parsed, tok):
            return tok.i
        if tok.pos == "VERB" and not _is_aux(tok) and tok.dep not in ("acl", "amod"):
            return None
    return None


def _colon_speaker(state: State, segment: Segment) -> tuple[int, int] | None:
    """'Le président russe : "..."': the noun phrase before the colon."""
    head = state.text[: segment.open].rstrip()
    if not head.endswith(":"):
        return None
    colon = len(head) - 1
    start = max(head.rfind(" - ", 0, colon), head.rfind("\n", 0, colon), head.rfind(". ", 0, colon))
    start = _next_char(state.text, start + 2 if start >= 0 else 0)
    if start >= colon or len(state.text[start:colon].split()) > 6:
        return None
    return start, state.text[:colon].rstrip().__len__()


def extract(parsed: Parsed) -> State:
    state = State(parsed, find_segments(parsed.text, parsed.paragraphs))
    for cue in parsed.tokens:
        fronted = _fronted_source(state, cue)
        if fronted is not None:
            _clause_quote(state, cue, fronted)
            continue
        lemma = cue_lemma(cue)
        if lemma is None or state.inside_segment(cue.start) or _no_speaker_form(parsed, cue):
            continue
        if lemma == SELON:
            _selon(state, cue)
            continue
        complement = _complement(state, cue, lemma)
        if complement is not None:
            _clause_quote(state, cue, complement[1])
            continue
        comma = _incise_comma(state, cue)
        if comma is not None and (
            comma.text != ","
            or _closes_before(state, comma)
            or not _subject_before(parsed, cue, comma)
        ):
            _incise_quote(state, cue, comma)
    for segment in state.segments:
        if segment.done:
            continue
        start, end = segment.used_until, segment.close
        role = parsed.paragraphs[_paragraph_of(parsed, segment.open)][2]
        cue_index = _segment_cue(state, segment)
        colon = _colon_speaker(state, segment)
        if cue_index is not None:
            state.add(Found(start, end, "direct", cue_index, via="before"))
        elif colon is not None:
            found = Found(start, end, "direct", None, speaker=colon, via="colon")
            found.headline = role in HEADLINE_ROLES
            state.add(found)
        elif role in HEADLINE_ROLES or segment.words(parsed.text) >= MIN_DIRECT_WORDS:
            state.add(
                Found(start, end, "direct", None, headline=role in HEADLINE_ROLES, via="bare")
            )
        segment.done = True
    state.found.sort(key=lambda q: (q.start, q.end))
    return state


def _paragraph_of(parsed: Parsed, offset: int) -> int:
    for number, (start, end, _) in enumerate(parsed.paragraphs):
        if start <= offset <= end:
            return number
    return len(parsed.paragraphs) - 1


def _fronted_source(state: State, cue: Tok) -> int | None:
    """Where the reported clause starts after a source opening its sentence: "Selon les
    autorités, ...", "Pour l'Unédic, ...", "Pour le plaignant, « ... »" ("pour" only before a
    name, a pronoun or a quotation mark: "Pour la première fois, ..." reports nothing)."""
    tokens = state.tokens
    if cue.lower not in (SELON, POUR) or state.inside_segment(cue.start):
        return None
    if cue.i > 0 and tokens[cue.i - 1].sentence == cue.sentence:
        return None
    source: list[Tok] = []
    for tok in tokens[cue.i + 1 : cue.i + 2 + MAX_FRONTED_SOURCE]:
        if tok.sentence != cue.sentence or tok.pos in ("VERB", "AUX"):
            return None
        if tok.text == ",":
            if not source or tok.i + 1 >= len(tokens):
                return None
            start = _after_apposition(state, tok)
            if cue.lower == POUR and not (
                any(t.text[:1].isupper() or t.lower in STRESSED_PRONOUNS for t in source)
                or any(segment.open == start for segment in state.segments)
            ):
                return None
            return start
        if tok.text in QUOTATION_MARKS or tok.lower in RELATIVE_AFTER_SELON:
            return None
        source.append(tok)
    return None


def _after_apposition(state: State, comma: Tok) -> int:
    """Where the clause starts after the source's comma, past an apposition to the source
    ("Pour le député X, soutien de Y, ..."): a noun with no determiner up to the next comma."""
    tokens = state.tokens
    start = _next_char(state.text, comma.end)
    if comma.i + 1 >= len(tokens) or tokens[comma.i + 1].pos != "NOUN":
        return start
    for tok in tokens[comma.i + 2 : comma.i + 2 + MAX_FRONTED_SOURCE]:
        if tok.sentence != comma.sentence or tok.pos in ("VERB", "AUX"):
            return start
        if tok.text == ",":
            return _next_char(state.text, tok.end)
    return start


def _selon(state: State, cue: Tok) -> None:
    tokens = state.tokens
    nxt = tokens[cue.i + 1] if cue.i + 1 < len(tokens) else None
    if nxt is not None and nxt.lower in RELATIVE_AFTER_SELON:
        start = _next_char(state.text, nxt.end)
        end = clause_end(state, start)
        kind = "mixed" if any(start <= s.open < end for s in state.segments) else "indirect"
        state.add(
            Found(start, _strip_closing(state.text, start, end), kind, cue.i, via="selon-rel")
        )
        return
    comma = cue.i > 0 and tokens[cue.i - 1].text == ","
    if comma:
        _incise_quote(state, cue, tokens[cue.i - 1])


# ---------------------------------------------------------------- speakers


def namelike(parsed: Parsed, index: int) -> bool:
    """A proper name: tagged PROPN, or capitalised, not a pronoun and not after a determiner
    (the tagger calls "Poutine" a pronoun at times; "le Président" is a common noun)."""
    tok = parsed.tokens[index]
    if tok.pos == "PROPN":
        return True
    previous = parsed.tokens[index - 1] if index > 0 else None
    return (
        tok.text[:1].isupper()
        and tok.pos in ("NOUN", "PRON", "X", "ADJ")
        and tok.lower not in PRONOUN_WORDS | SUBJECT_PRONOUNS
        and (previous is None or previous.pos != "DET" or previous.sentence != tok.sentence)
    )


def _propn_run(parsed: Parsed, index: int) -> tuple[int, int]:
    tokens = parsed.tokens
    sentence = tokens[index].sentence
    first = last = index
    while first > 0 and tokens[first - 1].pos == "PROPN" and tokens[first - 1].sentence == sentence:
        first -= 1
    while (
        last + 1 < len(tokens)
        and tokens[last + 1].pos == "PROPN"
        and tokens[last + 1].sentence == sentence
    ):
        last += 1
    return first, last


def _noun_phrase(parsed: Parsed, head: int) -> tuple[int, int, int | None]:
    """(first, last, name) token indices of the noun phrase around ``head``; ``name`` is the
    first token of a name in apposition ("le président russe Vladimir Poutine")."""
    tokens = parsed.tokens
    first = head
    while (
        first > 0
        and tokens[first - 1].pos in ("DET", "ADJ", "NUM")
        and tokens[first - 1].sentence == tokens[head].sentence
    ):
        first -= 1
    last = head
    name = None
    complement = False
    j = head + 1
    while j < len(tokens) and tokens[j].sentence == tokens[head].sentence:
        tok = tokens[j]
        if tok.pos == "ADJ":
            last = j
        elif tok.lower in ("un", "une") and j == head + 1 and not complement:
            last = j  # "le numéro un du Kremlin"
        elif tok.pos == "PROPN" and complement and last == j - 1:
            last = j
        elif tok.pos == "PROPN" and name is None and last == j - 1 and not complement:
            name = j
            last = _propn_run(parsed, j)[1]
            j = last
        elif fold(tok.text) in ("de", "du", "d'", "d’", "des") and j + 1 < len(tokens):
            k = j + 1
            while k < len(tokens) and tokens[k].pos == "DET":
                k += 1
            if k < len(tokens) and tokens[k].pos in ("NOUN", "PROPN"):
                complement = True
                last = k
                if tokens[k].pos == "PROPN":
                    last = _propn_run(parsed, k)[1]
                j = last
            else:
                break
        else:
            break
        j += 1
    return first, last, name


def _mention_of(parsed: Parsed, index: int) -> tuple[int, int]:
    """The speaker span for a subject token: a name, a pronoun or a noun phrase."""
    tokens = parsed.tokens
    tok = tokens[index]
    if namelike(parsed, index):
        first, last = _propn_run(parsed, index)
        return tokens[first].start, tokens[last].end
    if tok.pos in ("NOUN", "ADJ", "DET"):
        first, last, name = _noun_phrase(parsed, index)
        if name is not None:
            _, name_last = _propn_run(parsed, name)
            return tokens[name].start, tokens[name_last].end
        return tokens[first].start, tokens[last].end
    start = tok.start + (1 if tok.text.startswith("-") else 0)
    return start, tok.end


def _inverted_subject(parsed: Parsed, cue: Tok) -> int | None:
    tokens = parsed.tokens
    for tok in tokens[max(0, cue.i - 3) : cue.i + 2]:
        if tok.lower in INVERTED_CLITICS and tok.sentence == cue.sentence:
            return tok.i
    j = cue.i + 1
    while j < len(tokens) and tokens[j].sentence == cue.sentence:
        tok = tokens[j]
        if fold(tok.text) in SKIPPED_BEFORE_SUBJECT or (tok.pos == "ADV" and tok.text != ","):
            j += 1
            continue
        if tok.pos == "PROPN":
            return j
        if tok.pos == "DET":
            k = j
            while k < len(tokens) and tokens[k].pos in ("DET", "ADJ"):
                k += 1
            return k if k < len(tokens) and tokens[k].pos in ("NOUN", "PROPN") else None
        return None
    return None


def _controller(parsed: Parsed, cue: Tok) -> int | None:
    """The speaker of an infinitive cue after "à X de" ("a permis à la ministre de déclarer
    que", "demande à X de dire"): the noun phrase after "à"."""
    tokens = parsed.tokens
    if cue.i == 0 or fold(tokens[cue.i - 1].text) not in DE_WORDS:
        return None
    for tok in reversed(tokens[max(0, cue.i - 1 - MAX_CONTROLLER_GAP) : cue.i - 1]):
        if tok.sentence != cue.sentence or tok.pos in ("VERB", "AUX") or tok.text == ",":
            return None
        if tok.lower in ("à", "au", "aux"):
            head = tok.i + 1
            while head < cue.i - 1 and tokens[head].pos in ("DET", "ADJ"):
                head += 1
            return head if tokens[head].pos in ("NOUN", "PROPN") else None
    return None


def _dependency_subject(parsed: Parsed, cue: Tok) -> int | None:
    tokens = parsed.tokens
    current = cue.i
    for _ in range(4):
        subjects = [
            c for c in parsed.children[current]
            if tokens[c].dep.startswith("nsubj") and tokens[c].lower != "-t"
        ]  # fmt: skip
        if subjects:
            rank = {"PROPN": 0, "NOUN": 1, "PRON": 2}
            return sorted(subjects, key=lambda c: (rank.get(tokens[c].pos, 3), c))[0]
        tok = tokens[current]
        if tok.dep in ("conj", "xcomp", "advcl", "acl") and tok.head != current:
            current = tok.head
        else:
            return None
    return None


def _preverbal_subject(parsed: Parsed, cue: Tok) -> int | None:
    """The word just before the cue and its auxiliaries, when it is a subject: a name, a
    subject pronoun, or a noun the parser calls nsubj ("la Russie lui a suggéré"); before the
    auxiliary of a participle ("il avait dès le lendemain appelé")."""
    aux = _auxiliary_before(parsed.tokens, cue) if _is_past_participle(cue) else None
    j = cue.i - 1 if aux is None else aux - 1
    while j >= 0 and parsed.tokens[j].sentence == cue.sentence:
        tok = parsed.tokens[j]
        if _is_aux(tok) or tok.pos == "ADV" or tok.lower in PREVERBAL_CLITICS:
            j -= 1
            continue
        if namelike(parsed, j):
            first = _propn_run(parsed, j)[0]
            before = parsed.tokens[first - 1] if first > 0 else None
            if before is not None and fold(before.text) in ("de", "du", "d'", "d’", "des"):
                return None  # a complement: "le numéro un du Kremlin a qualifié"
            return j
        if tok.pos == "PRON" and tok.lower in SUBJECT_PRONOUNS:
            return j
        if tok.pos == "NOUN" and (tok.dep.startswith("nsubj") or tok.dep == "conj"):
            return j
        return None
    return None


def _names_in_sentence_before(parsed: Parsed, cue: Tok) -> list[int]:
    entity_starts = {start for start, _, label in parsed.entities if label == "PER"}
    return [
        t.i for t in parsed.tokens[: cue.i]
        if t.sentence == cue.sentence and (t.pos == "PROPN" or t.start in entity_starts)
    ]  # fmt: skip


def find_speaker(state: State, quote: Found, speakers_by_cue: dict[int, Found]) -> None:
    """Set the speaker mention of a quotation from its cue (see the module's step 4)."""
    if quote.speaker is not None or quote.cue is None:
        return
    parsed = state.parsed
    cue = parsed.tokens[quote.cue]
    subject = None
    if cue.lower in (SELON, POUR):
        nxt = cue.i + 1
        following = parsed.tokens[nxt].lower if nxt < len(parsed.tokens) else ""
        if following in RELATIVE_AFTER_SELON:
            names = _names_in_sentence_before(parsed, cue)
            subject = names[0] if names else None
        elif following in STRESSED_PRONOUNS:
            subject = nxt
        else:
            subject = _inverted_subject(parsed, cue)
    elif _is_gerund(cue):  # D11: the main clause's speaker
        for tok in reversed(parsed.tokens[: cue.i]):
            if tok.sentence != cue.sentence:
                break
            earlier = speakers_by_cue.get(tok.i)
            if earlier is not None and earlier.speaker is not None:
                quote.speaker = earlier.speaker
                quote.source_from = earlier
                return
    elif _has_agent(parsed.tokens, cue):
        subject = _inverted_subject(parsed, parsed.tokens[cue.i + 1])
    elif quote.via.startswith("incise"):
        subject = _inverted_subject(parsed, cue)
    elif _is_infinitive(cue):
        subject = _controller(parsed, cue)
    if subject is None:
        subject = _preverbal_subject(parsed, cue)
    if subject is None:
        subject = _dependency_subject(parsed, cue)
    if subject is None and not quote.via.startswith("incise"):
        subject = _inverted_subject(parsed, cue)
    if subject is None:
        names = _names_in_sentence_before(parsed, cue)
        subject = names[-1] if names else None
    if subject is not None:
        quote.speaker = _mention_of(parsed, subject)


# ---------------------------------------------------------------- speaker entities


@cache
def _descriptor_table(corpus: Corpus, doc_ids: tuple[str, ...]) -> dict[str, str]:
    """'président russe' -> the entity of the name it stands in apposition to, in these texts."""
    index = inventory_index(corpus)
    counts: dict[str, Counter[str]] = {}
    for doc_id in doc_ids:
        parsed = parse(corpus, doc_id)
        tokens = parsed.tokens
        for tok in tokens:
            if tok.pos != "NOUN":
                continue
            j = tok.i + 1
            adjectives = []
            while j < len(tokens) and tokens[j].pos == "ADJ":
                adjectives.append(tokens[j])
                j += 1
            if j < len(tokens) and tokens[j].text == ",":
                j += 1
            if j < len(tokens) and tokens[j].pos == "PROPN":
                first, last = _propn_run(parsed, j)
                entity = index.lookup(parsed.span_text(first, last), "PER")
                if entity:
                    key = _descriptor_key([tok, *adjectives])
                    counts.setdefault(key, Counter())[entity] += 1
    return {key: sorted(c, key=lambda e: (-c[e], e))[0] for key, c in counts.items()}


def _descriptor_key(tokens: Sequence[Tok]) -> str:
    return " ".join(fold(t.text) for t in tokens if t.pos in ("NOUN", "ADJ"))


def _person_mentions(corpus: Corpus, parsed: Parsed) -> list[tuple[int, int, str, bool]]:
    """PER names (spaCy) linked to the inventory: (start, end, entity, is a subject)."""
    index = inventory_index(corpus)
    people = []
    for start, end, label in parsed.entities:
        if label != "PER":
            continue
        entity = index.lookup(parsed.text[start:end], "PER")
        if not entity:
            continue
        words = [t for t in parsed.tokens if start <= t.start < end]
        subject = any(_in_subject(parsed, t) for t in words)
        people.append((start, end, entity, subject))
    return people


def _in_subject(parsed: Parsed, tok: Tok) -> bool:
    for _ in range(3):
        if tok.dep.startswith("nsubj"):
            return True
        if tok.dep not in ("flat:name", "appos", "conj") or tok.head == tok.i:
            return False
        tok = parsed.tokens[tok.head]
    return False


def resolve(
    corpus: Corpus,
    state: State,
    quote: Found,
    descriptors: dict[str, str],
    earlier: Sequence[tuple[int, str]],
) -> str | None:
    """The inventory entity of a quotation's speaker mention (see the module's step 5)."""
    if quote.speaker is None:
        return None
    parsed = state.parsed
    start, end = quote.speaker
    inside = [t for t in parsed.tokens if t.start < end and start < t.end]
    if not inside:
        return None
    head = inside[0]
    index = inventory_index(corpus)
    if head.pos != "DET" and head.lower.lstrip("-") not in PRONOUN_WORDS:
        linked = index.lookup(parsed.text[start:end], "PER")
        named = _noun_before_name(parsed, head)
        if not linked and named is not None:  # "le comité Nobel": the name is no entity alone
            linked = index.lookup(parsed.text[named:end], "PER")
        if linked:
            return linked
    if head.pos == "DET" and any(t.text[:1].isupper() for t in inside[1:]):
        linked = index.lookup(parsed.text[start:end], "PER")  # "l'Unédic", "le comité Nobel"
        if linked:
            return linked
    source = _document_author(corpus, parsed, inside) or _final_name(corpus, parsed, inside)
    if source:
        return source
    if len(inside) == 1 and head.lower.lstrip("-") in PRONOUN_WORDS:
        if head.lower.lstrip("-") not in SINGULAR_PRONOUNS:
            return None
        return _most_recent_person(corpus, state, quote, earlier)
    if fold(head.text) in NO_SOURCE_DETERMINERS or any(
        t.morph.get("Number") == "Plur" for t in inside if t.pos == "NOUN"
    ):
        return None
    key = _descriptor_key(inside)
    if key in descriptors:
        return descriptors[key]
    return _most_recent_person(corpus, state, quote, earlier)


def _noun_before_name(parsed: Parsed, name: Tok) -> int | None:
    """Start of the noun phrase a name qualifies ("le comité Nobel", "l'association Unédic")."""
    if not namelike(parsed, name.i) or name.i == 0:
        return None
    noun = parsed.tokens[name.i - 1]
    if noun.pos != "NOUN" or noun.sentence != name.sentence:
        return None
    first = noun.i
    while first > 0 and parsed.tokens[first - 1].pos == "DET":
        first -= 1
    return parsed.tokens[first].start


def _final_name(corpus: Corpus, parsed: Parsed, inside: Sequence[Tok]) -> str | None:
    """A person or organisation in apposition at the end of a longer mention (D10: "la
    ministre du travail Myriam El Khomri"; not a complement: "le numéro un du Kremlin")."""
    if len(inside) < 2 or inside[-1].pos != "PROPN":
        return None
    first, _ = _propn_run(parsed, inside[-1].i)
    first = max(first, inside[1].i)
    before = parsed.tokens[first - 1]
    if fold(before.text) in COMPLEMENT_WORDS or before.pos == "DET":
        return None
    linked = inventory_index(corpus).lookup(
        parsed.text[parsed.tokens[first].start : inside[-1].end]
    )
    return (
        linked if linked is not None and _entity_types(corpus).get(linked) in SOURCE_TYPES else None
    )


def _entity_types(corpus: Corpus) -> dict[str, str]:
    return {e["id"]: e.get("type", "") for e in load_inventory(corpus).get("entities", [])}


def _document_author(corpus: Corpus, parsed: Parsed, inside: Sequence[Tok]) -> str | None:
    """The named author of a document noun phrase ("un rapport de l'IGPN", "les chiffres de
    Pôle emploi"): the text speaks for its author."""
    nouns = [t for t in inside if t.pos == "NOUN"]
    if not nouns or fold(nouns[0].lemma) not in DOCUMENT_NOUNS:
        return None
    complement = [t for t in inside if t.i > nouns[0].i and fold(t.text) in COMPLEMENT_WORDS]
    if not complement or complement[0].i + 1 > inside[-1].i:
        return None
    author = [t for t in inside if t.i > complement[0].i]
    if not any(t.text[:1].isupper() for t in author):
        return None
    index = inventory_index(corpus)
    start, end = author[0].start, inside[-1].end
    following = parsed.tokens[inside[-1].i + 1] if inside[-1].i + 1 < len(parsed.tokens) else None
    candidates = [parsed.text[start:end]]
    if following is not None and following.pos in ("NOUN", "PROPN", "ADJ"):
        candidates.append(parsed.text[start : following.end])  # "Pôle" + "emploi"
    for candidate in reversed(candidates):
        linked = index.lookup(candidate)
        if linked:
            return linked
    return None


def _most_recent_person(
    corpus: Corpus, state: State, quote: Found, earlier: Sequence[tuple[int, str]]
) -> str | None:
    """The most recent compatible person before the cue: an earlier quotation's source or a
    PER name in subject position, outside quotation contents; else the most recent PER name."""
    position = state.parsed.tokens[quote.cue].start if quote.cue is not None else quote.start
    if quote.speaker is not None:
        position = min(position, quote.speaker[0])
    contents = [(q.start, q.end) for q in state.found]
    people = {e["id"] for e in load_inventory(corpus).get("entities", []) if e.get("type") == "PER"}
    candidates = [(p, e) for p, e in earlier if p < position and e in people]
    outside: list[tuple[int, str]] = []
    anywhere: list[tuple[int, str]] = []
    for start, end, entity, subject in _person_mentions(corpus, state.parsed):
        if start >= position:
            break
        anywhere.append((start, entity))
        if any(c_start <= start and end <= c_end for c_start, c_end in contents):
            continue
        outside.append((start, entity))
        if subject:
            candidates.append((start, entity))
    chosen = max(candidates or outside or anywhere, default=None)
    return chosen[1] if chosen else None


# ---------------------------------------------------------------- documents


def quotes_of(corpus: Corpus, doc_id: str, descriptors: dict[str, str]) -> list[dict[str, Any]]:
    return quotes_of_parsed(corpus, parse(corpus, doc_id), descriptors)


def quotes_of_parsed(
    corpus: Corpus, parsed: Parsed, descriptors: dict[str, str]
) -> list[dict[str, Any]]:
    """The quotations of a parsed text, speakers linked to ``corpus``'s inventory."""
    state = extract(parsed)
    text = parsed.text
    by_cue: dict[int, Found] = {}
    for quote in sorted(state.found, key=lambda q: (q.cue if q.cue is not None else -1, q.start)):
        find_speaker(state, quote, by_cue)
        if quote.cue is not None:
            by_cue.setdefault(quote.cue, quote)
    earlier: list[tuple[int, str]] = []
    sources: dict[int, str | None] = {}
    for quote in sorted(state.found, key=lambda q: _position(parsed, q)):
        if quote.source_from is not None and id(quote.source_from) in sources:
            source = sources[id(quote.source_from)]
        else:
            source = resolve(corpus, state, quote, descriptors, earlier)
        sources[id(quote)] = source
        if source and quote.speaker is not None:
            earlier.append((quote.speaker[0], source))
    known = Counter(s for s in sources.values() if s)
    main_source = sorted(known, key=lambda s: (-known[s], s))[0] if known else None
    previous = None
    quotes = []
    for quote in state.found:
        source = sources[id(quote)]
        if quote.speaker is None and source is None:
            source = main_source if quote.headline or previous is None else previous
        previous = source or previous
        content = make_span(text, quote.start, quote.end)
        if content is None:
            continue
        cue = None
        if quote.cue is not None:
            tok = parsed.tokens[quote.cue]
            cue = make_span(text, tok.start, tok.end)
        speaker = make_span(text, *quote.speaker) if quote.speaker else None
        quotes.append(
            {
                "id": "Q0",
                "content": content,
                "kind": quote.kind,
                "cue": cue,
                "speaker": speaker,
                "speaker_entity_id": source,
                "utterance_id": None,
            }
        )
    return quotes


def _position(parsed: Parsed, quote: Found) -> int:
    return parsed.tokens[quote.cue].start if quote.cue is not None else quote.start


# ---------------------------------------------------------------- utterances


def _vectors(contents: Sequence[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), lowercase=True, strip_accents="unicode",
        sublinear_tf=True,
    )  # fmt: skip
    return vectorizer.fit_transform(contents)


def cluster_utterances(
    contents: Sequence[str], speakers: Sequence[str | None], threshold: float
) -> list[int]:
    """Single-link clusters: same speaker entity and cosine similarity >= threshold."""
    parent = list(range(len(contents)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(contents) > 1:
        matrix = _vectors(contents)
        similarity = (matrix @ matrix.T).toarray()
        for i in range(len(contents)):
            for j in range(i + 1, len(contents)):
                if speakers[i] == speakers[j] and similarity[i, j] >= threshold:
                    a, b = find(i), find(j)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(len(contents))]


def pairwise_f1(predicted: Sequence[int], gold: Sequence[Any]) -> float:
    correct = predicted_pairs = gold_pairs = 0
    for i in range(len(gold)):
        for j in range(i + 1, len(gold)):
            same_predicted = predicted[i] == predicted[j]
            same_gold = gold[i] == gold[j]
            predicted_pairs += same_predicted
            gold_pairs += same_gold
            correct += same_predicted and same_gold
    if not correct:
        return 0.0
    precision, recall = correct / predicted_pairs, correct / gold_pairs
    return 2 * precision * recall / (precision + recall)


@cache
def choose_threshold(corpus: Corpus, train_ids: tuple[str, ...]) -> float:
    """The threshold with the best pairwise F1 on the training gold quotations."""
    quotes = [q for doc_id in train_ids for q in load_gold(corpus, doc_id)["quotes"]]
    if len(quotes) < 2:
        return 0.5
    contents = [q["content"]["text"] for q in quotes]
    speakers = [q.get("speaker_entity_id") for q in quotes]
    gold = [q.get("utterance_id") for q in quotes]
    scored = [(pairwise_f1(cluster_utterances(contents, speakers, t), gold), t) for t in THRESHOLDS]
    return max(scored)[1]


def assign_utterances(documents: Sequence[Document], threshold: float, prefix: str) -> None:
    items = [(d, q) for d in documents for q in d["quotes"]]
    clusters = cluster_utterances(
        [q["content"]["text"] for _, q in items],
        [q["speaker_entity_id"] for _, q in items],
        threshold,
    )
    names: dict[int, str] = {}
    for number in clusters:
        names.setdefault(number, f"U-{prefix}{len(names) + 1:03d}")
    for (_, quote), number in zip(items, clusters, strict=True):
        quote["utterance_id"] = names[number]


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    descriptors = _descriptor_table(corpus, tuple(sorted({*train_ids, *test_ids})))
    documents = []
    for doc_id in sorted(test_ids):
        document = empty_prediction(corpus, doc_id)
        document["quotes"] = quotes_of(corpus, doc_id, descriptors)
        documents.append(sanitize(corpus, number_ids(document)))
    threshold = choose_threshold(corpus, tuple(sorted(train_ids)))
    assign_utterances(documents, threshold, f"sys-{label_prefix}")
    return documents

"""Shared pieces of the event baselines: the seed lexicon, trigger patterns, realis, event ids.

Trigger patterns are sequences of folded lemmas ("conference de presse"); a pattern word
matches a token whose folded lemma or folded text is equal to it, and the wildcard ``*`` matches
any determiner ("prendre * fonction" matches "prendront leurs fonctions"). A pronominal pattern
("se rencontrer") matches the verb only when a reflexive pronoun depends on it, and its trigger
span then runs from the pronoun to the verb ("se sont rencontrés", settled case S1).

Realis (:func:`realis_of`): ``other`` when a cue says the event is not (yet) real, else the
realis the trigger's pattern had most often in training (``actual`` for seed patterns never
seen in training). Cues (:data:`REALIS_CUES`): future tense or conditional mood of the trigger or
of a verb governing it, negation, a modal or planning verb governing it ("vont entamer des
consultations", "devrait tenir", "se sont entendus pour le retour"), a modal adjective
("un éventuel échange", "possibles compromis"), a purpose preposition before it ("pour des
consultations").

Event ids (:mod:`propos.baselines.events_coref`): mentions of documents of one topic with the
same pattern, the same type and compatible arguments share an id (Cluster+Lemma).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from propos.baselines.common import (
    Document,
    Parsed,
    Tok,
    empty_prediction,
    fold,
    load_gold,
    make_span,
    number_ids,
    parse,
    sanitize,
)
from propos.baselines.quotes_rules import QUE_WORDS, REPORTING_VERBS
from propos.corpus import Corpus
from propos.schema import EVENT_TYPES, REALIS_VALUES

SEED_TRIGGERS: dict[str, tuple[str, ...]] = {
    "Contact:Meet": (
        "sommet", "rencontre", "se rencontrer", "réunion", "se réunir", "face-à-face",
        "tête-à-tête", "conférence de presse", "séance", "session", "entretien", "entrevue",
        "discussion", "pourparlers", "pourparler",
    ),
    "Contact:Negotiate": (
        "négociation", "négocier", "consultation", "concertation", "coopération", "dialogue",
        "médiation", "tractation",
    ),
    "Contact:Agree": (
        "accord", "convenir", "se entendre", "entente", "être de accord",
        "trouver * terrain de entente",
    ),
    "Movement:Transport": (
        "retour", "retourner", "regagner", "rappeler", "rentrer", "se rendre", "renvoyer",
        "quitter", "voyage", "voyager", "départ", "revenir", "retirer", "rapatrier",
        "rapatriement", "évacuer", "évacuation",
    ),
    "Movement:Expel": ("expulser", "expulsion"),
    "Conflict:Attack": (
        "attaque", "attaquer", "cyberattaque", "cyber-attaque", "piratage", "pirater",
        "frapper", "frappe", "attentat", "bombardement", "bombarder", "offensive", "agression",
        "assaut",
    ),
    "Conflict:Sanction": ("sanction", "sanctionner", "embargo", "boycott"),
    "Justice:Arrest-Jail": (
        "emprisonner", "emprisonnement", "détenir", "détention", "arrêter", "arrestation",
        "incarcérer", "incarcération", "interpeller",
    ),
    "Justice:Convict": ("condamnation", "condamner"),
    "Justice:Sentence": ("peine",),
    "Justice:Release-Parole": (
        "libération sous caution", "libérer", "libération", "relâcher", "liberté conditionnelle",
    ),
    "Transaction:Transfer-Money": (
        "verser", "versement", "payer", "paiement", "rançon", "rançonner", "financer",
    ),
    "Transaction:Exchange": ("échange", "échanger"),
    "Life:Injure": ("empoisonnement", "empoisonner", "blesser", "blessure"),
    "Personnel:Start-Position": (
        "entrée en fonction", "arrivée au pouvoir", "prendre * fonction", "investiture",
    ),
    # version 2 (the ACE 2005 types the fifteen above lack): the specification's examples and
    # the usual French words of the ACE definitions, written without looking at any document
    "Life:Be-Born": ("naissance", "naître"),
    "Life:Marry": ("mariage", "épouser", "se marier", "noces"),
    "Life:Divorce": ("divorce", "divorcer"),
    "Life:Die": (
        "mort", "mourir", "décès", "décéder", "succomber", "tuer", "périr",
        "assassinat", "assassiner", "meurtre", "trouver * mort",
    ),
    "Transaction:Transfer-Ownership": (
        "vente", "vendre", "acheter", "achat", "acquisition", "acquérir", "céder", "cession",
        "rachat", "racheter",
    ),
    "Business:Start-Org": ("fondation", "fonder", "création"),
    "Business:Merge-Org": ("fusion", "fusionner"),
    "Business:Declare-Bankruptcy": ("faillite", "banqueroute", "dépôt de bilan"),
    "Business:End-Org": ("fermeture", "dissolution", "dissoudre", "liquidation"),
    "Conflict:Demonstrate": (
        "manifestation", "manifester", "manifestant", "grève", "protestation", "protester",
        "rassemblement", "blocage", "bloquer", "émeute", "défilé", "sit-in",
    ),
    "Contact:Phone-Write": (
        "téléphoner", "appel téléphonique", "lettre", "courrier",
    ),
    "Personnel:End-Position": (
        "démission", "démissionner", "limogeage", "limoger", "licencier", "licenciement",
        "quitter * fonction", "destituer", "destitution",
    ),
    "Personnel:Nominate": ("nommer", "nomination", "désignation"),
    "Personnel:Elect": (
        "élection", "élire", "scrutin", "vote", "voter", "réélire", "réélection", "primaire",
    ),
    "Justice:Trial-Hearing": ("procès", "audience", "juger", "jugement", "comparaître"),
    "Justice:Charge-Indict": (
        "inculper", "inculpation", "mise en examen", "accuser", "accusation",
    ),
    "Justice:Sue": ("plainte", "porter plainte", "poursuite", "attaquer en justice"),
    "Justice:Fine": ("amende",),
    "Justice:Execute": ("exécution", "exécuter", "peine de mort"),
    "Justice:Extradite": ("extradition", "extrader"),
    "Justice:Acquit": ("acquittement", "acquitter", "relaxe", "relaxer", "innocenter"),
    "Justice:Appeal": ("faire appel", "pourvoi", "interjeter appel"),
    "Justice:Pardon": ("grâce", "gracier", "amnistie", "amnistier"),
}  # fmt: skip
"""Seed trigger patterns per event type: the specification's examples for the fifteen types of
version 1, and for the others (version 2, 38 types) the usual French words of the ACE 2005
definitions. Every type of :data:`EVENT_TYPES` has seeds, so every type can be predicted."""

SEED_WEIGHT = 0.5
"""A seed counts half a training occurrence: the training type wins when they disagree."""

REFLEXIVE = frozenset({"se", "s'", "s’"})
DETERMINER = "*"

REALIS_CUES: dict[str, frozenset[str]] = {
    "governors": frozenset(
        fold(w)
        for w in (
            "devoir", "pouvoir", "vouloir", "falloir", "entamer", "commencer", "organiser",
            "promettre", "envisager", "prévoir", "proposer", "chercher", "souhaiter", "espérer",
            "demander", "exhorter", "convenir", "entendre", "accord", "décider", "préparer",
            "menacer", "appeler", "obtenir", "réclamer", "tenir", "aller",
        )
    ),
    "modifiers": frozenset(fold(w) for w in ("éventuel", "possible", "futur", "prochain")),
    "negations": frozenset({"pas", "jamais", "plus", "aucun", "aucune", "ne", "n'", "n’"}),
    "purpose": frozenset({"pour", "afin"}),
}  # fmt: skip
"""Words that make a trigger's realis ``other`` (see :func:`realis_cue`)."""

assert set(SEED_TRIGGERS) == set(EVENT_TYPES)
assert {"actual", "generic", "other"} == set(REALIS_VALUES)


# ---------------------------------------------------------------- patterns


@dataclass
class Pattern:
    words: tuple[str, ...]
    pronominal: bool
    types: Counter[str] = field(default_factory=Counter)
    realis: Counter[str] = field(default_factory=Counter)

    @property
    def key(self) -> str:
        return " ".join(w for w in self.words if w != DETERMINER)

    def best_type(self) -> str:
        return sorted(self.types, key=lambda t: (-self.types[t], EVENT_TYPES.index(t)))[0]

    def prior_realis(self) -> str:
        if not self.realis:
            return "actual"
        return sorted(self.realis, key=lambda r: (-self.realis[r], REALIS_VALUES.index(r)))[0]


def _seed_pattern(expression: str) -> tuple[tuple[str, ...], bool]:
    words = [fold(w) for w in expression.split()]
    pronominal = bool(words) and words[0] in ("se",)
    return tuple(words[1:] if pronominal else words), pronominal


def trigger_tokens(parsed: Parsed, start: int, end: int) -> list[Tok]:
    return [t for t in parsed.tokens if t.start < end and start < t.end]


def head_token(tokens: Sequence[Tok]) -> Tok:
    """The token that stands for a trigger: its first noun, verb or adjective (not an
    auxiliary, not a pronoun), else its last token."""
    for tok in tokens:
        if tok.pos in ("NOUN", "VERB", "ADJ", "PROPN") and fold(tok.lemma) not in ("etre", "avoir"):
            return tok
    return tokens[-1]


def pattern_of(tokens: Sequence[Tok]) -> tuple[tuple[str, ...], bool]:
    """The pattern of a gold trigger: folded lemmas, no reflexive pronoun or auxiliary, any
    determiner as the wildcard."""
    pronominal = bool(tokens) and tokens[0].lower in REFLEXIVE
    head = head_token(tokens)
    words = []
    for tok in tokens:
        if tok.lower in REFLEXIVE or (tok.i < head.i and tok.pos in ("AUX", "PRON")):
            continue
        words.append(DETERMINER if tok.pos == "DET" else _word(tok))
    return tuple(words), pronominal


def _word(tok: Tok) -> str:
    word = fold(tok.lemma)
    return {"d'": "de", "d’": "de", "l'": "le", "l’": "le"}.get(word, word)


class Lexicon:
    """Trigger patterns with their types and realis, from the seeds and/or training gold."""

    def __init__(self, corpus: Corpus, train_ids: Iterable[str], seeds: bool = True) -> None:
        self.patterns: dict[tuple[tuple[str, ...], bool], Pattern] = {}
        if seeds:
            for kind, expressions in SEED_TRIGGERS.items():
                for expression in expressions:
                    words, pronominal = _seed_pattern(expression)
                    self._entry(words, pronominal).types[kind] += SEED_WEIGHT
        for doc_id in train_ids:
            parsed = parse(corpus, doc_id)
            for event in load_gold(corpus, doc_id)["events"]:
                tokens = trigger_tokens(parsed, event["trigger"]["start"], event["trigger"]["end"])
                if not tokens:
                    continue
                words, pronominal = pattern_of(tokens)
                if not words:
                    continue
                entry = self._entry(words, pronominal)
                entry.types[event["type"]] += 1
                entry.realis[event.get("realis", "actual")] += 1
        self.longest = max((len(words) for words, _ in self.patterns), default=1)

    def _entry(self, words: tuple[str, ...], pronominal: bool) -> Pattern:
        key = (words, pronominal)
        if key not in self.patterns:
            self.patterns[key] = Pattern(words, pronominal)
        return self.patterns[key]

    def find(self, parsed: Parsed, first: int, length: int) -> Pattern | None:
        """A pattern of ``length`` words matching the tokens from ``first``."""
        tokens = parsed.tokens[first : first + length]
        if len(tokens) < length or len({t.sentence for t in tokens}) > 1:
            return None
        reflexive = has_reflexive(parsed, tokens[0])
        for pronominal in (True, False) if reflexive else (False,):
            pattern = self.patterns.get((_match_words(tokens, self._shapes(length)), pronominal))
            if pattern is not None:
                return pattern
        return None

    def _shapes(self, length: int) -> list[tuple[str, ...]]:
        return [words for words, _ in self.patterns if len(words) == length]


def _match_words(tokens: Sequence[Tok], shapes: list[tuple[str, ...]]) -> tuple[str, ...]:
    for words in shapes:
        if all(_matches(tok, word) for tok, word in zip(tokens, words, strict=True)):
            return words
    return ()


def _matches(tok: Tok, word: str) -> bool:
    """By lemma; by folded text too for words the lemmatiser may miss (not verbs: the text of
    "attaqué" folds to the noun "attaque")."""
    if word == DETERMINER:
        return tok.pos == "DET"
    return word == _word(tok) or (tok.pos not in ("VERB", "AUX") and word == fold(tok.text))


def has_reflexive(parsed: Parsed, tok: Tok) -> bool:
    return any(
        parsed.tokens[c].lower in REFLEXIVE and parsed.tokens[c].i < tok.i
        for c in parsed.children[tok.i]
    )


def trigger_span(parsed: Parsed, first: int, last: int, pronominal: bool) -> tuple[int, int]:
    """Character span of a trigger; a pronominal verb's span starts at its pronoun."""
    start = parsed.tokens[first].start
    if pronominal:
        pronouns = [
            c for c in parsed.children[first]
            if parsed.tokens[c].lower in REFLEXIVE and c < first
        ]  # fmt: skip
        if pronouns:
            start = parsed.tokens[min(pronouns)].start
    return start, parsed.tokens[last].end


def is_quotation_cue(parsed: Parsed, tok: Tok) -> bool:
    """A reporting verb introducing a clause ("a rappelé que") is a cue, not an event."""
    if fold(tok.lemma) not in REPORTING_VERBS:
        return False
    return any(fold(t.text) in QUE_WORDS for t in parsed.tokens[tok.i + 1 : tok.i + 4])


# ---------------------------------------------------------------- realis


def realis_cue(parsed: Parsed, head: Tok) -> bool:
    """Does a cue make this trigger's realis ``other``?"""
    tokens = parsed.tokens
    chain = [head]
    while len(chain) < 3 and chain[-1].head != chain[-1].i:
        chain.append(tokens[chain[-1].head])
    for position, tok in enumerate(chain):
        if tok.pos in ("VERB", "AUX") and (
            tok.morph.get("Tense") == "Fut" or tok.morph.get("Mood") == "Cnd"
        ):
            return True
        if position > 0 and fold(tok.lemma) in REALIS_CUES["governors"]:
            return True
        for child in parsed.children[tok.i]:
            other = tokens[child]
            if other.dep.startswith("aux") and (
                other.morph.get("Tense") == "Fut"
                or other.morph.get("Mood") == "Cnd"
                or fold(other.lemma) == "aller"
            ):
                return True
            if tok.pos == "VERB" and other.lower in REALIS_CUES["negations"]:
                return True
        if tok.pos == "VERB" and position == 0:
            break
    for child in parsed.children[head.i]:
        if fold(tokens[child].lemma) in REALIS_CUES["modifiers"]:
            return True
    before = [fold(t.text) for t in tokens[max(0, head.i - 3) : head.i]]
    if any(word in REALIS_CUES["purpose"] for word in before):
        return True
    return ("en", "vue") in pairwise(before)


def realis_of(parsed: Parsed, head: Tok, pattern: Pattern | None) -> str:
    if realis_cue(parsed, head):
        return "other"
    return pattern.prior_realis() if pattern is not None else "actual"


# ---------------------------------------------------------------- documents


@dataclass
class Mention:
    start: int
    end: int
    type: str
    realis: str
    key: str


def event_documents(
    corpus: Corpus,
    predicted: dict[str, list[Mention]],
    train_ids: Sequence[str],
    label_prefix: str = "",
) -> list[Document]:
    """Submission documents of the predicted mentions, with event ids from
    :mod:`propos.baselines.events_coref` (its topic threshold chosen on ``train_ids``)."""
    from propos.baselines.events_coref import EventMention, choose_linking, cluster_labels

    documents = []
    kept: list[tuple[dict[str, Any], EventMention]] = []
    for doc_id in sorted(predicted):
        document = empty_prediction(corpus, doc_id)
        parsed = parse(corpus, doc_id)
        seen: set[tuple[int, int]] = set()
        for mention in sorted(predicted[doc_id], key=lambda m: (m.start, m.end)):
            span = make_span(parsed.text, mention.start, mention.end)
            if span is None or (span["start"], span["end"]) in seen:
                continue
            seen.add((span["start"], span["end"]))
            event: dict[str, Any] = {
                "id": "V0",
                "trigger": span,
                "type": mention.type,
                "realis": mention.realis,
                "event_id": None,
                "arguments": [],
            }
            tokens = trigger_tokens(parsed, span["start"], span["end"])
            sentence = tokens[0].sentence if tokens else -1
            key = EventMention(
                doc_id, span["start"], span["end"], mention.type, mention.key, sentence
            )
            document["events"].append(event)
            kept.append((event, key))
        documents.append(document)
    linking = choose_linking(corpus, tuple(sorted(train_ids)))
    labels = cluster_labels(corpus, [m for _, m in kept], linking, label_prefix)
    for (event, _), label in zip(kept, labels, strict=True):
        event["event_id"] = label
    return [sanitize(corpus, number_ids(document)) for document in documents]

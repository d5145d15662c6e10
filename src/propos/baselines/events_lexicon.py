"""`lexicon`: event triggers from a lexicon of patterns (training triggers plus seeds).

Patterns (:mod:`propos.baselines.events_common`) come from every trigger of the training gold
(its folded lemmas; the type and realis it had) and from :data:`SEED_TRIGGERS`, a table of seed
patterns per type that counts half an occurrence. Test documents are scanned token by token;
at each position the longest matching pattern wins and the scan goes on after it. A single
word must be a noun, a verb or a participle; a reporting verb that introduces a clause ("a
rappelé que") is a quotation cue, not an event. The type is the pattern's most frequent one,
the realis comes from cues or the pattern's training prior, and event ids come from
:mod:`propos.baselines.events_coref` (topic, same pattern and type, compatible arguments).
"""

from __future__ import annotations

from collections.abc import Sequence

from propos.baselines.common import Document, Parsed, parse
from propos.baselines.events_common import (
    Lexicon,
    Mention,
    event_documents,
    head_token,
    is_quotation_cue,
    realis_of,
    trigger_span,
)
from propos.corpus import Corpus

TRIGGER_POS = frozenset({"NOUN", "VERB", "PROPN"})


def _acceptable(parsed: Parsed, first: int, length: int) -> bool:
    head = head_token(parsed.tokens[first : first + length])
    if length == 1:
        participle = head.pos == "ADJ" and head.lemma.endswith(("er", "ir", "re"))
        if head.pos not in TRIGGER_POS and not participle:
            return False
    return not is_quotation_cue(parsed, head)


def find_mentions(parsed: Parsed, lexicon: Lexicon) -> list[Mention]:
    mentions = []
    i = 0
    while i < len(parsed.tokens):
        for length in range(min(lexicon.longest, len(parsed.tokens) - i), 0, -1):
            pattern = lexicon.find(parsed, i, length)
            if pattern is not None and _acceptable(parsed, i, length):
                tokens = parsed.tokens[i : i + length]
                head = head_token(tokens)
                start, end = trigger_span(parsed, i, i + length - 1, pattern.pronominal)
                realis = realis_of(parsed, head, pattern)
                mentions.append(Mention(start, end, pattern.best_type(), realis, pattern.key))
                i += length
                break
        else:
            i += 1
    return mentions


def predict(
    corpus: Corpus, train_ids: Sequence[str], test_ids: Sequence[str], label_prefix: str = ""
) -> list[Document]:
    lexicon = Lexicon(corpus, train_ids)
    predicted = {doc_id: find_mentions(parse(corpus, doc_id), lexicon) for doc_id in test_ids}
    return event_documents(corpus, predicted, train_ids, label_prefix)

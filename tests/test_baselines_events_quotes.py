"""The event coreference step of the event baselines, its scoring within documents and its
bootstrap interval, the 38-type seed lexicon, and the learned quotation baseline."""

from __future__ import annotations

import ast
import statistics
import subprocess
from typing import Any
from unittest import mock

import pytest
from scorch import scores as scorch

from propos.baselines import common, evaluation, events_coref, quotes_rules
from propos.baselines.events_common import SEED_TRIGGERS
from propos.baselines.events_coref import EventMention, Linking
from propos.corpus import Corpus
from propos.errors import ProposError
from propos.schema import EVENT_TYPES
from propos.split import load_splits

from .conftest import ROOT, shown

CORPUS = Corpus.at(ROOT)


def _doc(events: list[tuple[int, int, str | None]]) -> dict[str, Any]:
    return {
        "events": [
            {
                "trigger": {"start": s, "end": e, "text": "x"},
                "type": "Conflict:Attack",
                "event_id": i,
            }
            for s, e, i in events
        ]
    }


GOLD = {
    "a": _doc([(0, 1, "E1"), (2, 3, "E1"), (4, 5, "E2")]),
    "b": _doc([(0, 1, "E1"), (2, 3, "E3"), (4, 5, None)]),
}
PREDICTED = {
    "a": _doc([(0, 1, "S1"), (2, 3, "S2"), (4, 5, "S2")]),
    "b": _doc([(0, 1, "S1"), (2, 3, "S2"), (6, 7, "S3")]),
}


def harmonic_mean(values: tuple[float, float]) -> float:
    return 0.0 if min(values) <= 0 else statistics.harmonic_mean([float(v) for v in values])


def _scorch_clusters(documents: dict[str, Any], within: bool) -> list[set[tuple[str, int, int]]]:
    grouped: dict[Any, set[tuple[str, int, int]]] = {}
    for doc_id, document in documents.items():
        for event in document["events"]:
            mention = (doc_id, event["trigger"]["start"], event["trigger"]["end"])
            label = event["event_id"]
            key = mention if label is None else ((doc_id, label) if within else label)
            grouped.setdefault(key, set()).add(mention)
    return list(grouped.values())


@pytest.mark.parametrize("within", [False, True])
def test_event_coreference_within_and_across_documents_equal_scorch(within: bool) -> None:
    gold = events_coref.within_documents(GOLD) if within else GOLD
    predicted = events_coref.within_documents(PREDICTED) if within else PREDICTED
    ours = evaluation._coref_figures(gold, predicted)
    key, response = _scorch_clusters(GOLD, within), _scorch_clusters(PREDICTED, within)
    with mock.patch.object(scorch, "harmonic_mean", harmonic_mean):
        assert ours["muc"]["f1"] == pytest.approx(scorch.muc(key, response)[2])
        assert ours["b_cubed"]["f1"] == pytest.approx(scorch.b_cubed(key, response)[2])
        assert ours["ceaf_e"]["f1"] == pytest.approx(scorch.ceaf_e(key, response)[2])
        assert ours["conll_f1"] == pytest.approx(scorch.conll2012(key, response))
    # within documents, "E1" of a and "E1" of b are two events: fewer gold links
    if within:
        assert ours["conll_f1"] != evaluation._coref_figures(GOLD, PREDICTED)["conll_f1"]


def test_bootstrap_interval_is_seeded_and_perfect_for_identical_clusterings() -> None:
    linked = {"a": GOLD["a"], "c": GOLD["a"]}  # a link in every resample (MUC is 0 without)
    low, high = evaluation.coref_interval(linked, linked, resamples=50)
    assert (low, high) == (pytest.approx(1.0), pytest.approx(1.0))
    first = evaluation.coref_interval(GOLD, PREDICTED, resamples=50)
    assert first == evaluation.coref_interval(GOLD, PREDICTED, resamples=50)
    assert 0.0 <= first[0] <= first[1] <= 1.0


def test_every_type_of_version_2_has_seeds() -> None:
    assert len(EVENT_TYPES) == 38
    assert set(SEED_TRIGGERS) == set(EVENT_TYPES)
    assert all(SEED_TRIGGERS[kind] for kind in EVENT_TYPES)


def test_arguments_compatible_only_when_a_name_is_shared_or_missing() -> None:
    assert events_coref.compatible(frozenset(), frozenset({"nice"}))
    assert events_coref.compatible(frozenset({"nice", "paris"}), frozenset({"nice"}))
    assert not events_coref.compatible(frozenset({"rouen"}), frozenset({"nice"}))
    assert Linking(0.1, ("LOC",)).describe() == "topic threshold 0.10, compatible places"
    assert Linking(0.0, ()).describe() == "topic threshold 0.00, no argument check"


def test_clusters_need_one_topic_the_same_lemma_and_the_same_type() -> None:
    docs = sorted(CORPUS.clean_dir.glob("wn-2016_11_08-*.json"))[:2]
    a, b = (p.stem for p in docs)
    mentions = [
        EventMention(a, 0, 1, "Personnel:Elect", "election", 0),
        EventMention(b, 0, 1, "Personnel:Elect", "election", 0),
        EventMention(b, 5, 6, "Personnel:Elect", "vote", 0),
        EventMention(b, 9, 9, "Conflict:Attack", "election", 0),
    ]
    one_topic = events_coref.cluster(CORPUS, mentions, Linking(0.0, ()))
    assert one_topic[0] == one_topic[1]
    assert len(set(one_topic)) == 3
    alone = events_coref.cluster(CORPUS, mentions, Linking(1.01, ()))
    assert len(set(alone)) == 4


def test_unknown_table_lists_the_event_tables() -> None:
    with pytest.raises(ProposError) as caught:
        evaluation.render_table(CORPUS, "nope", evaluation.default_scorer())
    for name in ("events-types", "events-coref-test", "events-coref-cv", "events-coref-errors"):
        assert name in str(caught.value)


def test_command_names_the_new_tables_when_a_table_is_unknown() -> None:
    from .test_commands import PROPOS

    result = subprocess.run(
        [PROPOS, "baseline", "--table", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, shown(result)
    assert "Traceback" not in result.stdout + result.stderr, shown(result)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: unknown table 'nope'")
    assert "events-coref-test" in line and "events-types" in line, line


# ---------------------------------------------------------------- quotation rules (issue 18)

QuoteRow = tuple[str, str, str | None, str | None, str | None]


def rule_quotes(text: str) -> list[QuoteRow]:
    """The `rules` quotations of a sentence built for a test: (content, kind, cue, speaker,
    speaker entity), speakers linked to the project's inventory."""
    paragraph = {"start": 0, "end": len(text), "role": "paragraph"}
    parsed = common._parse("built", {"text": text, "paragraphs": [paragraph]})
    return [
        (
            q["content"]["text"],
            q["kind"],
            q["cue"]["text"] if q["cue"] else None,
            q["speaker"]["text"] if q["speaker"] else None,
            q["speaker_entity_id"],
        )
        for q in quotes_rules.quotes_of_parsed(CORPUS, parsed, {})
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a present form the lemmatiser leaves as it is ("estime") is still the verb's
        (
            "Le maire estime que la ville est prête.",
            ("la ville est prête", "indirect", "estime", "Le maire"),
        ),
        # a bare infinitive after adverbs; a negation opens the reported clause
        (
            "Le ministre affirme aussi ne pas renoncer à la réforme.",
            ("ne pas renoncer à la réforme", "indirect", "affirme", "Le ministre"),
        ),
        (
            "Devant ses partisans, il a annoncé avoir signé l'accord avec le Japon.",
            ("avoir signé l'accord avec le Japon", "indirect", "annoncé", "il"),
        ),
        # an auxiliary a few words before its participle
        (
            "Les responsables ont par la suite déclaré que la rançon avait été récupérée.",
            ("la rançon avait été récupérée", "indirect", "déclaré", "Les responsables"),
        ),
        # a source put first, with "selon" or "pour"
        (
            "Selon les autorités, des individus ont brisé des vitrines.",
            ("des individus ont brisé des vitrines", "indirect", "Selon", "les autorités"),
        ),
        (
            "Pour Jean Dupont, la réforme est un échec.",
            ("la réforme est un échec", "indirect", "Pour", "Jean Dupont"),
        ),
        (
            "Pour le député Jean Dupont, soutien du maire, la réforme est un échec.",
            ("la réforme est un échec", "indirect", "Pour", "Jean Dupont"),
        ),
        (
            "Pour le plaignant, « la décision est arbitraire et injuste ».",
            ("la décision est arbitraire et injuste", "direct", "Pour", "le plaignant"),
        ),
        # the journalist's gloss after a comma is not reported speech
        (
            "Le rapport estime que 15 % des emplois sont automatisables, c'est-à-dire"
            " remplaçables par des robots.",
            ("15 % des emplois sont automatisables", "indirect", "estime", "Le rapport"),
        ),
        # a participle with its agent qualifies the quoted words
        (
            "La baisse semble confirmer « l'inversion de la courbe du chômage », promise par"
            " le gouvernement.",
            ("l'inversion de la courbe du chômage", "direct", "promise", "le gouvernement"),
        ),
        # a title's topic before a colon is not part of the quotation
        (
            "France : le chômage va remonter en 2017, selon l'Unédic.",
            ("le chômage va remonter en 2017", "indirect", "selon", "l'Unédic"),
        ),
    ],
)
def test_rules_find_the_revised_patterns(sentence: str, expected: tuple[str, ...]) -> None:
    assert [row[:4] for row in rule_quotes(sentence)] == [expected]


@pytest.mark.parametrize(
    "sentence",
    [
        "Le maire a une haute estime de lui-même et de la ville.",  # a noun, not the verb
        "Le ministre affirme aussi sa volonté de réformer le pays.",  # no infinitive follows
        "Pour la première fois, la ville a gagné le championnat.",  # "pour" names no source
        "À noter que la salle sera fermée lundi.",  # the journalist's aside
        "Il est largement estimé que la croissance va ralentir.",  # a passive with no agent
        "Les pays sont appelés à voter demain soir.",  # a passive with no agent
        "Ces taux sont critiqués car accusés de minimiser le chômage.",  # no auxiliary
        "Le champion, qualifié pour les Jeux, a déclaré forfait.",  # an apposition
        "Il a d'ailleurs, à ce sujet, proposé la suppression de cet article.",  # no incise
        "En effet, selon les critères du BIT, il suffit de travailler une heure.",  # no clause
    ],
)
def test_rules_leave_the_look_alikes_alone(sentence: str) -> None:
    assert rule_quotes(sentence) == []


def test_rules_take_a_quotation_a_cue_follows_without_comma() -> None:
    quotes = rule_quotes(
        "Le physicien précise que les travaux sont beaux : « Cela a mené à des prévisions très"
        " surprenantes » explique Jean Dupont."
    )
    assert [row[:4] for row in quotes] == [
        ("les travaux sont beaux", "indirect", "précise", "Le physicien"),
        ("Cela a mené à des prévisions très surprenantes", "direct", "explique", "Jean Dupont"),
    ]
    # a quotation inside a sentence is no incise of the verb after it
    [inside] = rule_quotes("Il a vu des « voitures très anciennes et rares » souligne le journal.")
    assert inside[2] != "souligne"


def test_rules_share_an_auxiliary_between_coordinated_participles() -> None:
    quotes = rule_quotes(
        "Il avait exhorté le maire à agir et déclaré être la victime d'un complot."
    )
    assert [row[:3] for row in quotes] == [
        ("agir", "indirect", "exhorté"),
        ("être la victime d'un complot", "indirect", "déclaré"),
    ]


@pytest.mark.parametrize(
    ("sentence", "entity"),
    [
        ("Le comité Nobel explique que la théorie des contrats est utile.", "E-comite-nobel"),
        ("Un rapport de l'IGPN assurait que le service d'ordre était suffisant.", "E-igpn"),
        (
            "Ce chiffre a permis à la ministre du travail Myriam El Khomri de déclarer que la"
            " courbe s'inversait.",
            "E-myriam-el-khomri",
        ),
        (
            "Ce n'est pas l'avis de Fottorino : « la présence du président est un acte"
            " politique ».",
            "E-eric-fottorino",
        ),
        # a name in a complement is not the speaker
        ("Le numéro un du Kremlin a déclaré que la rencontre était constructive.", None),
        # no "à X" before the infinitive: the speaker is not taken from elsewhere
        ("Ce chiffre a permis de déclarer que la courbe s'inversait.", None),
    ],
)
def test_rules_link_speakers_named_inside_a_noun_phrase(sentence: str, entity: str | None) -> None:
    [quote] = rule_quotes(sentence)
    assert quote[4] == entity


def test_rules_revision_on_a_train_document() -> None:
    doc = "wn-2016_11_11-002"
    assert load_splits(CORPUS.splits_file)["assignments"][doc] == "train"
    [document] = quotes_rules.predict(CORPUS, [doc], [doc])
    fronted = [q for q in document["quotes"] if q["cue"] and q["cue"]["text"] == "Selon"]
    assert [q["content"]["text"] for q in fronted] == [
        "des individus ont brisé des vitrines, endommagé des voitures et jeté des projectiles"
        " sur les policiers"
    ]
    assert fronted[0]["speaker"]["text"] == "les autorités"
    assert fronted[0]["speaker_entity_id"] is None  # a plural noun phrase names no one


def _rules_code(source: str) -> str:
    """The module's code without its docstring and the freeze note (FROZEN_AT and its text)."""
    body = ast.parse(source).body
    kept: list[ast.stmt] = []
    for number, statement in enumerate(body):
        is_text = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        after_freeze = number > 0 and _assigns_frozen_at(body[number - 1])
        if (number == 0 and is_text) or _assigns_frozen_at(statement) or (is_text and after_freeze):
            continue
        kept.append(statement)
    return ast.dump(ast.Module(body=kept, type_ignores=[]))


def _assigns_frozen_at(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == "FROZEN_AT" for target in statement.targets
    )


def test_rules_are_unchanged_since_the_freeze() -> None:
    path = "src/propos/baselines/quotes_rules.py"
    frozen = subprocess.run(
        ["git", "show", f"{quotes_rules.FROZEN_AT}:{path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if frozen.returncode != 0:
        pytest.skip(f"no git history with commit {quotes_rules.FROZEN_AT} here")
    current = (ROOT / path).read_text(encoding="utf-8")
    assert _rules_code(current) == _rules_code(frozen.stdout)
    assert quotes_rules.FROZEN_AT in evaluation.QUOTE_RULES_FROZEN
    assert f"frozen at commit {quotes_rules.FROZEN_AT}" in (quotes_rules.__doc__ or "")

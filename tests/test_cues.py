"""Cue matching: every codebook pattern fires, foils of contrasts and negations are suppressed."""

from __future__ import annotations

import time

import pytest

from vcse_modes import MEDIA
from vcse_modes.codebook import POLES, CuePattern, load_codebook
from vcse_modes.cues import CueHit, CueMatcher, count_vector, feature_names, phrase_variants
from vcse_modes.nlp import load_nlp

CODEBOOK = load_codebook()
PATTERNS = list(CODEBOOK.cue_patterns())


def _id(cue: CuePattern) -> str:
    return f"{cue.medium}:{cue.pole}:{cue.phrase}"


@pytest.fixture(scope="module")
def matcher() -> CueMatcher:
    return CueMatcher(CODEBOOK)


def _hits_for(hits: list[CueHit], cue: CuePattern) -> list[CueHit]:
    return [h for h in hits if h.medium == cue.medium and h.pole == cue.pole]


def _covering(hits: list[CueHit], text: str, phrase_text: str) -> list[CueHit]:
    start = text.index(phrase_text)
    end = start + len(phrase_text)
    return [h for h in hits if h.start_char < end and start < h.end_char]


def find(matcher: CueMatcher, text: str) -> list[CueHit]:
    return matcher.find(load_nlp()(text))


def active(hits: list[CueHit]) -> set[tuple[str, str, str]]:
    return {(h.text, h.medium, h.pole) for h in hits if not h.suppressed}


def suppressed(hits: list[CueHit]) -> set[tuple[str, str, str]]:
    return {(h.text, h.medium, h.pole) for h in hits if h.suppressed}


# -- every pattern in the TOML ---------------------------------------------------------------


@pytest.mark.parametrize("cue", PATTERNS, ids=_id)
def test_every_pattern_fires_active(matcher: CueMatcher, cue: CuePattern) -> None:
    text = f"The paper mentioned {cue.phrase} twice."
    hits = _hits_for(find(matcher, text), cue)
    assert hits, f"no {cue.medium}/{cue.pole} hit for {cue.phrase!r}"
    assert any(not h.suppressed for h in hits)
    hit = next(h for h in hits if not h.suppressed)
    assert text[hit.start_char : hit.end_char] == hit.text
    assert cue.phrase.lower() in hit.text.lower()


@pytest.mark.parametrize("cue", PATTERNS, ids=_id)
def test_every_pattern_fires_in_capitals(matcher: CueMatcher, cue: CuePattern) -> None:
    text = f"THE PAPER MENTIONED {cue.phrase.upper()} TWICE."
    assert any(not h.suppressed for h in _hits_for(find(matcher, text), cue))


@pytest.mark.parametrize("cue", PATTERNS, ids=_id)
def test_every_pattern_is_suppressed_as_a_contrast_foil(matcher: CueMatcher, cue: CuePattern) -> None:
    text = f"We chose this approach rather than {cue.phrase}."
    hits = _covering(_hits_for(find(matcher, text), cue), text, cue.phrase)
    assert hits, f"no {cue.medium}/{cue.pole} hit for {cue.phrase!r}"
    assert all(h.suppressed and h.reason == "contrast: rather than" for h in hits)


@pytest.mark.parametrize("cue", PATTERNS, ids=_id)
def test_every_pattern_is_suppressed_when_negated(matcher: CueMatcher, cue: CuePattern) -> None:
    text = f"The board did not use {cue.phrase} here."
    hits = _covering(_hits_for(find(matcher, text), cue), text, cue.phrase)
    assert hits and all(h.suppressed and h.reason == "negation: not" for h in hits)


@pytest.mark.parametrize("cue", [c for c in PATTERNS if "-" in c.phrase], ids=_id)
def test_hyphenated_patterns_match_spaced_and_joined_spellings(matcher: CueMatcher, cue: CuePattern) -> None:
    for spelling in (cue.phrase.replace("-", " "), cue.phrase.replace("-", "")):
        text = f"The paper mentioned {spelling} twice."
        assert any(not h.suppressed for h in _hits_for(find(matcher, text), cue)), spelling


# -- hand-written cases ------------------------------------------------------------------------


def test_partners_rather_than_providers(matcher: CueMatcher) -> None:
    hits = find(matcher, "We want them as partners rather than providers.")
    assert ("partners", "discursive_control", "collaborative") in active(hits)
    assert ("providers", "discursive_control", "commodified") in suppressed(hits)
    assert not active(hits) & {("providers", "discursive_control", "commodified")}


def test_instead_of_a_tender_we_awarded_grants(matcher: CueMatcher) -> None:
    hits = find(matcher, "Instead of a tender we awarded grants.")
    assert suppressed(hits) == {("tender", "provider_competition", "commodified")}
    assert ("grants", "resource_dependencies", "collaborative") in active(hits)


def test_clause_initial_instead_of_stops_at_the_comma(matcher: CueMatcher) -> None:
    hits = find(matcher, "Instead of competitive tendering, we gave the hospice grants.")
    assert suppressed(hits) == {("competitive tendering", "provider_competition", "commodified")}
    assert ("grants", "resource_dependencies", "collaborative") in active(hits)


def test_clause_initial_foil_stops_at_a_new_subject(matcher: CueMatcher) -> None:
    hits = find(matcher, "Instead of competitive tendering the council gave small grants.")
    assert ("competitive tendering", "provider_competition", "commodified") in suppressed(hits)
    assert ("small grants", "resource_dependencies", "collaborative") in active(hits)


def test_mid_clause_foil_runs_through_a_list(matcher: CueMatcher) -> None:
    hits = find(matcher, "We fund grants rather than contract monitoring and KPIs.")
    assert ("grants", "resource_dependencies", "collaborative") in active(hits)
    assert {
        ("contract monitoring", "managerial_techniques", "commodified"),
        ("KPIs", "managerial_techniques", "commodified"),
    } <= suppressed(hits)


def test_moving_away_from_tendering_towards_alliance_working(matcher: CueMatcher) -> None:
    hits = find(matcher, "We are moving away from competitive tendering towards alliance working.")
    assert suppressed(hits) == {("competitive tendering", "provider_competition", "commodified")}
    assert ("alliance", "negotiated_order", "collaborative") in active(hits)
    reason = next(h.reason for h in hits if h.suppressed)
    assert reason == "contrast: moving away from"


def test_not_a_contract_but_a_grant(matcher: CueMatcher) -> None:
    hits = find(matcher, "It was not a contract but a grant.")
    assert suppressed(hits) == {("contract", "juridical_control", "commodified")}
    assert active(hits) == {("grant", "resource_dependencies", "collaborative")}


def test_no_longer_a_lead_provider(matcher: CueMatcher) -> None:
    hits = find(matcher, "The hospice is no longer a lead provider.")
    assert suppressed(hits) == {("lead provider", "managerial_techniques", "commodified")}
    assert not active(hits)


def test_shift_from_grants_to_contracts_keeps_the_destination(matcher: CueMatcher) -> None:
    hits = find(matcher, "The shift from grants to contracts hit small charities hardest.")
    assert ("grants", "resource_dependencies", "collaborative") in suppressed(hits)
    assert ("contracts", "juridical_control", "commodified") in active(hits)


@pytest.mark.parametrize(
    "text",
    [
        "We replaced competitive tendering with grants.",
        "Competitive tendering was replaced by grants.",
        "Competitive tendering has been replaced with grants.",
    ],
)
def test_replace_y_with_x(matcher: CueMatcher, text: str) -> None:
    hits = find(matcher, text)
    assert {h.text.lower() for h in hits if h.suppressed} == {"competitive tendering"}
    assert ("grants", "resource_dependencies", "collaborative") in active(hits)


def test_as_opposed_to_and_not_just(matcher: CueMatcher) -> None:
    hits = find(
        matcher, "Commissioners are not just buyers of services but facilitators, as opposed to auditors."
    )
    assert ("buyers of services", "managerial_techniques", "commodified") in suppressed(hits)
    assert ("facilitators", "managerial_techniques", "collaborative") in active(hits)


@pytest.mark.parametrize(
    "text,cue",
    [
        ("It is not a competitive tender.", "competitive tender"),
        ("The service was never tendered.", "tendered"),
        ("We awarded it without competition from anyone.", None),
        ("There are no KPIs in the grant.", "KPIs"),
        ("We don't have to tender this service.", "tender"),
        ("We did not go out to tender.", "out to tender"),
    ],
)
def test_direct_negation(matcher: CueMatcher, text: str, cue: str | None) -> None:
    hits = find(matcher, text)
    if cue is None:  # "without competition" is itself a collaborative cue, not a negated one
        assert ("without competition", "provider_competition", "collaborative") in active(hits)
        return
    assert cue in {h.text for h in hits if h.suppressed and h.reason.startswith("negation")}


@pytest.mark.parametrize(
    "text,cue",
    [
        ("I can't stand competitive tendering.", "competitive tendering"),
        ("We had no choice but to go out to tender.", "out to tender"),
        ("We did not win the tender.", "tender"),
        ("Whether or not they tender, we partner.", "tender"),
        ("Not only a tender but a framework agreement too.", "tender"),
        ("Not-for-profit providers tender for it.", "tender"),
        ("The tender was not successful.", "tender"),
    ],
)
def test_negation_that_is_not_about_the_practice(matcher: CueMatcher, text: str, cue: str) -> None:
    hits = find(matcher, text)
    assert cue in {h.text for h in hits if not h.suppressed}


@pytest.mark.parametrize(
    "text,suppressed_expected",
    [
        ("Without the hospice's volunteers we could not meet our statutory duties.", False),
        ("Without their volunteers, there would be no service at all.", False),
        ("Without grants we cannot survive.", False),
        ("We run the service without volunteers.", True),
        ("Without volunteers the service runs. We could not object.", True),
    ],
)
def test_counterfactual_without(matcher: CueMatcher, text: str, suppressed_expected: bool) -> None:
    hits = [h for h in find(matcher, text) if h.medium == "resource_dependencies"]
    assert hits and all(h.suppressed is suppressed_expected for h in hits)


def test_approval_does_not_matter(matcher: CueMatcher) -> None:
    """The rule above all: a complaint about tendering is still tendering."""
    hits = find(matcher, "Honestly the competitive tendering is awful and the KPIs are a nightmare.")
    assert {
        ("competitive tendering", "provider_competition", "commodified"),
        ("KPIs", "managerial_techniques", "commodified"),
    } <= active(hits)


def test_contrast_stays_in_its_sentence(matcher: CueMatcher) -> None:
    hits = find(matcher, "We prefer grants rather than. Tendering continues.")
    assert ("Tendering", "provider_competition", "commodified") in active(hits)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("The service was Tendered last year.", ("Tendered", "provider_competition", "commodified")),
        ("Monthly KPIs are reported.", ("KPIs", "managerial_techniques", "commodified")),
        ("The pathway was Co-produced with carers.", ("Co-produced", "negotiated_order", "collaborative")),
        ("Services were co-designed.", ("co-designed", "negotiated_order", "collaborative")),
        ("Coproduction is central.", ("Coproduction", "negotiated_order", "collaborative")),
        ("Co production is central.", ("Co production", "negotiated_order", "collaborative")),
        (
            "It was paid on a payment-by-results basis.",
            ("payment-by-results", "managerial_techniques", "commodified"),
        ),
        ("The Partners met.", ("Partners", "discursive_control", "collaborative")),
        ("Several workarounds were used.", ("workarounds", "managerial_techniques", "collaborative")),
        ("The contract was retendered.", ("retendered", "provider_competition", "commodified")),
        ("It was re-tendered in 2023.", ("re-tendered", "provider_competition", "commodified")),
        ("Two MoUs were signed.", ("MoUs", "juridical_control", "collaborative")),
        (
            "Funding is on a light touch monitoring basis.",
            ("light touch monitoring", "managerial_techniques", "collaborative"),
        ),
        ("VOLUNTEERS run the café.", ("VOLUNTEERS", "resource_dependencies", "collaborative")),
    ],
)
def test_capitalisation_and_inflection(
    matcher: CueMatcher, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in active(find(matcher, text))


def test_longest_cue_wins_and_look_alikes_are_ignored(matcher: CueMatcher) -> None:
    hits = find(matcher, "The lead provider and the NHS trust met; there was a lack of trust.")
    texts = {(h.text, h.medium, h.pole) for h in hits}
    assert ("lead provider", "managerial_techniques", "commodified") in texts
    assert ("lack of trust", "negotiated_order", "commodified") in texts
    assert not any(h.text in {"provider", "trust"} for h in hits)
    assert not find(matcher, "Our marketing team said lots of people were granted places.")


def test_mixed_devices_count_for_both_poles(matcher: CueMatcher) -> None:
    hits = find(matcher, "The ICB made a direct award under the Provider Selection Regime.")
    poles = {(h.medium, h.pole) for h in hits if not h.suppressed}
    assert {("juridical_control", "commodified"), ("juridical_control", "collaborative")} <= poles


def test_span_offsets_are_relative_to_the_span(matcher: CueMatcher) -> None:
    doc = load_nlp()("Intro sentence here. We ran a competitive tender rather than a grant.")
    span = doc[4:]
    hits = matcher.find(span)
    assert hits and all(span.text[h.start_char : h.end_char] == h.text for h in hits)
    assert ("competitive tender", "provider_competition", "commodified") in active(hits)
    assert ("grant", "resource_dependencies", "collaborative") in suppressed(hits)
    assert matcher.find(doc[0:4]) == []


def test_strings_are_accepted(matcher: CueMatcher) -> None:
    assert active(matcher.find("A partnership board met.")) == {
        ("partnership board", "negotiated_order", "collaborative")
    }


def test_matcher_pickles_without_its_spacy_state(matcher: CueMatcher) -> None:
    import pickle

    matcher.find("warm up")
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy._matcher is None
    assert active(copy.find("A competitive tender.")) == {
        ("competitive tender", "provider_competition", "commodified")
    }


def test_matcher_is_built_lazily() -> None:
    fresh = CueMatcher(CODEBOOK)
    assert fresh._matcher is None
    fresh.find("Nothing to see.")
    assert fresh._matcher is not None


# -- counts ------------------------------------------------------------------------------------


def test_count_vector(matcher: CueMatcher) -> None:
    hits = find(matcher, "We want partners rather than providers, and grants not contracts.")
    counts = count_vector(hits)
    assert tuple(counts) == feature_names(MEDIA) == matcher.feature_names()
    assert len(counts) == 2 * len(MEDIA) * len(POLES)
    assert counts["active:discursive_control:collaborative"] == 1
    assert counts["suppressed:discursive_control:commodified"] == 1
    assert counts["active:resource_dependencies:collaborative"] == 1
    assert counts["suppressed:juridical_control:commodified"] == 1
    assert sum(counts.values()) == len(hits)
    rates = count_vector(hits, n_tokens=50)
    assert rates["active:discursive_control:collaborative"] == pytest.approx(2.0)
    assert matcher.count_vector(hits) == counts
    assert count_vector([], n_tokens=0) == dict.fromkeys(feature_names(MEDIA), 0.0)


def test_no_two_patterns_of_a_list_share_lemmas() -> None:
    nlp = load_nlp()
    for medium in CODEBOOK.media:
        for pole in POLES:
            seen: dict[tuple[str, ...], str] = {}
            for cue in medium.cues_for(pole):
                norms = tuple(t.norm_ for t in nlp(cue.phrase))
                assert norms not in seen, f"{cue.phrase!r} repeats {seen[norms]!r} ({medium.id}, {pole})"
                seen[norms] = cue.phrase


def test_phrase_variants() -> None:
    assert {"co-production", "co production", "coproduction"} <= set(phrase_variants("co-production"))
    assert "payment-by-results" in phrase_variants("payment by results")
    assert "KPIs" in phrase_variants("KPI")
    assert "retendered" in phrase_variants("re-tender")


def test_speed(matcher: CueMatcher) -> None:
    nlp = load_nlp()
    text = (
        "The ICB will run a competitive tender for the social prescribing service rather than "
        "renewing the grant, although the VCSE alliance asked for co-design and mutual trust. "
    )
    docs = list(nlp.pipe([text * 3] * 300))
    matcher.find(docs[0])
    started = time.perf_counter()
    for doc in docs:
        matcher.find(doc)
    assert time.perf_counter() - started < 3.0


def test_ranges_of_one_doc_match_each_range_searched_alone(matcher: CueMatcher) -> None:
    text = (
        "We ran a competitive tender rather than a grant. The alliance did not tender. "
        "Without their volunteers we could not cope. KPIs were replaced by shared outcomes. "
        "Instead of a contract, the council signed an MoU."
    )
    doc = load_nlp()(text)
    ends = lambda lo: (lo + 4, lo + 11, len(doc))  # noqa: E731
    ranges = [(lo, hi) for lo in range(0, len(doc), 3) for hi in ends(lo) if hi <= len(doc)]
    together = CueMatcher(CODEBOOK).find_ranges(doc, ranges)
    alone = []
    for lo, hi in ranges:
        fresh = CueMatcher(CODEBOOK)
        # A copy of the span as its own doc: nothing outside the range can be seen.
        alone.append(fresh.find(load_nlp()(doc[lo:hi].text)) if hi > lo else [])
    assert [[(h.medium, h.pole, h.text, h.suppressed) for h in hits] for hits in together] == [
        [(h.medium, h.pole, h.text, h.suppressed) for h in hits] for hits in alone
    ]
    assert any(together) and any(h.suppressed for hits in together for h in hits)

"""The importer against the corpus of real reply letters (tests/fixtures/letters): the
accuracy bench's figures at the targets of issue 19, relative to the corpus's size."""

import pytest

from bench import letter_accuracy


def test_the_corpus_is_read_at_the_targets():
    report = letter_accuracy.measure()
    if report["letters"] == 0:
        pytest.skip("no letters in tests/fixtures/letters")
    figures = letter_accuracy.table(report) + letter_accuracy.listing(report)
    assert report["right_share"] >= 0.95, figures
    assert report["wrong_share"] <= 0.01, figures
    assert report["all_right_share"] >= 0.90, figures


def test_every_letter_has_its_expected_fields():
    for expected_file in letter_accuracy.CORPUS.glob("*.json"):
        assert expected_file.with_suffix(".txt").exists(), expected_file.name


SHAPES = (
    "signer_on_number_line", "class_inline", "spaced_labels", "ascii_punctuation",
    "multiline_title", "subject_only_title", "no_title", "salutation_honorific",
    "salutation_group", "many_names", "kind_by_wording", "contact_one_line", "contact_combined",
    "record_baosong", "record_chaosong", "yinfa", "chinese_numeral_date", "spaced_date",
    "no_signing_organ", "distractor_dates", "fenban_in_body", "joint_in_body",
)  # fmt: skip
LEVELS = {"national": 3, "provincial": 2, "city": 2, "county": 2}
# Issue 19 asks for every shape in at least two letters and three national letters. These are
# still short: no further complete published letter with them was found in the stored pages
# searched. Each entry must stay truly short (the test below fails once a letter fills it, so
# the entry is removed then); nothing else may fall short.
OPEN_SHORTFALLS = {
    "chinese_numeral_date": 1,
    "yinfa": 1,
    "fenban_in_body": 1,
    "subject_only_title": 1,
    "spaced_date": 0,
    "national": 1,
}


def corpus_counts():
    import json

    counts = dict.fromkeys((*SHAPES, *LEVELS), 0)
    for expected_file in letter_accuracy.CORPUS.glob("*.json"):
        letter = json.loads(expected_file.read_text(encoding="utf-8"))
        unknown = set(letter["shapes"]) - set(SHAPES)
        assert not unknown and letter["level"] in LEVELS, (expected_file.name, unknown)
        for name in (*set(letter["shapes"]), letter["level"]):
            counts[name] += 1
    return counts


def test_every_shape_in_two_letters_and_every_level_present():
    counts = corpus_counts()
    needed = {name: LEVELS.get(name, 2) for name in counts}
    short = {name: n for name, n in counts.items() if n < needed[name]}
    assert short == OPEN_SHORTFALLS, counts

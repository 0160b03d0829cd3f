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

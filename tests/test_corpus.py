"""Check that the committed corpus is what the generator writes, and that it splits cleanly."""

import string

import pytest

from seqcourse.corpus import CORPUS_PATH, generate_corpus, load_corpus, split_corpus

ALLOWED = set(string.ascii_letters + " \n.,;:'\"()?!-")


@pytest.fixture(scope="module")
def text():
    return load_corpus()


def test_committed_file_is_the_generator_output():
    """Check that harbour.txt is generate_corpus() byte for byte (rewrite: python -m seqcourse.corpus)."""
    assert CORPUS_PATH.read_bytes() == generate_corpus().encode("utf-8")


def test_generator_is_deterministic_and_seeded():
    """Check that one seed always gives the same text and another seed a different one."""
    assert generate_corpus(5_000, seed=1) == generate_corpus(5_000, seed=1)
    assert generate_corpus(5_000, seed=1) != generate_corpus(5_000, seed=2)


def test_length_and_paragraph_layout(text):
    """Check the size, the blank lines between paragraphs and the 72-character lines."""
    assert 120_000 <= len(text) < 122_000
    assert text[-1] == "\n" and text[-2] in '.?!"', "the text should end with a finished sentence"
    assert "\n\n\n" not in text
    assert max(len(line) for line in text.splitlines()) <= 72
    assert text.count("\n\n") > 200


def test_vocabulary_is_small_ascii(text):
    """Check that the text uses only letters, space, newline and a little punctuation."""
    vocab = set(text)
    assert text.isascii()
    assert vocab <= ALLOWED, f"unexpected characters: {sorted(vocab - ALLOWED)}"
    assert 40 <= len(vocab) <= 60


def test_quotes_and_parentheses_match_within_paragraphs(text):
    """Check that every paragraph closes the quotes and parentheses it opens."""
    for paragraph in text.split("\n\n"):
        assert paragraph.count('"') % 2 == 0, paragraph
        assert paragraph.count("(") == paragraph.count(")"), paragraph


def test_split_concatenates_back(text):
    """Check that train + val is exactly the text."""
    train, val = split_corpus(text)
    assert train + val == text


def test_split_is_at_a_paragraph_start(text):
    """Check that validation starts at the first character of a paragraph."""
    train, val = split_corpus(text)
    assert train.endswith("\n\n")
    assert val[0].isupper() or val[0] == '"'


def test_split_fraction(text):
    """Check that the validation part is 8-12 % of the text, for the default and another fraction."""
    _, val = split_corpus(text)
    assert 0.08 <= len(val) / len(text) <= 0.12
    _, val = split_corpus(text, val_fraction=0.2)
    assert 0.18 <= len(val) / len(text) <= 0.22


def test_split_without_paragraphs_fails_clearly():
    """Check that a text with no blank line is refused instead of split mid-paragraph."""
    with pytest.raises(ValueError, match="paragraph"):
        split_corpus("One paragraph only.\n")

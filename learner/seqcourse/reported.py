"""Results that one chapter measures and others quote, written once.

Chapter 02 compares its n-gram models with chapter 03's character RNN, and chapter 03 compares the
RNN with chapter 02's best n-gram models; later chapters add their models to the same table. Each
number is measured by the chapter named in its comment, on the course corpus's validation text
(`seqcourse.corpus.split_corpus`, chapter 03's vocabulary). The test suite checks that every number
here equals what its chapter prints when it runs, so no chapter quotes a stale value.
"""

# Validation perplexity, per character, of each model on the course corpus.
CORPUS_PERPLEXITY = {
    "ngram_add_alpha_best": 2.76,  # chapter 02: the best add-alpha n-gram model (order 4, a 5-gram)
    "ngram_interpolated": 2.36,    # chapter 02: interpolated n-gram model
    "rnn": 2.79,                   # chapter 03: the character RNN, 800 training steps
}

# The same, in nats per character, where a chapter prints it (the logarithm of a rounded perplexity
# would be off in the third decimal).
CORPUS_NATS = {
    "rnn": 1.027,                  # chapter 03: the character RNN, 800 training steps
}

"""Category columns encode with a vocabulary given, not adapted: the encoding must be the one
Keras' own adapted StringLookup gives (the oracle below), for training cells and for values first
seen at serving, on any column - ties, unicode, missing cells, values seen once, more values than
CATEGORY_SLOTS. (FeatureSpace.adapt made one pass over the table per category column: 200 of
them took two minutes before the first step.)"""

import collections

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktrain_kit.data import features

VALUES = st.sampled_from(["a", "b", "B", "é", "日本", "", "NA", "x y", "[UNK]x", "z", "0", "1"])


def adapted_encoding(train_cells, cells):
    """The oracle: values seen once (or past the CATEGORY_SLOTS most frequent) pooled into
    RARE, then keras' StringLookup adapted on the pooled training column and one-hot by
    CategoryEncoding - FeatureSpace.string_categorical's recipe."""
    import keras
    counts = collections.Counter(train_cells)
    kept = sorted((v for v, n in counts.items() if n > 1),
                  key=lambda v: (-counts[v], v.encode()))[:features.CATEGORY_SLOTS]
    pool = lambda column: [v if v in kept else features.RARE for v in column]  # noqa: E731
    lookup = keras.layers.StringLookup(max_tokens=features.CATEGORY_SLOTS + 2,
                                       num_oov_indices=1)
    lookup.adapt(np.array(pool(train_cells), dtype=object)[:, None])
    onehot = keras.layers.CategoryEncoding(num_tokens=lookup.vocabulary_size(),
                                           output_mode="one_hot")
    return np.asarray(onehot(lookup(np.array(pool(cells), dtype=object)))), \
        lookup.get_vocabulary()


def given_encoding(train_cells, cells):
    specs = [{"name": "c", "column": 0, "dtype": "string", "type": "categorical",
              "missing": 0}]
    prep = features.TablePreprocessing(specs, {"c": np.array(train_cells, dtype=object)})
    vocabulary = prep.space.preprocessors[features.space_key("c")].get_vocabulary()
    return prep.encode({"c": np.array(cells, dtype=object)}).numpy(), vocabulary


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(train=st.lists(VALUES, min_size=1, max_size=40),
       serving=st.lists(st.sampled_from(["a", "never seen", "b", "é", "", "q"]), max_size=6))
def test_a_given_vocabulary_encodes_as_keras_adapted_one(train, serving):
    """Missing spellings (`NA`, "") are cleaned to "" before either encoding: the oracle reads
    the cells as `clean` leaves them."""
    cleaned = ["" if c in ("", "NA") else c for c in train]
    cleaned_serving = ["" if c in ("", "NA") else c for c in serving]
    ours, our_vocabulary = given_encoding(train, train + serving)
    theirs, their_vocabulary = adapted_encoding(cleaned, cleaned + cleaned_serving)
    assert [str(v) for v in our_vocabulary] == [str(v) for v in their_vocabulary]
    np.testing.assert_array_equal(ours, theirs)


def test_more_values_than_slots_keep_the_most_frequent_and_pool_the_rest():
    """A third more values than slots, each seen a different number of times, some once: the
    CATEGORY_SLOTS most frequent keep a slot each, every other value (the ones seen once, the
    least frequent, one first seen at serving) lands in RARE's - as Keras' adapted lookup of
    the pooled column does."""
    rng = np.random.default_rng(0)
    train = [f"v{i}" for i in range(features.CATEGORY_SLOTS * 13 // 10)
             for _ in range(1 + i % 7)] + ["once"]
    train = list(rng.permutation(train))
    ours, vocabulary = given_encoding(train, train + ["unseen"])
    theirs, _ = adapted_encoding(train, train + ["unseen"])
    np.testing.assert_array_equal(ours, theirs)
    assert len(vocabulary) == features.CATEGORY_SLOTS + 2  # [UNK], the slots kept, RARE
    assert vocabulary[int(ours[-1].argmax())] == features.RARE

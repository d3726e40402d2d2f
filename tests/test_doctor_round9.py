"""The doctor on two classes round 8's held-out configs left unnamed: a weight average (EMA)
that after the whole run is still mostly the first step's weights (EMA_FIRST_STEP_SHARE), and
a text vocabulary too small to read most words (TEXT_UNKNOWN_SHARE)."""

import collections
import json

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits

from ktrain_kit import doctor
from ktrain_kit.doctor import rules
from conftest import load_config
from reference import reference_words


def digits_split():
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    order = np.random.default_rng(0).permutation(len(x))
    return x[order][:1400], y[order][:1400], x[order][1400:], y[order][1400:]


def ema_training(momentum):
    """Users' own Keras: a digits MLP under Adam with Keras' weight average, 3 epochs (132
    updates); the first step's weights are kept to compare the average against."""
    keras.utils.set_random_seed(0)
    x_train, y_train, x_val, y_val = digits_split()
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10)])
    model.compile(keras.optimizers.Adam(1e-3, use_ema=True, ema_momentum=momentum),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    first = {}
    keep_first = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: first.setdefault(
            "weights", [w.copy() for w in model.get_weights()]))
    raw = {}
    keep_raw = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: raw.update(
        weights=[w.copy() for w in model.get_weights()]))
    doc = doctor.TrainingDoctor((x_val[:64], y_val[:64]),
                                reference_data=(x_train[:1024], y_train[:1024]))
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=3, batch_size=32,
              verbose=0, callbacks=[keep_first, keep_raw, doc])
    return model, doc, first["weights"], raw["weights"]


def distance(a, b):
    return float(np.sqrt(sum(np.sum((u - v) ** 2) for u, v in zip(a, b))))


def test_a_weight_average_still_mostly_the_first_steps_weights_is_named():
    model, doc, first, trained = ema_training(0.9999)
    updates = int(np.asarray(model.optimizer.iterations))
    averaged = model.get_weights()  # Keras writes the average into the model when fit ends
    # the claim, checked against the weights themselves: the evaluated (averaged) weights lie
    # nearer the first step's than the weights training reached
    assert distance(averaged, first) < distance(averaged, trained) / 5
    top = [f for f in doc.findings if f.severity != "info"]
    assert [(f.symptom, f.severity) for f in top] == [("underfitting", "warning")], doc.findings
    assert top[0].evidence["first_step_share"] == pytest.approx(0.9999 ** (updates - 1))
    assert "EMA, momentum 0.9999" in top[0].causes[0]
    # Keras' default momentum over the same run: no word of the average
    model, doc, first, trained = ema_training(0.99)
    assert not any("EMA" in " ".join(f.causes) for f in doc.findings)
    assert not [f for f in doc.findings if f.severity != "info"]


def test_the_average_keras_keeps_gives_the_first_step_the_share_the_rule_reads():
    """EMA_FIRST_STEP_SHARE's m ** (n - 1), against Keras' own average: one weight that SGD
    moves by exactly 1 a step (loss -w), so w_k = w_0 + k and the average is a closed form."""
    keras.utils.set_random_seed(0)
    m, n = 0.9, 7
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False,
                                                                    kernel_initializer="zeros")])
    model.compile(keras.optimizers.SGD(1.0, use_ema=True, ema_momentum=m),
                  lambda y, p: -keras.ops.mean(p))
    model.fit(np.ones((n, 1)), np.zeros((n, 1)), batch_size=1, epochs=1, verbose=0,
              shuffle=False)
    steps = np.arange(1, n + 1, dtype=float)  # w_k after step k
    expected = m ** (n - 1) * steps[0] + sum((1 - m) * m ** (n - k) * steps[k - 1]
                                              for k in range(2, n + 1))
    assert float(model.get_weights()[0][0, 0]) == pytest.approx(expected, rel=1e-5)
    from ktrain_kit.doctor.facts import optimizer_facts
    facts = optimizer_facts(model.optimizer)
    assert (facts["ema_momentum"], facts["ema_updates"]) == (pytest.approx(m), n)


def corpus(seed=0):
    """Texts of words with distinct frequencies (word i drawn with weight 1 / (i + 1))."""
    rng = np.random.default_rng(seed)
    words = [f"w{chr(97 + i)}" for i in range(20)]
    p = 1 / np.arange(1, 21)
    return [" ".join(rng.choice(words, size=30, p=p / p.sum())) for _ in range(200)]


def test_the_unknown_word_share_is_the_words_outside_the_vocabulary():
    from ktrain_kit.data.text import TextPreprocessing
    texts = np.array(corpus(), dtype=object)
    counts = collections.Counter(w for t in texts for w in reference_words(t))
    for words in (2, 5, 30):
        kept = {w for w, _ in counts.most_common(words)}
        expected = sum(n for w, n in counts.items() if w not in kept) / sum(counts.values())
        pre = TextPreprocessing(texts, max_tokens=words + 2, length=0, where="texts")
        ids = pre.encode({"text": texts}).numpy()
        assert pre.unknown_share(ids) == pytest.approx(expected)


def test_a_vocabulary_too_small_to_read_the_texts_is_named_by_the_launcher(tmp_path):
    from benchmarks.text_docs import write_folder
    from ktrain_kit.training import train
    folder = write_folder(str(tmp_path / "docs"))
    c = load_config("text_bag", data__path=folder, data__text_max_tokens=4, train__epochs=6,
                    train__verbose=0, train__precision="float32")
    train(c, str(tmp_path / "run"))
    diagnosis = json.load(open(tmp_path / "run" / "diagnosis.json"))
    serious = [f for f in diagnosis["findings"] if f["severity"] != "info"]
    assert [(f["symptom"], f["severity"]) for f in serious] == [("data_problem", "warning")]
    assert "outside the vocabulary of 2 words" in serious[0]["causes"][0]
    assert serious[0]["evidence"]["unknown_word_share"] > rules.TEXT_UNKNOWN_SHARE
    assert "--config.data.text_max_tokens=20000" in serious[0]["suggested_overrides"]

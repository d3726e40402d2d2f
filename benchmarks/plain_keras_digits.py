"""The digits_cnn config written as a plain Keras script, for the wall-time comparison.

Same data split, model (2 stages of two 3x3 convs + batch norm, 32/64 filters), AdamW 3e-3 with
1 epoch of warmup then cosine, weight decay 1e-4, batch 32, 15 epochs, early stopping on
val_loss (patience 5, best weights). Prints the best validation accuracy.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

keras.utils.set_random_seed(0)
digits = load_digits()
x, y = digits.images[..., None].astype("float32"), digits.target.astype("int32")
order = np.random.default_rng(0).permutation(len(x))
n_val = round(len(x) * 0.2)
x_val, y_val, x_train, y_train = x[order[:n_val]], y[order[:n_val]], x[order[n_val:]], y[order[n_val:]]

inputs = keras.Input((8, 8, 1))
h = keras.layers.Normalization(mean=x_train.mean(), variance=x_train.var())(inputs)
for i, filters in enumerate((32, 64)):
    for _ in range(2):
        h = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(h)
        h = keras.layers.BatchNormalization()(h)
        h = keras.layers.Activation("relu")(h)
    h = keras.layers.MaxPooling2D()(h)
h = keras.layers.GlobalAveragePooling2D()(h)
h = keras.layers.Dropout(0.1)(h)
model = keras.Model(inputs, keras.layers.Dense(10)(h))

steps = len(x_train) // 32
schedule = keras.optimizers.schedules.CosineDecay(0.0, decay_steps=steps * 14,
                                                  warmup_target=3e-3, warmup_steps=steps)
model.compile(keras.optimizers.AdamW(schedule, weight_decay=1e-4),
              keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=32, epochs=15, validation_data=(x_val, y_val),
                    verbose=0, callbacks=[keras.callbacks.EarlyStopping(
                        patience=5, restore_best_weights=True)])
print(f"BEST_VAL_ACCURACY {max(history.history['val_accuracy']):.4f}")

"""Round 10 (h78): more real buggy programs with their documented fixes, as buggy/fixed pairs
(the doctor must name the fault on the first and stay quiet on the second), chosen above all
for their fixes: short trainings, small models and modest accuracies, as their authors left
them - healthy runs that are merely not great.

Sources: defect4ML (github.com/mohmehmo/defects4ml, bugs/NNN; ids no earlier round uses: 010,
011, 023, 025, 026, 027, 031, 095 - the first seven are git submodules there, read at the
commits their conf.ini names), DeepFD (github.com/ArabelaTso/DeepFD,
Benchmark/Benchmark-with-patches.xlsx rows no earlier round uses: 36, 53, 56, 58 - a row that
names a GitHub commit is read at that commit) and the Stack Overflow question DeepFD's row 36
quotes (SO 41327601). A program is ported as its source holds it; whatever a source leaves out
(data, sizes a CPU cannot afford, Keras 2 defaults that Keras 3 changed) is filled in and said
in each docstring. Nothing is downloaded: the data are scikit-learn's digits (enlarged, shifted
and noised where a program is about photographs) or generated tables and images. Fault kinds
the earlier rounds have few of: image-to-image regression under binary cross-entropy on soft
targets, a pairwise ranking net trained on all-one labels, a two-input model, a linear
regression of averages, a LeNet with a 1x1 convolution head, a traffic-sign CNN with a
sigmoid colour-mixing layer, an unscaled 5-class network-traffic table with heavy dropout,
too many epochs of a small CNN, too few updates on a 208-row table, binary cross-entropy on
ten one-hot classes.

All twelve programs were written and committed before any of them ran. The split is the
parity of the name's SHA-1 (field._hash_split), fixed when the group was written.
"""
import keras
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split

from benchmarks.doctor_cases.wild5 import _acc
from benchmarks.doctor_cases.wild5 import _pair as wild5_pair
from benchmarks.doctor_cases.wild6 import _fit
from benchmarks.doctor_cases.wild8 import _images16

SO = "https://stackoverflow.com/questions/"
D4ML = "defect4ML (github.com/mohmehmo/defects4ml bugs/{bug}): {url}"
DEEPFD = ("DeepFD (github.com/ArabelaTso/DeepFD Benchmark/Benchmark-with-patches.xlsx row "
          "{row}): {url}")


def _noisy_digits(seed, scale, copies=1, channels=1, noise=0.0, shift=0, binary=False,
                  test=0.25):
    """The digits enlarged `scale` times (np.kron), in 0..255, `copies` times over, each copy
    shifted by up to `shift` pixels and given Gaussian noise of `noise` (in 0..255 units):
    photographs' variety on bundled data. Labels 0..9, or digit >= 5."""
    rng = np.random.default_rng(seed)
    x, y = datasets.load_digits(return_X_y=True)
    base = np.kron(np.minimum(x * 16, 255).reshape(-1, 8, 8), np.ones((scale, scale)))
    images, labels = [], []
    for _ in range(copies):
        moved = base.copy()
        if shift:
            for i in range(len(moved)):
                dy, dx = rng.integers(-shift, shift + 1, size=2)
                moved[i] = np.roll(moved[i], (dy, dx), axis=(0, 1))
        images.append(np.clip(moved + rng.normal(0, noise, moved.shape), 0, 255))
        labels.append(y)
    x = np.concatenate(images)[..., None].repeat(channels, axis=-1).astype("float32")
    y = np.concatenate(labels)
    y = (y >= 5).astype("int32") if binary else y.astype("int32")
    return train_test_split(x, y, test_size=test, random_state=seed, stratify=y)


# ---------------------------------------------------------------- defect4ML programs
def d4ml026_traffic_sign_relu_front_convs(seed, fixed):
    """defect4ML bug 026 (ulmefors/Traffic-Sign-Classifier e6a48ce 'update activation
    functions'; DeepFD row 51): GTSRB 32x32x3 images in 0..255, `Lambda(p/255 - 0.5)`,
    Conv2D(3, 1x1, relu), Conv2D(16, 5x5, strides 2, relu), Conv2D(32, 3x3, relu),
    MaxPooling2D(2, 2), Conv2D(64, 3x3, relu), Conv2D(128, 3x3, relu), Flatten, Dropout(0.5),
    Dense(128, relu), Dropout(0.5), Dense(43, softmax); Adam(lr=0.001), categorical
    cross-entropy, batch_size=512, epochs=10, 20% validation (train_test_split,
    random_state=0). The fix: the 1x1 colour layer 'sigmoid', the next two 'elu'. Filled in:
    the digits for the signs (10 classes), enlarged to 32x32 in three equal channels, three
    copies each shifted by up to 3 pixels with noise 40 (5,391 images: about 11 updates an
    epoch, as the source's 34,799 signs at batch 512 give 55)."""
    x, xv, y, yv = _noisy_digits(seed, 4, copies=3, channels=3, noise=40.0, shift=3, test=0.2)
    act = ("sigmoid", "elu", "elu") if fixed else ("relu", "relu", "relu")
    m = keras.Sequential([
        keras.Input((32, 32, 3)), keras.layers.Lambda(lambda p: p / 255.0 - 0.5),
        keras.layers.Conv2D(3, (1, 1), activation=act[0]),
        keras.layers.Conv2D(16, (5, 5), strides=(2, 2), activation=act[1]),
        keras.layers.Conv2D(32, (3, 3), activation=act[2]),
        keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
        keras.layers.Conv2D(64, (3, 3), activation="relu"),
        keras.layers.Conv2D(128, (3, 3), activation="relu"),
        keras.layers.Flatten(), keras.layers.Dropout(0.5),
        keras.layers.Dense(128, activation="relu"), keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax")])
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
              loss="categorical_crossentropy", metrics=["accuracy"])
    y, yv = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yv, 10)
    return _fit(m, x, y, xv, yv, batch_size=512, epochs=10)


def d4ml010_lenet_conv3_instead_of_dense(seed, fixed):
    """defect4ML bug 010 (vmelan/cifar-experiment d6f013c 'Correct model architecture',
    LeNet/Keras): grayscale CIFAR-10 32x32x1 in 0..1; Conv2D(6, 5x5, glorot_uniform(seed=0)),
    tanh, AveragePooling2D(2), Conv2D(16, 5x5), tanh, AveragePooling2D(2), Conv2D(120, 5x5),
    tanh, Flatten, Dense(84), tanh, Dense(10), softmax; Adam(lr=0.01), categorical
    cross-entropy, batch_size=128, epochs=30, the rate times 0.9 every 5 epochs, 10%
    validation. The fix: no third convolution; Flatten, Dense(120) (no activation), Dense(84),
    tanh. Filled in: the digits for CIFAR (32x32, two copies shifted by up to 4 pixels with
    noise 60, so that a LeNet stays well short of perfect, as on CIFAR), 10 of the 30 epochs
    (CPU time), the fix's two Dense layers named apart (the commit names both 'FC_1', which
    Keras 3 refuses)."""
    x, xv, y, yv = _noisy_digits(seed, 4, copies=2, noise=60.0, shift=4, test=0.1)
    x, xv = x / 255.0, xv / 255.0
    init = lambda: keras.initializers.GlorotUniform(seed=0)  # noqa: E731
    layers = [keras.Input((32, 32, 1)),
              keras.layers.Conv2D(6, (5, 5), kernel_initializer=init()),
              keras.layers.Activation("tanh"), keras.layers.AveragePooling2D((2, 2)),
              keras.layers.Conv2D(16, (5, 5), kernel_initializer=init()),
              keras.layers.Activation("tanh"), keras.layers.AveragePooling2D((2, 2))]
    if fixed:
        layers += [keras.layers.Flatten(), keras.layers.Dense(120, name="FC_1"),
                   keras.layers.Dense(84, name="FC_1b")]
    else:
        layers += [keras.layers.Conv2D(120, (5, 5), kernel_initializer=init()),
                   keras.layers.Activation("tanh"), keras.layers.Flatten(),
                   keras.layers.Dense(84, name="FC_1")]
    layers += [keras.layers.Activation("tanh"), keras.layers.Dense(10),
               keras.layers.Activation("softmax")]
    m = keras.Sequential(layers)
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss="categorical_crossentropy", metrics=["accuracy"])
    step = keras.callbacks.LearningRateScheduler(lambda epoch: 0.01 * 0.9 ** (epoch // 5))
    out = _fit(m, x, keras.utils.to_categorical(y, 10), xv, keras.utils.to_categorical(yv, 10),
               batch_size=128, epochs=10)
    out["callbacks"] = [step]
    return out


def d4ml025_catsdogs_large_filters(seed, fixed):
    """defect4ML bug 025 (ronnyworm/keras_catsdogs 2380e40 'Smaller batches, smaller filters,
    one more layer -> success: 0.718 accuracy'; DeepFD row 54): cats and dogs photographs,
    pixels / 255, two one-hot classes; 64x64x3 images, Conv2D(32, 7x7, relu), MaxPooling2D(2),
    Conv2D(20, 5x5, relu), MaxPooling2D(2), Conv2D(20, 5x5, relu), MaxPooling2D(2),
    Conv2D(20, 3x3, relu), MaxPooling2D(2), Flatten, Dense(2, softmax); categorical
    cross-entropy, Adadelta(), batch_size=200, epochs=10. The fix: 32x32x3 images,
    batch_size=100, Conv2D(16, 3x3), MaxPooling2D(2), Conv2D(32, 3x3), Conv2D(32, 3x3),
    MaxPooling2D(2), Conv2D(32, 3x3), MaxPooling2D(2) - the author's 0.718 is a modest result
    left as it was. Filled in: digit >= 5 for cat / dog, as two copies shifted by up to an
    eighth of the side with noise 90 (3,594 images, a quarter held out), enlarged to 64x64 or
    32x32 in three channels; Adadelta's rate 1.0 (Keras 2's default; Keras 3's is 0.001)."""
    side = 32 if fixed else 64
    x, xv, y, yv = _noisy_digits(seed, side // 8, copies=2, channels=3, noise=90.0,
                                 shift=side // 8, binary=True)
    x, xv = x / 255.0, xv / 255.0
    conv = lambda n, k: keras.layers.Conv2D(n, (k, k), activation="relu")  # noqa: E731
    pool = lambda: keras.layers.MaxPooling2D(pool_size=(2, 2))  # noqa: E731
    if fixed:
        body = [conv(16, 3), pool(), conv(32, 3), conv(32, 3), pool(), conv(32, 3), pool()]
    else:
        body = [conv(32, 7), pool(), conv(20, 5), pool(), conv(20, 5), pool(), conv(20, 3),
                pool()]
    m = keras.Sequential([keras.Input((side, side, 3))] + body +
                         [keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    m.compile(loss="categorical_crossentropy",
              optimizer=keras.optimizers.Adadelta(learning_rate=1.0), metrics=["accuracy"])
    y, yv = keras.utils.to_categorical(y, 2), keras.utils.to_categorical(yv, 2)
    return _fit(m, x, y, xv, yv, batch_size=100 if fixed else 200, epochs=10)


def _pima_like(seed, n=768):
    """A Pima-diabetes-like table: 8 raw columns at the source's scales (pregnancies, glucose,
    blood pressure, skin, insulin with zeros for missing, BMI, pedigree, age), 35% positive,
    the outcome a noisy logistic function of glucose, BMI, age, pregnancies and pedigree
    (a linear model's accuracy about 0.77, as on Pima)."""
    rng = np.random.default_rng(seed)
    age = np.clip(rng.gamma(2.0, 6.0, n) + 21, 21, 81)
    preg = np.clip(rng.poisson((age - 18) / 6.0), 0, 17)
    glucose = np.clip(rng.normal(121, 31, n), 44, 199)
    bp = np.clip(rng.normal(69, 12, n), 24, 122) * (rng.random(n) > 0.05)
    skin = np.clip(rng.normal(29, 10, n), 7, 99) * (rng.random(n) > 0.3)
    insulin = np.clip(rng.lognormal(4.8, 0.6, n), 14, 846) * (rng.random(n) > 0.48)
    bmi = np.clip(rng.normal(32, 7, n), 18, 67)
    dpf = np.clip(rng.lognormal(-1.0, 0.6, n), 0.08, 2.42)
    z = lambda v: (v - v.mean()) / v.std()  # noqa: E731
    logit = 1.1 * z(glucose) + 0.6 * z(bmi) + 0.35 * z(age) + 0.2 * z(preg) + 0.3 * z(dpf)
    y = (logit + rng.logistic(0, 0.75, n) > 0.55).astype("float32")
    x = np.stack([preg, glucose, bp, skin, insulin, bmi, dpf, age], 1).astype("float32")
    return x, y


def d4ml027_pima_missing_hidden_layers(seed, fixed):
    """defect4ML bug 027 (eangelou/kerasma 2a2a46f; DeepFD row 57, 'missing/redundant/wrong
    layers'): the Pima Indians diabetes table (768 rows, 8 raw columns), Dense(12, relu),
    Dense(8, relu), Dense(1, sigmoid), binary cross-entropy, adam, epochs=150, batch_size=10,
    evaluated on its training rows. The fix adds Dense(16, relu), Dense(24, relu), Dense(8,
    relu) before the output. Filled in: a generated Pima-like table (_pima_like: raw scales,
    zeros for missing values, a linear model's ceiling about 0.77), a held-out fifth for
    validation, 50 of the 150 epochs (CPU time)."""
    x, y = _pima_like(seed)
    hidden = [12, 8] + ([16, 24, 8] if fixed else [])
    m = keras.Sequential([keras.Input((8,))] +
                         [keras.layers.Dense(n, activation="relu") for n in hidden] +
                         [keras.layers.Dense(1, activation="sigmoid")])
    m.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return _fit(m, x[:614], y[:614, None], x[614:], y[614:, None], epochs=50, batch_size=10)


def _superres_images(seed, n=160, side=24):
    """Smooth colour images (a few Gaussian blobs each) as targets in 0..1 and their blurred
    copies (a 3x3 box blur of the target) as inputs: the super-resolution program's pairs."""
    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(np.arange(side), np.arange(side), indexing="ij"), -1)
    y = np.zeros((n, side, side, 3))
    for i in range(n):
        for _ in range(4):
            centre, width = rng.uniform(0, side, 2), rng.uniform(1.5, 5)
            blob = np.exp(-((grid - centre) ** 2).sum(-1) / (2 * width ** 2))
            y[i] += blob[..., None] * rng.uniform(0, 1, 3)
    y = np.clip(y + 0.1, 0, 1)
    padded = np.pad(y, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    x = sum(padded[:, a:a + side, b:b + side] for a in range(3) for b in range(3)) / 9
    return x.astype("float32"), y.astype("float32")


def _superres(seed, loss, rate, epochs):
    """kcct-fujimotolab/keras-super-resolution train.py: Conv2D(128, 3x3, same), relu,
    Conv2D(64, 3x3, same), relu, Conv2D(3, 3x3, same), sigmoid; Adam, batch_size=64; 128
    training images, 32 held out (the program's images_sample/). Channels cut to 32 / 16 and
    128x128 images to 24x24 (CPU time); an 'mse' metric added so that the twins compare on one
    scale (the program reports its loss only)."""
    x, y = _superres_images(seed)
    m = keras.Sequential([
        keras.Input((24, 24, 3)), keras.layers.Conv2D(32, (3, 3), padding="same"),
        keras.layers.Activation("relu"), keras.layers.Conv2D(16, (3, 3), padding="same"),
        keras.layers.Activation("relu"), keras.layers.Conv2D(3, (3, 3), padding="same"),
        keras.layers.Activation("sigmoid")])
    m.compile(loss=loss, optimizer=keras.optimizers.Adam(learning_rate=rate), metrics=["mse"])
    return _fit(m, x[:128], y[:128], x[128:], y[128:], task="regression", batch_size=64,
                epochs=epochs)


def d4ml023_superres_200_epochs(seed, fixed):
    """defect4ML bug 023 (kcct-fujimotolab/keras-super-resolution a0532cf; 'suboptimal number
    of epochs'): the super-resolution net (_superres) under binary cross-entropy on the 0..1
    pixels, Adam(lr=0.0001), epochs=200. The fix: epochs=50 - a short run at a small rate,
    imperfect and documented as the fix. The same program at 50 epochs is DeepFD row 53's
    buggy twin (r10_deepfd53_superres_bce_adam_1e4): its bar (the validation cross-entropy
    reaching 0.55) and that twin's (the validation MSE never below 0.01) cannot both hold
    for that run unless the cross-entropy is within 0.08 of its floor at an MSE above 0.01."""
    return _superres(seed, "binary_crossentropy", 1e-4, 50 if fixed else 200)


def d4ml095_sonar_tf_keras_api(seed, fixed):
    """defect4ML bug 095 (SO 61706535, 'wrong API usage'): the sonar table (208 rows, 60
    band energies in 0..1, rock 'R' = 1, mine 'M' = 0), train_test_split(test_size=0.2,
    random_state=42), Input((60,)), Dense(12, relu), Dense(1, sigmoid), adam, binary
    cross-entropy, accuracy, epochs=10, batch_size=64 (30 updates) - its test asks 0.6 of the
    fix. The bug: the model built from tf.keras layers, the fix from keras' - one library in
    Keras 3, so the twins are the same run and the pair is scored by its bar alone. Filled
    in: a generated sonar-like table (each row a smooth spectrum, 60 bands, whose peak band
    and width differ by class, noise 0.05, clipped to 0..1)."""
    rng = np.random.default_rng(seed)
    n = 208
    label = (rng.random(n) < 0.47).astype("float32")
    bands = np.arange(60)[None, :]
    peak = np.where(label[:, None] > 0, 22.0, 30.0) + rng.normal(0, 6, (n, 1))
    width = np.where(label[:, None] > 0, 9.0, 6.0) + rng.normal(0, 1.5, (n, 1))
    level = rng.uniform(0.2, 0.8, (n, 1))
    x = level * np.exp(-((bands - peak) ** 2) / (2 * width ** 2)) + rng.normal(0, 0.05, (n, 60))
    x = np.clip(x + 0.02, 0, 1).astype("float32")
    x, xv, y, yv = train_test_split(x, label, test_size=0.2, random_state=42)
    inputs = keras.layers.Input((60,))
    hidden = keras.layers.Dense(12, activation="relu")(inputs)
    m = keras.Model(inputs=[inputs], outputs=[keras.layers.Dense(1, activation="sigmoid")(
        hidden)])
    m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return _fit(m, x, y[:, None], xv, yv[:, None], epochs=10, batch_size=64)


def d4ml031_ranknet_frozen_dense_sigmoid(seed, fixed):
    """defect4ML bug 031 (airalcorn2/RankNet 4d9f8a2 'Change final Dense layer to Activation
    layer'): RankNet - one scorer Dense(128, relu), Dense(64, relu), Dense(32, relu), Dense(1)
    shared by a relevant and an irrelevant document (50 features each), the irrelevant score
    negated and added, `Dense(1, sigmoid, weights=[[1]], use_bias=False, trainable=False)` on
    the difference; adadelta, binary cross-entropy, every label 1 (the pair is ordered);
    N=100 pairs, X_1 = 2 * randn, X_2 = randn, epochs=10, fit without batch_size. The fix:
    Activation('sigmoid') on the difference, batch_size=10. Filled in: the frozen weight 1
    given as a constant initializer (Keras 3's Dense takes no `weights`), adadelta's rate 1.0
    (Keras 2's default; Keras 3's is 0.001), 100 fresh pairs for validation."""
    rng = np.random.default_rng(seed)
    pairs = lambda n: (2 * rng.standard_normal((n, 50)).astype("float32"),  # noqa: E731
                       rng.standard_normal((n, 50)).astype("float32"))
    (x1, x2), (v1, v2) = pairs(100), pairs(100)
    h1, h2 = keras.layers.Dense(128, activation="relu"), keras.layers.Dense(64, activation="relu")
    h3, s = keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)
    rel, irr = keras.Input((50,)), keras.Input((50,))
    rel_score, irr_score = s(h3(h2(h1(rel)))), s(h3(h2(h1(irr))))
    negated = keras.layers.Lambda(lambda t: -1 * t, output_shape=(1,))(irr_score)
    diff = keras.layers.Add()([rel_score, negated])
    if fixed:
        prob = keras.layers.Activation("sigmoid")(diff)
    else:
        prob = keras.layers.Dense(1, activation="sigmoid", use_bias=False, trainable=False,
                                  kernel_initializer=keras.initializers.Constant(1.0))(diff)
    m = keras.Model(inputs=[rel, irr], outputs=prob)
    m.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0),
              loss="binary_crossentropy")
    ones = np.ones((100, 1), "float32")
    return _fit(m, [x1, x2], ones, [v1, v2], ones, task="regression", epochs=10,
                **({"batch_size": 10} if fixed else {}))


def d4ml011_cifar_cnn_100_epochs(seed, fixed):
    """defect4ML bug 011 (acflorea/keras-playground d44c90c 'Add early stop after 1st epoch';
    'suboptimal number of epochs'): CIFAR-10 in 0..1, Conv2D(32, 3x3, same), relu,
    Conv2D(32, 3x3), relu, Conv2D(32, 3x3), relu, Flatten, Dense(512), relu, Dropout(0.5),
    Dense(10), softmax; RMSprop(lr=0.0001, decay=1e-6), categorical cross-entropy,
    batch_size=32, epochs=100, validation on the test set. The fix: epochs=10 (its first-epoch
    check, acc_break_limit=-0.15, never stops a run, so one fit of 10 epochs is the same
    training). Filled in: the digits for CIFAR (16x16, one copy shifted by up to 2 pixels with
    noise 50), 40 of the buggy 100 epochs (CPU time: 4x the fix's, enough for the
    overfitting the extra epochs are about), no augmentation (the program's ImageDataGenerator
    flow; Keras 3 has none), decay dropped (Keras 3 has none)."""
    x, xv, y, yv = _noisy_digits(seed, 2, noise=50.0, shift=2)
    x, xv = x / 255.0, xv / 255.0
    m = keras.Sequential([
        keras.Input((16, 16, 1)), keras.layers.Conv2D(32, (3, 3), padding="same"),
        keras.layers.Activation("relu"), keras.layers.Conv2D(32, (3, 3)),
        keras.layers.Activation("relu"), keras.layers.Conv2D(32, (3, 3)),
        keras.layers.Activation("relu"), keras.layers.Flatten(), keras.layers.Dense(512),
        keras.layers.Activation("relu"), keras.layers.Dropout(0.5), keras.layers.Dense(10),
        keras.layers.Activation("softmax")])
    m.compile(loss="categorical_crossentropy",
              optimizer=keras.optimizers.RMSprop(learning_rate=0.0001), metrics=["accuracy"])
    y, yv = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yv, 10)
    return _fit(m, x, y, xv, yv, batch_size=32, epochs=10 if fixed else 40)


# ---------------------------------------------------------------- DeepFD rows
def deepfd53_superres_bce_adam_1e4(seed, fixed):
    """DeepFD row 53 (kcct-fujimotolab/keras-super-resolution a7616b6 'Fix'; faults: learning
    rate, loss): the super-resolution net (_superres) under binary cross-entropy on the 0..1
    pixels with Adam(lr=0.0001), 50 epochs (defect4ML bug 023's fixed program). The fix:
    loss='mse', Adam(lr=0.001)."""
    if fixed:
        return _superres(seed, "mse", 1e-3, 50)
    return _superres(seed, "binary_crossentropy", 1e-4, 50)


def deepfd58_averaging_missing_hidden_layer(seed, fixed):
    """DeepFD row 58 (vincenty2022/Averaging_Neural_Networks 53c5940 'added hidden layer which
    was previously forgotten'): the average of two integers 0..100, inputs and target / 100;
    Dense(2), Dense(1); rmsprop, mse, epochs=10, batch_size=10, 100,000 rows, no validation.
    The fix adds Dense(2, relu) between them - a 2-unit ReLU layer on a target the linear
    net already fits exactly. Filled in: 5,000 of the 100,000 rows (CPU time), 1,000 fresh
    rows for validation."""
    rng = np.random.default_rng(seed)
    rows = lambda n: rng.integers(0, 101, size=(n, 2)).astype("float32")  # noqa: E731
    x, xv = rows(5000), rows(1000)
    target = lambda a: (a.mean(1, keepdims=True) / 100).astype("float32")  # noqa: E731
    layers = [keras.Input((2,)), keras.layers.Dense(2)]
    layers += [keras.layers.Dense(2, activation="relu")] if fixed else []
    m = keras.Sequential(layers + [keras.layers.Dense(1)])
    m.compile(optimizer="rmsprop", loss="mse")
    return _fit(m, x / 100, target(x), xv / 100, target(xv), task="regression", epochs=10,
                batch_size=10)


def _ddos_like(seed, n=20000, features=27):
    """A network-traffic table like the DDoS program's final-dataset.arff: 27 raw columns
    (packet counts, byte counts and rates over several decades, flags 0/1), 5 classes (normal
    and four attacks, 60% normal), each attack raising a few columns' log-scale levels."""
    rng = np.random.default_rng(seed)
    y = rng.choice(5, size=n, p=[0.6, 0.1, 0.1, 0.1, 0.1])
    scales = 10 ** rng.uniform(0, 5, features)
    shift = np.zeros((5, features))
    for c in range(1, 5):
        shift[c, rng.choice(features, 4, replace=False)] = rng.uniform(0.5, 1.2, 4)
    logs = rng.normal(0, 0.6, (n, features)) + shift[y]
    x = np.exp(logs) * scales
    x[:, -4:] = (rng.random((n, 4)) < 0.2 + 0.15 * (y[:, None] % 2))
    return x.astype("float32"), y


def deepfd56_ddos_wide_dropout_mlp(seed, fixed):
    """DeepFD row 56 (Jacobvs/DDOS-ML-Detection 40d55ed; 'missing/redundant/wrong layers'):
    a DDoS traffic table of raw columns, one-hot 5 classes, the first 90% for training and the
    rest for validation; Dense(22, uniform init, relu), Dropout(0.4), Dense(64, relu),
    Dropout(0.4), Dense(128, relu), Dropout(0.4), Dense(64, relu), Dropout(0.4), Dense(5,
    softmax), categorical cross-entropy, adam, epochs=3. The fix: Dense(30, uniform, relu),
    Dropout(0.4), Dense(10, relu), Dropout(0.4), Dense(10, relu), Dropout(0.4), Dense(5,
    softmax), epochs=2 ('only using 3 epochs otherwise the model would overfit'). Filled in:
    a generated 20,000-row table (_ddos_like: raw columns over five decades, shuffled, so that
    the last tenth holds every class), the default batch of 32."""
    x, y = _ddos_like(seed)
    widths = [30, 10, 10] if fixed else [22, 64, 128, 64]
    layers = [keras.Input((x.shape[1],))]
    for i, n in enumerate(widths):
        layers += [keras.layers.Dense(n, activation="relu",
                                      **({"kernel_initializer": "uniform"} if i == 0 else {})),
                   keras.layers.Dropout(0.4)]
    m = keras.Sequential(layers + [keras.layers.Dense(5, activation="softmax")])
    m.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    y = keras.utils.to_categorical(y, 5)
    cut = int(0.9 * len(x))
    return _fit(m, x[:cut], y[:cut], x[cut:], y[cut:], epochs=2 if fixed else 3)


def so41327601_cnn_binary_ce_ten_classes(seed, fixed):
    """SO 41327601 (DeepFD row 36: 'binary_crossentropy -> categorical_crossentropy', noted
    there as performing worse after the repair): an MNIST CNN - Conv2D(100, 5x5, valid, relu),
    MaxPooling2D(2), Conv2D(100, 3x3, relu), MaxPooling2D(2), Dropout(0.3), Flatten,
    Dense(100, relu), Dropout(0.3), Dense(100, relu), Dropout(0.3), Dense(10, softmax) -
    compiled with loss='binary_crossentropy', optimizer='adamax', metrics=['accuracy'] (which
    Keras 2 read as per-label binary accuracy, 0.9 for any all-zero answer; Keras 3 reads it as
    the categorical accuracy of one-hot targets), 10 epochs. The fix
    (the accepted answer): categorical_crossentropy. Filled in: the digits enlarged to 16x16
    in 0..1 for MNIST, 25% validation, the default batch of 32."""
    x, y = datasets.load_digits(return_X_y=True)
    x = _images16(np.minimum(x * 16, 255))
    x, xv, y, yv = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    m = keras.Sequential([
        keras.Input((16, 16, 1)), keras.layers.Conv2D(100, (5, 5), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)), keras.layers.Conv2D(100, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)), keras.layers.Dropout(0.3), keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu"), keras.layers.Dropout(0.3),
        keras.layers.Dense(100, activation="relu"), keras.layers.Dropout(0.3),
        keras.layers.Dense(10, activation="softmax")])
    m.compile(loss="categorical_crossentropy" if fixed else "binary_crossentropy",
              optimizer="adamax", metrics=["accuracy"])
    y, yv = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yv, 10)
    return _fit(m, x, y, xv, yv, epochs=10)


SOURCE = "public fault collections and Q&A threads (round 10)"


def _pair(*args, **kwargs):
    return wild5_pair(*args, source=SOURCE, **kwargs)


def _d4ml(bug, url):
    return D4ML.format(bug=bug, url=url)


def _deepfd(row, url):
    return DEEPFD.format(row=row, url=url)


GH = "https://github.com/"
SLOW = ["loss_not_decreasing", "underfitting"]
BLOWN = ["diverging", "nan_loss", "exploding_gradients", "unstable", "loss_not_decreasing"]
# the super-resolution twins: one validation-MSE threshold for DeepFD row 53 (its twins'
# losses differ), one cross-entropy threshold for bug 023 (its twins share the loss), 0.08
# above the targets' entropy (0.47); see d4ml023_superres_200_epochs
SUPERRES_MSE = 0.01
SUPERRES_BCE = 0.55
CASES = (
    _pair("r10_d4ml026_traffic_sign_relu_front_convs", d4ml026_traffic_sign_relu_front_convs,
          _d4ml("026", GH + "ulmefors/Traffic-Sign-Classifier/commit/e6a48ce"),
          "relu on the 1x1 colour layer and the next two convolutions",
          "sigmoid on the 1x1 colour layer, elu on the next two", SLOW + ["dead_units"], [],
          dict(val_metric_at_most=0.6), _acc(0.7))
    + _pair("r10_d4ml010_lenet_conv3_instead_of_dense", d4ml010_lenet_conv3_instead_of_dense,
            _d4ml("010", GH + "vmelan/cifar-experiment/commit/d6f013c"),
            "a third 5x5 convolution (120 maps, tanh) instead of a Dense(120) layer",
            "Flatten, Dense(120), Dense(84) after the second pooling", SLOW, ["overfitting"],
            dict(val_metric_at_most=0.5), _acc(0.6))
    + _pair("r10_d4ml025_catsdogs_large_filters", d4ml025_catsdogs_large_filters,
            _d4ml("025", GH + "ronnyworm/keras_catsdogs/commit/2380e40"),
            "64x64 images, 7x7 and 5x5 filters, batch 200",
            "32x32 images, 3x3 filters, one more convolution, batch 100", SLOW, [],
            dict(val_metric_at_most=0.6), _acc(0.65))
    + _pair("r10_d4ml027_pima_missing_hidden_layers", d4ml027_pima_missing_hidden_layers,
            _d4ml("027", GH + "eangelou/kerasma/commit/2a2a46f"),
            "Dense(12)-Dense(8) on the raw Pima columns",
            "three more hidden layers (16, 24, 8)", SLOW + ["data_problem"], ["overfitting"],
            dict(val_metric_at_most=0.62), _acc(0.65))
    # bars corrected after the first run, before anything else: the first ones read the MSE
    # metric with val_metric_at_least / _at_most, which take its worst epoch (max) - the right
    # reading for an accuracy, not for an MSE (every run starts at 0.1, so the buggy bars held
    # trivially and the fixed ones could not). Now the buggy twins' best epoch must stay above
    # the threshold (val_metric_min_at_least) and the fixed twins' best must reach below it
    # (val_loss_at_most: bug 023's loss is a cross-entropy, so its twins compare by their
    # cross-entropy, whose floor here - the targets' own entropy - is 0.47)
    + _pair("r10_d4ml023_superres_200_epochs", d4ml023_superres_200_epochs,
            _d4ml("023", GH + "kcct-fujimotolab/keras-super-resolution/commit/a0532cf"),
            "200 epochs (binary cross-entropy, Adam 1e-4)", "50 epochs", ["overfitting"], [],
            dict(val_loss_at_least=SUPERRES_BCE), dict(val_loss_at_most=SUPERRES_BCE))
    + _pair("r10_deepfd53_superres_bce_adam_1e4", deepfd53_superres_bce_adam_1e4,
            _deepfd(53, GH + "kcct-fujimotolab/keras-super-resolution/commit/a7616b6"),
            "binary cross-entropy on 0..1 pixels under Adam(1e-4), 50 epochs",
            "mse under Adam(1e-3)", SLOW + ["wrong_loss", "vanishing_gradients"], [],
            dict(val_metric_min_at_least=SUPERRES_MSE, metric="mse"),
            dict(val_loss_at_most=SUPERRES_MSE))
    + _pair("r10_d4ml095_sonar_tf_keras_api", d4ml095_sonar_tf_keras_api,
            _d4ml("095", SO + "61706535"),
            "tf.keras layers (Keras 3: the same library; 30 updates of a 60-12-1 net)",
            "keras layers", SLOW, [], dict(val_metric_at_most=0.6), _acc(0.6))
    + _pair("r10_d4ml031_ranknet_frozen_dense_sigmoid", d4ml031_ranknet_frozen_dense_sigmoid,
            _d4ml("031", GH + "airalcorn2/RankNet/commit/4d9f8a2"),
            "a frozen Dense(1, sigmoid) with weight 1 on the score difference, batch 32",
            "Activation('sigmoid'), batch 10", SLOW, [],
            dict(val_loss_at_least=0.3), dict(val_loss_at_most=0.3))
    + _pair("r10_d4ml011_cifar_cnn_100_epochs", d4ml011_cifar_cnn_100_epochs,
            _d4ml("011", GH + "acflorea/keras-playground/commit/d44c90c"),
            "100 epochs (40 here) of a small CNN under RMSprop(1e-4)", "10 epochs",
            ["overfitting"], [], dict(val_loss_rise=0.2), _acc(0.8))
    + _pair("r10_deepfd58_averaging_missing_hidden_layer",
            deepfd58_averaging_missing_hidden_layer,
            _deepfd(58, GH + "vincenty2022/Averaging_Neural_Networks/commit/53c5940"),
            "Dense(2)-Dense(1) without the hidden ReLU layer",
            "Dense(2, relu) between them", SLOW, [],
            dict(val_loss_at_least=1e-3), dict(val_loss_at_most=1e-3))
    + _pair("r10_deepfd56_ddos_wide_dropout_mlp", deepfd56_ddos_wide_dropout_mlp,
            _deepfd(56, GH + "Jacobvs/DDOS-ML-Detection/commit/40d55ed"),
            "22-64-128-64 ReLU layers with Dropout(0.4) on raw columns, 3 epochs",
            "30-10-10 ReLU layers with Dropout(0.4), 2 epochs", SLOW + ["data_problem"],
            ["overfitting"], dict(val_metric_at_most=0.7), _acc(0.7))
    + _pair("r10_so41327601_cnn_binary_ce_ten_classes", so41327601_cnn_binary_ce_ten_classes,
            _deepfd(36, SO + "41327601"),
            "binary_crossentropy on a 10-class softmax (accuracy then per label)",
            "categorical_crossentropy", ["wrong_loss"] + SLOW, [],
            # written expecting Keras 2's per-label binary accuracy; Keras 3 reports this
            # run's 'accuracy' as the categorical one (0.12-0.29 after the first epoch, seen
            # in the first run), so the bar reads the real accuracy; not changed: the buggy
            # twin ends at 0.91-0.92 (the fix 0.96), so the bug does not show - unscored
            dict(val_metric_at_most=0.9), _acc(0.85))
)

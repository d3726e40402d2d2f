"""What task a training is, as the doctor sees it, and what "good" means for it.

The launcher tells the doctor the task; in a plain Keras `fit` it is inferred from the compiled
loss, the output layer (activation, units) and the labels on the probe batch. Every rule asks
this view before it judges: a sigmoid output is right for binary and multi-label tasks and wrong
for a class-id target, labels above 1 are right for regression and wrong for binary
cross-entropy, and "chance" is the majority class for classification but the target's variance
for regression.

The quality reference is the better of two simple models on the reference examples (for token
ids: ridge on the tokens' counts, a bag of words), both scored
leave-one-out in closed form: k nearest neighbours (no capacity limit, local structure) and ridge
regression (linear structure, robust to noise features). A few milliseconds, no training. When it
clearly beats the trained model on the same examples, the data carry signal the model did not take
(underfitting); when it is at chance too, the training labels carry none (a data problem). NumPy
only.
"""

import dataclasses
import math

import numpy as np

CROSSENTROPY, BINARY_CROSSENTROPY, REGRESSION, OTHER = "ce", "bce", "regression", "other"
KNN_NEIGHBOURS = 5        # odd, small: a local, low-bias reference (sklearn's default is 5)
KNN_MAX_FEATURES = 4096   # beyond this (raw large images) distances say little: no reference


@dataclasses.dataclass(frozen=True)
class TaskView:
    kind: str | None          # classification | binary | multilabel | regression | None
    loss: str                 # ce | bce | regression | other
    from_logits: bool | None
    outputs: int | None
    activation: str | None    # of the output layer: softmax, sigmoid, linear, relu, ...
    labels: str               # ids | onehot | multihot | binary01 | continuous | unknown
    standardized_loss: bool = False  # the loss standardizes the targets itself (ktrain_kit)
    output_shape: tuple = ()  # without the batch axis; its last axis holds the classes

    @property
    def classifies(self):
        return self.kind in ("classification", "binary", "multilabel")


def loss_family(name: str) -> str:
    name = (name or "").lower()
    if ("binary" in name and "crossentropy" in name) or name in ("bce", "binary_focal"):
        return BINARY_CROSSENTROPY
    if "crossentropy" in name or name in ("cce", "scce"):
        return CROSSENTROPY
    if any(k in name for k in ("mse", "mae", "squared", "absolute", "huber", "logcosh",
                                "log_cosh", "msle")):
        return REGRESSION
    return OTHER


def label_kind(facts) -> str:
    shape = facts.get("labels_shape") or []
    if not shape or facts.get("labels_min") is None:
        return "unknown"
    values01 = facts.get("labels_min") >= 0 and facts.get("labels_max") <= 1 and \
        facts.get("labels_integer")
    if len(shape) >= 2 and _one_label_per_position(shape, facts.get("output_shape")):
        # sequence tagging, segmentation: a class id for each position, however few classes
        # (two: 0/1 rows, that read as multi-hot rows taken alone)
        return "ids" if facts.get("labels_integer") else "continuous"
    if len(shape) >= 2 and shape[-1] > 1:
        if values01:
            return "onehot" if facts.get("labels_rows_sum_one") else "multihot"
        return "continuous"
    if values01:
        return "binary01"
    if facts.get("labels_integer") and facts.get("labels_distinct", 99) <= 100:
        return "ids"
    return "continuous"


def _one_label_per_position(labels_shape, output_shape) -> bool:
    """Labels shaped like the output without its class axis (labels (n, 7) for an output
    (n, 7, 2)): one class id per position, as a sparse cross-entropy reads them."""
    output_shape = list(output_shape or [])
    return len(output_shape) >= 2 and (output_shape[-1] or 0) > 1 and \
        list(labels_shape[1:]) == output_shape[:-1]


def task_view(facts) -> TaskView:
    """The task from the launcher's word, else from loss, output layer and labels."""
    family = loss_family(facts.get("loss_name", ""))
    labels = label_kind(facts)
    outputs = facts.get("num_outputs")
    activation = facts.get("output_activation")
    kind = facts.get("task")
    if kind is None:
        if family == CROSSENTROPY:
            kind = "classification"
        elif family == BINARY_CROSSENTROPY:
            # one-hot rows (exactly one class per example) under binary cross-entropy are a
            # single-label task trained per class: judged by the argmax, not per label (an
            # all-zero output scores 1 - 1/K per label)
            kind = "binary" if (outputs or 1) == 1 else (
                "classification" if labels == "onehot" else "multilabel")
        elif family == REGRESSION:
            # whole-number targets with a regression loss are counts or prices, not classes;
            # only one-hot, multi-hot or 0/1 targets say "classes trained with a regression loss"
            kind = {"onehot": "classification", "multihot": "multilabel",
                    "binary01": "binary"}.get(labels, "regression")
        else:  # a hand-written loss: the labels still say what the task is
            kind = _task_of_indicator_labels(labels, outputs)
    return TaskView(kind, family, facts.get("from_logits"), outputs, activation, labels,
                    str(facts.get("loss_name", "")).startswith("standardized"),
                    tuple(facts.get("output_shape") or ()))


def _task_of_indicator_labels(labels, outputs):
    """The task a hand-written loss trains, from labels that can only mean classes: one-hot
    or multi-hot rows for several outputs, 0/1 labels for one output, class ids for several.
    A custom loss changes how a mistake is counted, not what the labels are; without a task
    the doctor had no reference, and a classifier at chance went unremarked (defect4ML bug
    004). Continuous targets stay unknown: a custom loss on them may be no regression at all
    (a reconstruction, a contrastive or a GAN loss)."""
    if labels in ("onehot", "multihot") and (outputs or 0) > 1:
        return "classification" if labels == "onehot" else "multilabel"
    if labels == "binary01" and outputs == 1:
        return "binary"
    if labels == "ids" and (outputs or 0) > 1:
        return "classification"
    return None


# --------------------------------------------------------------------------- quality
def _as_matrix(y):
    y = np.asarray(y, np.float64)
    return y.reshape(len(y), -1)


def _rows(view: TaskView, pred):
    """Predictions as (positions, classes): Keras' class axis is the output's last axis, and
    an output of shape (n, k, c) holds n*k predictions of c values each."""
    pred = np.asarray(pred, np.float64)
    width = pred.shape[-1] if pred.ndim >= 2 else 1
    return pred.reshape(-1, width)


def predicted_classes(view: TaskView, pred):
    """Class ids (or 0/1 per label) from the model's outputs, one row per position."""
    pred = _rows(view, pred)
    logits = view.from_logits or view.activation in (None, "linear")
    threshold = 0.0 if logits else 0.5
    if pred.shape[1] > 1:
        return (pred > threshold).astype(int) if view.kind == "multilabel" else \
            pred.argmax(axis=1)
    return (pred[:, 0] > threshold).astype(int)


def true_classes(view: TaskView, y, width=None):
    """Class ids (or 0/1 per label) of the labels, aligned with `predicted_classes`: labels with
    as many values as the predictions are one-hot / multi-hot rows, others are ids."""
    y = np.asarray(y)
    width = width or (view.output_shape[-1] if view.output_shape and view.output_shape[-1]
                      else None)
    if width is None:
        width = y.shape[-1] if view.labels in ("onehot", "multihot") and y.ndim >= 2 else 1
    flat = np.asarray(y, np.float64).reshape(-1)
    if width > 1 and flat.size % width == 0 and \
            view.labels in ("onehot", "multihot"):
        rows = flat.reshape(-1, width)
        return rows.astype(int) if view.kind == "multilabel" else rows.argmax(axis=1)
    return np.round(flat).astype(int)


def balanced_accuracy(true, predicted) -> float:
    """The mean of the per-class recalls (per label, for 0/1 matrices): a constant prediction
    scores 1/K whatever the class shares, so it cannot be fooled by imbalance the way plain
    accuracy is (predicting the majority of a 97/3 split is 97% accurate, 50% balanced)."""
    true, predicted = np.asarray(true), np.asarray(predicted)
    if true.ndim == 2:
        scores = [balanced_accuracy(true[:, j], predicted[:, j]) for j in range(true.shape[1])
                  if len(np.unique(true[:, j])) > 1]
        return float(np.mean(scores)) if scores else float(np.mean(true == predicted))
    return float(np.mean([np.mean(predicted[true == c] == c) for c in np.unique(true)]))


def score(view: TaskView, y, pred) -> float | None:
    """Balanced accuracy (classification kinds) or mean squared error (regression) of `pred`."""
    try:
        if view.kind == "regression":
            return float(np.mean((_as_matrix(pred) - _as_matrix(y)) ** 2))
        if view.classifies:
            predicted = predicted_classes(view, pred)
            width = predicted.shape[1] if predicted.ndim == 2 else _rows(view, pred).shape[1]
            true = true_classes(view, y, width)
            if true.shape[0] != predicted.shape[0]:
                return None  # labels and outputs that do not line up: no score
            return balanced_accuracy(true, predicted)
    except (ValueError, IndexError, TypeError):
        return None
    return None


def _share_decisions(view: TaskView, y, pred):
    """(true class ids, the decisions p_c / share_c) for one-label classifiers whose outputs
    are probabilities or logits; None otherwise (see share_corrected_score)."""
    if not view.classifies or view.kind == "multilabel":
        return None
    logits = view.from_logits or view.activation in (None, "linear")
    if not logits and view.activation not in ("softmax", "sigmoid"):
        return None  # a relu / tanh output holds no class probabilities to correct
    rows = _rows(view, pred)
    true = true_classes(view, y, rows.shape[1])
    if true.ndim != 1 or true.shape[0] != rows.shape[0] or true.min() < 0:
        return None
    if rows.shape[1] == 1:
        positive = float(np.mean(true == 1))
        if not 0 < positive < 1 or true.max() > 1:
            return None
        p = 1 / (1 + np.exp(-rows[:, 0])) if logits else rows[:, 0]
        return true, (p > positive).astype(int)
    if true.max() >= rows.shape[1]:
        return None
    log_p = rows - rows.max(axis=1, keepdims=True) if logits else \
        np.log(np.clip(rows, 1e-12, None))
    counts = np.bincount(true, minlength=rows.shape[1]).astype(np.float64)
    shares = np.maximum(counts, 1.0) / counts.sum()  # a class absent from y: one example
    return true, (log_p - np.log(shares)).argmax(axis=1)


def share_corrected_score(view: TaskView, y, pred) -> float | None:
    """Balanced accuracy of the model's own outputs when each class's probability is divided
    by that class's share of the labels `y` (argmax of p_c / share_c; one sigmoid unit: p above
    the positive share). Why: the arg max of p(c | x) maximizes plain accuracy, and on
    overlapping, imbalanced classes it names the big classes almost always; dividing by the
    class shares is the decision that maximizes balanced accuracy - the doctor's measure -
    from the same outputs, what class_weight {c: 1 / share_c} trains into them. Where it
    scores clearly above the arg max, the outputs know the small classes and the decisions
    drop them. None for multi-label tasks, outputs that are not probabilities or logits, or
    labels that do not line up."""
    try:
        decided = _share_decisions(view, y, pred)
        return None if decided is None else balanced_accuracy(*decided)
    except (ValueError, IndexError, TypeError, FloatingPointError):
        return None


def classes_dropped(view: TaskView, y, pred) -> int | None:
    """How many classes the model's arg max names in a smaller share of their own rows than
    their share of the labels - less than a guess drawn by the label shares alone recalls
    (class c's recall is share_c under such a guess) - while the share-corrected decisions
    (share_corrected_score) recall them at least that well: classes the outputs tell apart and
    the decisions drop. None where share_corrected_score is None."""
    try:
        decided = _share_decisions(view, y, pred)
        if decided is None:
            return None
        true, corrected = decided
        argmax = predicted_classes(view, pred)
        if argmax.ndim != 1 or argmax.shape[0] != true.shape[0]:
            return None
        dropped = 0
        for c in np.unique(true):
            rows = true == c
            share = float(np.mean(rows))
            if np.mean(argmax[rows] == c) < share <= np.mean(corrected[rows] == c):
                dropped += 1
        return dropped
    except (ValueError, IndexError, TypeError, FloatingPointError):
        return None


def chance(view: TaskView, y) -> float | None:
    """What predicting without the inputs reaches: balanced accuracy 1/K for K classes present
    (0.5 per label), or the targets' variance (the MSE of predicting their mean)."""
    if view.kind == "regression":
        return float(np.mean(_as_matrix(y).var(axis=0)))
    if not view.classifies:
        return None
    classes = true_classes(view, y)
    if classes.ndim == 2:
        return 0.5
    return 1.0 / max(len(np.unique(classes)), 1)


def class_recalls(view: TaskView, y, pred) -> dict | None:
    """Each class's share of the labels `y` and the share of its rows the model's arg max
    names right, as lists by class id (single-label classification; None otherwise or where
    labels and outputs do not line up): what balanced accuracy averages, kept per class so a
    class the model recalls on its training rows and not on unseen ones can be named."""
    if not view.classifies or view.kind == "multilabel":
        return None
    try:
        predicted = predicted_classes(view, pred)
        width = predicted.shape[1] if predicted.ndim == 2 else _rows(view, pred).shape[1]
        true = true_classes(view, y, width)
        if predicted.ndim != 1 or true.shape[0] != predicted.shape[0] or true.min() < 0:
            return None
        counts = np.bincount(true, minlength=max(width, 2))
        return {"share": (counts / counts.sum()).tolist(),
                "recall": [float(np.mean(predicted[true == c] == c)) if counts[c] else None
                           for c in range(len(counts))]}
    except (ValueError, IndexError, TypeError):
        return None


def majority_share(view: TaskView, y) -> float | None:
    """The share of the most frequent class: what plain accuracy calls chance."""
    if not view.classifies:
        return None
    classes = true_classes(view, y)
    if classes.ndim == 2:
        share = classes.mean(axis=0)
        return float(np.mean(np.maximum(share, 1 - share)))
    counts = np.bincount(classes - classes.min())
    return float(counts.max() / counts.sum())


def knn_score(view: TaskView, x, y, k=KNN_NEIGHBOURS) -> float | None:
    """Leave-one-out k-nearest-neighbour accuracy / MSE on standardized inputs."""
    x = np.asarray(x)
    if view.kind is None or len(x) <= k + 1 or x.dtype.kind not in "f" or \
            x[0].size > KNN_MAX_FEATURES:
        return None  # token ids and huge images: distances would mean nothing
    flat = _standardized(x)
    if flat is None:
        return None
    neighbours = _nearest(flat, flat, k)
    if view.kind == "regression":
        targets = _as_matrix(y)
        return float(np.mean((_knn_predictions(targets, neighbours) - targets) ** 2))
    classes = _example_classes(view, y)
    if classes is None:
        return None
    if classes.ndim == 2:
        votes = classes[neighbours].mean(axis=1) > 0.5
        return balanced_accuracy(classes, votes.astype(int))
    offset = classes - classes.min()
    return balanced_accuracy(offset, _vote(offset, neighbours, offset.max() + 1))


def _knn_predictions(targets, neighbours):
    return targets[neighbours].mean(axis=1)


def _nearest(test, train, k):
    """Each test row's k nearest train rows (indices, unsorted) by squared distance; where
    the two are the same rows, each row's own is left out (leave-one-out)."""
    distances = (test ** 2).sum(axis=1)[:, None] + (train ** 2).sum(axis=1)[None, :] - \
        2 * test @ train.T
    if test is train:
        np.fill_diagonal(distances, np.inf)
    return np.argpartition(distances, k - 1, axis=1)[:, :k]


def _vote(classes, neighbours, count):
    """The class most of each row's neighbours hold (of `count` classes 0..count-1); a tied
    vote: the lowest class."""
    return (classes[neighbours][:, :, None] == np.arange(count)).sum(axis=1).argmax(axis=1)


def _standardized(x):
    """Flattened inputs, each feature standardized; None when any value is NaN or infinite:
    then no distance or linear fit means anything (the doctor reports the inputs instead)."""
    flat = x.reshape(len(x), -1).astype(np.float64)
    if not np.isfinite(flat).all():
        return None
    return (flat - flat.mean(axis=0)) / (flat.std(axis=0) + 1e-9)


def _example_classes(view: TaskView, y):
    """One class id (or 0/1 row) per example, or None for per-position labels (the simple
    models score whole examples)."""
    classes = true_classes(view, y)
    return classes if len(classes) == len(np.asarray(y)) else None


RIDGE = 1.0               # mild, in standardized units: keeps X'X invertible
LINEAR_MAX_FEATURES = 512


def linear_score(view: TaskView, x, y) -> float | None:
    """Leave-one-out ridge regression (on one-hot / 0-1 targets for the classification kinds):
    the linear reference, which nearest neighbours miss when most features are noise. The
    leave-one-out predictions come in closed form from the hat matrix H:
    (prediction_i - H_ii y_i) / (1 - H_ii)."""
    x = np.asarray(x)
    if view.kind is None or x.dtype.kind not in "f" or len(x) < 10 or \
            x[0].size > LINEAR_MAX_FEATURES:
        return None
    flat = _standardized(x)
    if flat is None:
        return None
    if view.kind == "regression":
        targets = _as_matrix(y)
    else:
        classes = _example_classes(view, y)
        if classes is None:
            return None
        targets = classes.astype(np.float64) if classes.ndim == 2 else (
            np.eye(classes.max() - classes.min() + 1)[classes - classes.min()])
    loo = _ridge_predictions(flat, targets)
    if view.kind == "regression":
        return float(np.mean((loo - targets) ** 2))
    if classes.ndim == 2:
        return balanced_accuracy(classes, (loo > 0.5).astype(int))
    return balanced_accuracy(classes - classes.min(), loo.argmax(axis=1))


def _ridge_predictions(flat, targets):
    """Leave-one-out ridge predictions of `targets` from standardized inputs `flat`."""
    design = np.hstack([flat, np.ones((len(flat), 1))])
    gram = design.T @ design + RIDGE * np.eye(design.shape[1])
    solved = np.linalg.solve(gram, design.T)  # H = design @ solved, never formed (n x n)
    leverage = np.clip(np.einsum("ij,ji->i", design, solved), 0, 0.999)[:, None]
    return (design @ (solved @ targets) - leverage * targets) / (1 - leverage)


def token_counts(x):
    """Token ids (examples x positions, whole numbers >= 0) as log(1 + count) of each of the
    LINEAR_MAX_FEATURES ids most frequent in the sample; None for any other input. Why: the
    nearest-neighbour and linear references read ids as magnitudes (id 7 is not 'more' than id
    3), so token models had no reference at all, and a transformer of 264 weights at 0.24
    balanced accuracy against a bag of its own tokens' near 1.0 went unnamed. A bag of words is
    the classic simple model of text; where order carries the label it scores low and claims
    nothing (a reference is only ever a floor of what the data allow)."""
    x = np.asarray(x)
    if x.dtype.kind not in "iu" or x.ndim != 2 or x.size == 0 or x.min() < 0:
        return None
    ids, counts = np.unique(x, return_counts=True)
    kept = ids[np.argsort(-counts, kind="stable")[:LINEAR_MAX_FEATURES]]
    order = np.argsort(kept)  # ids looked up by search, not by a table as long as the
    where = np.clip(np.searchsorted(kept[order], x), 0, len(kept) - 1)  # largest id (10M)
    found = kept[order][where] == x
    bag = np.zeros((len(x), len(kept)))
    rows = np.nonzero(found)[0]
    np.add.at(bag, (rows, order[where[found]]), 1.0)
    return np.log1p(bag)


def bag_of_tokens_score(view: TaskView, x, y) -> float | None:
    """Leave-one-out ridge on token counts (token_counts): the reference of token models."""
    bag = token_counts(x)
    return None if bag is None else linear_score(view, bag, y)


TOKEN_REFERENCE = "ridge on token counts"  # a bag of words: the reference of token models
LINEAR_REFERENCES = ("ridge", TOKEN_REFERENCE)


def linear_weights(view: TaskView, x, name) -> int | None:
    """Weights of the linear reference `name` fitted on x: (features + 1) x outputs; None for
    another reference. What a model must hold at least to compute the same function."""
    if name not in LINEAR_REFERENCES:
        return None
    x = np.asarray(x)
    if not len(x):
        return None
    # the bag's columns are the distinct ids, at most LINEAR_MAX_FEATURES (token_counts):
    # counted, not built again
    features = min(np.unique(x).size, LINEAR_MAX_FEATURES) if name == TOKEN_REFERENCE else \
        x[0].size
    return int((features + 1) * max(view.outputs or 1, 1))


def best_simple_model(view: TaskView, x, y) -> tuple:
    """(score, name) of the better of the nearest-neighbour and the linear reference.

    On one BLAS thread: OpenBLAS's workers spin after each call (~0.06 s of CPU per burst
    here, more than the 1024 x 64 products themselves), and these run beside the training."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1, user_api="blas"):
        scores = {"nearest neighbours": knn_score(view, x, y),
                  "ridge": linear_score(view, x, y),
                  TOKEN_REFERENCE: bag_of_tokens_score(view, x, y)}
    scores = {k: v for k, v in scores.items() if v is not None}
    if not scores:
        return None, None
    pick = min if view.kind == "regression" else max
    name = pick(scores, key=scores.get)
    return scores[name], name


def gain_standard_error(view: TaskView, x, y, name) -> float | None:
    """Regression: the sampling error of the simple model `name`'s gain over chance (the
    targets' variance minus its leave-one-out MSE), from the spread of the per-example gains
    (a paired comparison on the same rows). Why: whether the labels follow the inputs at all
    is whether that gain stands out of its own noise; a fixed share of the variance (R^2 >=
    0.1) called a real but weak signal - a count of doctor visits from insurance and health
    (statsmodels' randhie: R^2 0.07 on 1,024 rows, 6 standard errors) - unrelated labels.
    None for other tasks and models."""
    if view.kind != "regression" or name not in ("nearest neighbours", "ridge",
                                                 TOKEN_REFERENCE):
        return None
    targets = _as_matrix(y)
    inputs = token_counts(x) if name == TOKEN_REFERENCE else np.asarray(x)
    if inputs is None or len(targets) < 10:
        return None
    flat = _standardized(inputs)
    if flat is None:
        return None
    if name == "nearest neighbours":
        predictions = _knn_predictions(targets, _nearest(flat, flat, KNN_NEIGHBOURS))
    else:
        predictions = _ridge_predictions(flat, targets)
    return paired_gain(targets, predictions)[1]


def paired_gain(targets, predictions) -> tuple:
    """(the mean gain of `predictions` over the mean, its standard error) on the same rows:
    each row's squared error against the mean of the OTHER rows' targets (what a model that
    learned nothing but the mean would predict for it, never its own target) minus its
    squared error under `predictions`. A paired comparison: the rows' own difficulty cancels,
    so a weak real signal stands out of the noise that an unpaired MSE ratio hides in."""
    targets, predictions = _as_matrix(targets), _as_matrix(predictions)
    n = len(targets)
    mean_of_others = (targets.sum(axis=0) - targets) / (n - 1)
    gains = (((targets - mean_of_others) ** 2) - (predictions - targets) ** 2).mean(axis=1)
    return float(gains.mean()), float(gains.std(ddof=1) / math.sqrt(n))


def ranking(view: TaskView, y, scores) -> tuple | None:
    """(AUC, its standard error) of `scores` ranking the rows of each class above the others:
    one-vs-rest for each class present, averaged (the error too: a conservative pooling);
    None for multi-label and regression tasks or rows that do not line up. Why: on imbalanced
    labels the arg max of a model (or of a simple model's vote) names the big class for nearly
    every row, so its balanced accuracy can sit at chance on a few rare validation rows while
    its scores order the classes well (a 95/5 table: balanced accuracy 0.66 within the margin
    of 6 rare rows, AUC 0.82); an AUC clearly above 0.5 is the labels following the inputs.
    Logits are ranked as softmax probabilities (a class's own logit ranks rows by more than
    that class); one sigmoid unit ranks the same as its logit. Standard error: Hanley and
    McNeil (1982)."""
    if not view.classifies or view.kind == "multilabel":
        return None
    rows = _rows(view, scores)
    true = true_classes(view, y, rows.shape[1])
    if true.ndim != 1 or true.shape[0] != rows.shape[0] or not np.isfinite(rows).all():
        return None
    if rows.shape[1] == 1:
        columns = [(true == 1, rows[:, 0])] if set(np.unique(true)) == {0, 1} else []
    else:
        if view.from_logits or view.activation in (None, "linear"):
            shifted = np.exp(rows - rows.max(axis=1, keepdims=True))
            rows = shifted / shifted.sum(axis=1, keepdims=True)
        columns = [(true == c, rows[:, c]) for c in np.unique(true)
                   if 0 <= c < rows.shape[1]]
    pairs = [_auc(positive, score) for positive, score in columns
             if 0 < positive.sum() < len(positive)]
    if not pairs:
        return None
    return float(np.mean([a for a, _ in pairs])), float(np.mean([e for _, e in pairs]))


def _auc(positive, score):
    """(Mann-Whitney AUC with ties at their mid-rank, Hanley-McNeil standard error)."""
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]
    n1, n0 = int(positive.sum()), int((~positive).sum())
    auc = (ranks[positive].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0)
    q1, q2 = auc / (2 - auc), 2 * auc ** 2 / (1 + auc)
    variance = (auc * (1 - auc) + (n1 - 1) * (q1 - auc ** 2) + (n0 - 1) * (q2 - auc ** 2)) / \
        (n1 * n0)
    return float(auc), math.sqrt(max(variance, 0.0))


def simple_ranking(view: TaskView, x, y) -> tuple | None:
    """`ranking` of the simple models' leave-one-out scores (ridge's fitted one-hot values,
    the nearest neighbours' vote shares), the better of the two; None where neither can be
    scored. The arg max of either can sit at chance on imbalanced classes whatever the labels
    (see `ranking`); their scores still order the rows where the labels follow the inputs."""
    if not view.classifies or view.kind == "multilabel":
        return None
    x = np.asarray(x)
    if x.dtype.kind in "iu":  # token ids: the bag of their counts (token_counts)
        x = token_counts(x)
    if x is None or x.dtype.kind != "f" or len(x) < 10 or x[0].size > KNN_MAX_FEATURES:
        return None
    classes = _example_classes(view, y)
    flat = _standardized(x)
    if classes is None or classes.ndim != 1 or flat is None:
        return None
    low = classes.min()
    onehot = np.eye(classes.max() - low + 1)[classes - low]
    votes = onehot[_nearest(flat, flat, KNN_NEIGHBOURS)].mean(axis=1) \
        if len(flat) > KNN_NEIGHBOURS + 1 else None
    fitted = _ridge_predictions(flat, onehot) if flat.shape[1] <= LINEAR_MAX_FEATURES else None
    ids = TaskView(kind="classification", loss=CROSSENTROPY, from_logits=False,
                   outputs=onehot.shape[1], activation="softmax", labels="ids")
    found = [ranking(ids, classes - low, s) for s in (votes, fitted) if s is not None]
    found = [r for r in found if r is not None]
    return max(found, key=lambda r: r[0] - 2 * r[1]) if found else None


def held_out_simple_score(view: TaskView, x, y, vx, vy, name) -> float | None:
    """The simple model `name` (the one best_simple_model picked leave-one-out on x) fitted on
    (x, y) and scored on held-out (vx, vy): balanced accuracy of single-label classes, MSE of
    regression targets, None for other tasks or inputs it cannot read. Why: a launcher's
    reference rows are training rows, where a short run that has memorized them equals the
    simple model; on unseen rows the simple model is the bar the run has not reached yet, and
    the same rows score both (a validation split can be harder or easier than the training
    rows a leave-one-out estimate reads). Picked on x alone, so the held-out rows score it
    without selection."""
    x, vx = np.asarray(x), np.asarray(vx)
    regression = view.kind == "regression"
    if not (view.classifies or regression) or view.kind == "multilabel" or name is None or \
            x.dtype != vx.dtype or x.shape[1:] != vx.shape[1:] or len(vx) < 20:
        return None
    if regression:
        targets, held = _as_matrix(y), _as_matrix(vy)
        if len(targets) != len(x) or len(held) != len(vx) or \
                targets.shape[1] != held.shape[1]:
            return None
    else:
        classes, held = _example_classes(view, y), _example_classes(view, vy)
        if classes is None or held is None or classes.ndim != 1 or held.ndim != 1:
            return None
        low = min(classes.min(), held.min())
        targets = np.eye(max(classes.max(), held.max()) - low + 1)[classes - low]
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1, user_api="blas"):
        if name == TOKEN_REFERENCE:
            bag = token_counts(np.concatenate([x, vx]))
            if bag is None:
                return None
            x, vx = bag[:len(x)], bag[len(x):]
        flat = _standardized_together(x, vx)
        if flat is None:
            return None
        train, test = flat
        if name == "nearest neighbours":
            if len(train) <= KNN_NEIGHBOURS:
                return None
            neighbours = _nearest(test, train, KNN_NEIGHBOURS)
            if regression:
                return float(np.mean((_knn_predictions(targets, neighbours) - held) ** 2))
            offset = classes - low
            return balanced_accuracy(held - low, _vote(
                offset, neighbours, max(offset.max(), held.max() - low) + 1))
        design = np.hstack([train, np.ones((len(train), 1))])
        weights = np.linalg.solve(design.T @ design + RIDGE * np.eye(design.shape[1]),
                                  design.T @ targets)
        predicted = np.hstack([test, np.ones((len(test), 1))]) @ weights
        if regression:
            return float(np.mean((predicted - held) ** 2))
        return balanced_accuracy(held - low, predicted.argmax(axis=1))


def _standardized_together(x, vx):
    """Training and held-out inputs flattened, standardized by the training rows' statistics
    (what a fitted model sees); None when either holds a non-finite value or is not float."""
    if x.dtype.kind not in "f" or x[0].size > KNN_MAX_FEATURES:
        return None
    flat = x.reshape(len(x), -1).astype(np.float64)
    test = vx.reshape(len(vx), -1).astype(np.float64)
    if not (np.isfinite(flat).all() and np.isfinite(test).all()):
        return None
    mean, std = flat.mean(axis=0), flat.std(axis=0) + 1e-9
    return (flat - mean) / std, (test - mean) / std


def effective_examples(view: TaskView, y) -> int:
    """How many examples a balanced accuracy is worth: K^2 / sum(1 / n_c) over the K classes
    (n for balanced classes; near K * n_smallest when one class is rare, whose recall is then
    what moves the score)."""
    classes = _example_classes(view, y) if view.classifies else None
    if classes is None or classes.ndim != 1:
        return len(np.asarray(y))
    counts = np.bincount(classes - classes.min())
    counts = counts[counts > 0]
    return int(len(counts) ** 2 / np.sum(1.0 / counts))


def standard_error(accuracy: float, n: int) -> float:
    """Of an accuracy measured on n examples (binomial)."""
    return math.sqrt(max(accuracy * (1 - accuracy), 1e-4) / max(n, 1))

"""The full default config, and the checks that run on it before any TensorFlow work.

Experiment files in `configs/` start from `default_config()` and change what they need. The
config is locked, so a mistyped key is an error, and every field has a type, so
`--config.train.epochs=ten` is refused. `validate()` then checks ranges, names and cross-field
rules and raises `UserError` with one line naming the key and the fix.

This module must not import TensorFlow or Keras: a bad config is refused in well under a second.
"""

import math

import ml_collections

from ktrain_kit.errors import config_error

# Names the builders know. Each builder module keeps its own table and a test checks they agree.
DATASETS = ("digits", "synthetic_images", "synthetic_sequences", "npz", "csv", "image_folder")
MODELS = ("mlp", "cnn", "resnet", "transformer")
NORMS = ("batch", "layer", "group", "none")
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine", "linear", "step", "exponential")
PRECISIONS = ("auto", "float32", "mixed_float16", "mixed_bfloat16")
STRATEGIES = ("auto", "default", "one_device", "mirrored", "multi_worker", "tpu")
JIT_CHOICES = ("auto", "true", "false")
DURATION_UNITS = ("epochs", "steps")
NAN_POLICIES = ("stop", "restore")
ACTIVATIONS = ("relu", "gelu", "silu", "elu", "tanh", "sigmoid", "leaky_relu")
INITIALIZERS = ("he_normal", "he_uniform", "glorot_normal", "glorot_uniform", "lecun_normal",
                "random_normal")
LOSSES = ("sparse_categorical_crossentropy",)
PATH_DATASETS = ("npz", "csv", "image_folder")
IMAGE_DATASETS = ("digits", "synthetic_images", "image_folder")

# Datasets whose size is known without reading a file: examples available before the split.
DIGITS_EXAMPLES = 1797


def default_config() -> ml_collections.ConfigDict:
    """Every field ktrain_kit reads, with its default. Experiment configs change a few."""
    c = ml_collections.ConfigDict()
    c.seed = 0

    c.data = dict(
        name="digits",
        path="",                 # file or folder for npz / csv / image_folder
        batch_size=64,           # examples per optimizer update, across replicas and micro-batches
        train_examples=0,        # training examples to use (or generate); 0 = all there are
        val_fraction=0.2,        # share of the examples held out for validation
        num_classes=10,          # synthetic data: classes to generate
        image_size=32,           # synthetic_images and image_folder: side in pixels
        channels=3,              # synthetic_images and image_folder
        seq_len=32,              # synthetic_sequences
        vocab_size=32,           # synthetic_sequences
        label_column=-1,         # csv: which column holds the integer label
        label_noise=0.0,         # share of training labels replaced by random ones (robustness
                                 # experiments; the doctor's fault gallery uses 1.0)
        augment=dict(flip=False, translate=0.0, crop_padding=0),
    )

    c.model = dict(
        name="cnn",
        dropout=0.1,
        norm="batch",
        activation="relu",
        initializer="he_normal",
        width=64,                # units (mlp), filters (cnn, resnet), embedding size (transformer)
        depth=2,                 # hidden layers, conv blocks, residual stages or encoder blocks
        num_heads=4,             # transformer
        mlp_ratio=2,             # transformer: feed-forward width / embedding size
        loss="sparse_categorical_crossentropy",
        from_logits=True,        # the last layer emits logits; probabilities are added at export
    )

    c.optimizer = dict(
        name="adam",
        momentum=0.9,            # sgd
        nesterov=False,          # sgd
        beta_1=0.9,              # adam, adamw
        beta_2=0.999,
        epsilon=1e-7,
        weight_decay=0.0,        # decoupled: lr * wd * w is subtracted each update
        weight_decay_exclude="",  # extra comma-separated regexes of variable paths not to decay
        clip_global_norm=0.0,    # 0 = off
        clip_norm=0.0,           # per-tensor norm clipping; 0 = off
        clip_value=0.0,          # element-wise clipping; 0 = off
        ema=False,
        ema_momentum=0.99,
    )

    c.schedule = dict(
        name="cosine",
        base_lr=1e-3,
        warmup_steps=0,
        warmup_epochs=0.0,       # alternative to warmup_steps; at most one of them non-zero
        end_lr_factor=0.0,       # cosine / linear: final lr = base_lr * end_lr_factor
        decay_factor=0.1,        # step: multiply by this at each boundary; exponential: per decay_every
        boundaries=(),           # step: where to decay, in `unit`
        decay_every=1.0,         # exponential: one decay_factor per this many `unit`
        unit="epochs",           # how boundaries and decay_every are counted
    )

    c.train = dict(
        epochs=10,
        accumulation_steps=1,
        deterministic=False,
        precision="auto",
        strategy="auto",
        jit_compile="auto",
        steps_per_execution=1,
        nan_policy="stop",       # on a NaN/Inf loss: stop, or restore the last good checkpoint
        nan_max_restores=3,      # restore: give up (stop) after this many roll-backs
        nan_lr_factor=0.5,       # restore: multiply the learning rate by this at each roll-back
        verbose=1,               # Keras progress bar: 0 silent, 1 bar, 2 a line per epoch
    )

    c.callbacks = dict(
        early_stopping=dict(enabled=True, monitor="val_loss", patience=5, min_delta=0.0,
                            restore_best_weights=True),
        reduce_on_plateau=dict(enabled=False, monitor="val_loss", factor=0.5, patience=2,
                               min_delta=1e-4, min_multiplier=1e-3),
        checkpoint=dict(enabled=True, keep=3,
                        every_steps=1000),  # also save mid-epoch every this many steps (0: off)
        tensorboard=dict(enabled=True),
        plots=dict(enabled=True),
        doctor=dict(enabled=True, interval=50, probe_examples=64),
    )

    c.runtime = dict(virtual_cpu_devices=0)
    return c


def _names(key, value, known):
    if value not in known:
        raise config_error(key, f"unknown name '{value}'", f"use one of: {', '.join(known)}")


def _at_least(key, value, low):
    if value < low:
        raise config_error(key, f"must be >= {low}, got {value}", f"set it to {low} or more")


def _positive(key, value):
    if not value > 0 or not math.isfinite(value):
        raise config_error(key, f"must be > 0, got {value}", "set a positive number")


def _fraction(key, value, low_open=False):
    ok = (0.0 < value < 1.0) if low_open else (0.0 <= value < 1.0)
    if not ok:
        bound = "(0, 1)" if low_open else "[0, 1)"
        raise config_error(key, f"must be in {bound}, got {value}", f"pick a value in {bound}")


def available_train_examples(c) -> int | None:
    """Training examples after the validation split, when knowable without reading files."""
    total = {"digits": DIGITS_EXAMPLES}.get(c.data.name)
    if c.data.name.startswith("synthetic"):
        total = c.data.train_examples or 2048
        return total  # synthetic sets generate `train_examples` training examples exactly
    if total is None:
        return None
    train = total - int(round(total * c.data.val_fraction))
    return min(train, c.data.train_examples) if c.data.train_examples else train


def validate(c) -> None:
    """Raises `UserError` for the first problem found. Checks that need the data run later."""
    _names("data.name", c.data.name, DATASETS)
    if c.data.name in PATH_DATASETS and not c.data.path:
        raise config_error("data.path", f"data.name={c.data.name} reads a file but no path is set",
                           "pass --config.data.path=/path/to/your/data")
    _positive("data.batch_size", c.data.batch_size)
    _at_least("data.train_examples", c.data.train_examples, 0)
    _fraction("data.val_fraction", c.data.val_fraction, low_open=True)
    _at_least("data.num_classes", c.data.num_classes, 2)
    _at_least("data.image_size", c.data.image_size, 4)
    if c.data.channels not in (1, 3):
        raise config_error("data.channels", f"must be 1 or 3, got {c.data.channels}", "use 1 or 3")
    _at_least("data.seq_len", c.data.seq_len, 2)
    _at_least("data.vocab_size", c.data.vocab_size, 4)
    if not 0.0 <= c.data.label_noise <= 1.0:
        raise config_error("data.label_noise", f"must be in [0, 1], got {c.data.label_noise}",
                           "use 0 for clean labels")
    _fraction("data.augment.translate", c.data.augment.translate)
    _at_least("data.augment.crop_padding", c.data.augment.crop_padding, 0)
    augmenting = c.data.augment.flip or c.data.augment.translate or c.data.augment.crop_padding
    if augmenting and c.data.name not in IMAGE_DATASETS:
        raise config_error("data.augment", f"image augmentation does not apply to {c.data.name}",
                           "turn data.augment.* off for non-image data")

    _names("model.name", c.model.name, MODELS)
    _fraction("model.dropout", c.model.dropout)
    _names("model.norm", c.model.norm, NORMS)
    _names("model.activation", c.model.activation, ACTIVATIONS)
    _names("model.initializer", c.model.initializer, INITIALIZERS)
    _names("model.loss", c.model.loss, LOSSES)
    _at_least("model.width", c.model.width, 1)
    _at_least("model.depth", c.model.depth, 1)
    _at_least("model.num_heads", c.model.num_heads, 1)
    _at_least("model.mlp_ratio", c.model.mlp_ratio, 1)
    if c.model.name == "transformer":
        if c.data.name != "synthetic_sequences" and c.data.name not in ("npz", "csv"):
            raise config_error("model.name", f"transformer needs token sequences, not {c.data.name}",
                               "use data.name=synthetic_sequences or your own npz of token ids")
        if c.model.width % c.model.num_heads:
            raise config_error("model.num_heads", f"model.width={c.model.width} is not divisible "
                               f"by {c.model.num_heads} heads", "pick a divisor of model.width")
    if c.model.name in ("cnn", "resnet") and c.data.name in ("synthetic_sequences", "csv"):
        raise config_error("model.name", f"{c.model.name} needs images, not {c.data.name}",
                           "use model.name=mlp or an image dataset")

    _names("optimizer.name", c.optimizer.name, OPTIMIZERS)
    _fraction("optimizer.momentum", c.optimizer.momentum)
    _fraction("optimizer.beta_1", c.optimizer.beta_1)
    _fraction("optimizer.beta_2", c.optimizer.beta_2, low_open=True)
    _positive("optimizer.epsilon", c.optimizer.epsilon)
    for key in ("weight_decay", "clip_global_norm", "clip_norm", "clip_value"):
        _at_least(f"optimizer.{key}", getattr(c.optimizer, key), 0.0)
    clips = [k for k in ("clip_global_norm", "clip_norm", "clip_value") if c.optimizer[k] > 0]
    if len(clips) > 1:
        raise config_error(f"optimizer.{clips[1]}", f"only one kind of clipping at a time "
                           f"(also set: optimizer.{clips[0]})", "set all but one to 0")
    if c.optimizer.weight_decay > 0 and c.optimizer.name == "adam":
        raise config_error("optimizer.weight_decay", "adam has no decoupled weight decay",
                           "use --config.optimizer.name=adamw")
    if c.optimizer.weight_decay_exclude and not c.optimizer.weight_decay:
        raise config_error("optimizer.weight_decay_exclude", "set while weight_decay is 0",
                           "set optimizer.weight_decay > 0 or clear the exclusion")
    _fraction("optimizer.ema_momentum", c.optimizer.ema_momentum, low_open=True)

    s = c.schedule
    _names("schedule.name", s.name, SCHEDULES)
    _positive("schedule.base_lr", s.base_lr)
    _at_least("schedule.warmup_steps", s.warmup_steps, 0)
    _at_least("schedule.warmup_epochs", s.warmup_epochs, 0.0)
    if s.warmup_steps and s.warmup_epochs:
        raise config_error("schedule.warmup_epochs", "both warmup_steps and warmup_epochs are set",
                           "set one of them to 0")
    if not 0.0 <= s.end_lr_factor <= 1.0:
        raise config_error("schedule.end_lr_factor", f"must be in [0, 1], got {s.end_lr_factor}",
                           "pick a value in [0, 1]")
    if s.name in ("step", "exponential"):
        _fraction("schedule.decay_factor", s.decay_factor, low_open=True)
    _names("schedule.unit", s.unit, DURATION_UNITS)
    if s.name == "step":
        if not s.boundaries:
            raise config_error("schedule.boundaries", "step decay needs at least one boundary",
                               "e.g. --config.schedule.boundaries='(30, 60)'")
        if list(s.boundaries) != sorted(set(s.boundaries)) or min(s.boundaries) <= 0:
            raise config_error("schedule.boundaries", f"must be positive and increasing, got "
                               f"{tuple(s.boundaries)}", "list them in increasing order")
    _positive("schedule.decay_every", s.decay_every)

    t = c.train
    _at_least("train.epochs", t.epochs, 1)
    _at_least("train.accumulation_steps", t.accumulation_steps, 1)
    _at_least("train.steps_per_execution", t.steps_per_execution, 1)
    _names("train.precision", t.precision, PRECISIONS)
    _names("train.strategy", t.strategy, STRATEGIES)
    _names("train.jit_compile", t.jit_compile, JIT_CHOICES)
    _names("train.nan_policy", t.nan_policy, NAN_POLICIES)
    _at_least("train.nan_max_restores", t.nan_max_restores, 1)
    _fraction("train.nan_lr_factor", t.nan_lr_factor, low_open=True)
    if t.nan_policy == "restore" and not c.callbacks.checkpoint.enabled:
        raise config_error("train.nan_policy", "'restore' rolls back to a checkpoint, but "
                           "callbacks.checkpoint.enabled is False",
                           "enable checkpoints or use train.nan_policy=stop")
    _names("train.verbose", t.verbose, (0, 1, 2))
    if c.data.batch_size % t.accumulation_steps:
        raise config_error("data.batch_size", f"{c.data.batch_size} is not divisible by "
                           f"train.accumulation_steps={t.accumulation_steps}",
                           "make the batch a multiple of the micro-batch count")
    if c.runtime.virtual_cpu_devices < 0:
        raise config_error("runtime.virtual_cpu_devices", "must be >= 0", "use 0 (off) or N >= 2")

    es = c.callbacks.early_stopping
    _at_least("callbacks.early_stopping.patience", es.patience, 0)
    _at_least("callbacks.early_stopping.min_delta", es.min_delta, 0.0)
    rp = c.callbacks.reduce_on_plateau
    _fraction("callbacks.reduce_on_plateau.factor", rp.factor, low_open=True)
    _at_least("callbacks.reduce_on_plateau.patience", rp.patience, 0)
    _fraction("callbacks.reduce_on_plateau.min_multiplier", rp.min_multiplier, low_open=True)
    _at_least("callbacks.checkpoint.keep", c.callbacks.checkpoint.keep, 1)
    _at_least("callbacks.checkpoint.every_steps", c.callbacks.checkpoint.every_steps, 0)
    _at_least("callbacks.doctor.interval", c.callbacks.doctor.interval, 1)
    _at_least("callbacks.doctor.probe_examples", c.callbacks.doctor.probe_examples, 1)

    train_examples = available_train_examples(c)
    if train_examples is not None:
        validate_against_data(c, train_examples, replicas=1)


def validate_against_data(c, train_examples: int, replicas: int) -> None:
    """Cross-field rules that need the training-set size and the replica count."""
    per_update = c.train.accumulation_steps * replicas
    if c.data.batch_size % per_update:
        raise config_error("data.batch_size", f"{c.data.batch_size} is not divisible by "
                           f"accumulation_steps x replicas = {per_update}",
                           f"use a multiple of {per_update}")
    steps_per_epoch = train_examples // c.data.batch_size
    if steps_per_epoch < 1:
        raise config_error("data.batch_size", f"{c.data.batch_size} is larger than the "
                           f"{train_examples} training examples", "use a smaller batch")
    if steps_per_epoch % c.train.steps_per_execution:
        raise config_error("train.steps_per_execution", f"{c.train.steps_per_execution} does "
                           f"not divide the {steps_per_epoch} steps of an epoch",
                           "use a divisor of the steps per epoch (1 is always safe)")
    total_steps = steps_per_epoch * c.train.epochs
    warmup = warmup_steps(c, steps_per_epoch)
    if warmup >= total_steps:
        key = "schedule.warmup_epochs" if c.schedule.warmup_epochs else "schedule.warmup_steps"
        raise config_error(key, f"warmup of {warmup} steps is not shorter than training "
                           f"({total_steps} steps = {c.train.epochs} epochs x {steps_per_epoch})",
                           "shorten the warmup or train longer")
    if c.schedule.name == "step" and to_steps(c, max(c.schedule.boundaries),
                                              steps_per_epoch) >= total_steps:
        raise config_error("schedule.boundaries", f"last boundary {max(c.schedule.boundaries)} "
                           f"{c.schedule.unit} is past the end of training",
                           "move it before the end or train longer")


def to_steps(c, amount: float, steps_per_epoch: int) -> int:
    """Converts a duration in `schedule.unit` to optimizer steps."""
    if c.schedule.unit == "epochs":
        return int(round(amount * steps_per_epoch))
    return int(amount)


def warmup_steps(c, steps_per_epoch: int) -> int:
    if c.schedule.warmup_epochs:
        return int(round(c.schedule.warmup_epochs * steps_per_epoch))
    return c.schedule.warmup_steps

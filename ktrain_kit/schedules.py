"""Learning-rate schedules: a decay shape chosen by name, linear warmup, and a plateau multiplier.

`Schedule` is a serializable Keras `LearningRateSchedule`. Its value at step t is

    base_lr * multiplier * (t / warmup            while t < warmup,
                            decay(t - warmup)     afterwards)

`multiplier` is a variable that `ktrain_kit.callbacks.ReduceLROnPlateau` lowers (stock Keras'
callback raises TypeError on a schedule) and that checkpoints keep.
"""

import math

import keras
import tensorflow as tf

from ktrain_kit import config
from ktrain_kit.arguments import checked, one_of, real, satisfying, whole


def _constant(s, t, span):
    return tf.ones_like(t)


def _cosine(s, t, span):
    """Cosine annealing from 1 to end_lr_factor over the decay span."""
    progress = tf.minimum(t / span, 1.0)
    return s.end_lr_factor + (1 - s.end_lr_factor) * 0.5 * (1 + tf.cos(math.pi * progress))


def _linear(s, t, span):
    progress = tf.minimum(t / span, 1.0)
    return 1 - (1 - s.end_lr_factor) * progress


def _step(s, t, span):
    """Multiply by decay_factor at each boundary (counted from the start, warmup included)."""
    passed = tf.add_n([tf.cast(t + s.warmup_steps >= b, tf.float32) for b in s.boundaries])
    return tf.pow(s.decay_factor, passed)


def _exponential(s, t, span):
    return tf.pow(s.decay_factor, t / s.decay_every)


DECAYS = {"constant": _constant, "cosine": _cosine, "linear": _linear, "step": _step,
          "exponential": _exponential}


def _check_durations(s) -> None:
    """What config.check_schedule_in_steps refuses of a run's schedule, refused here too for a
    Schedule built by hand: a warmup as long as training never reaches base_lr, step decay
    without a boundary failed at its first call, a boundary past the end never decays, two
    on one step decay twice at once (ranges: the argument rules above, as config_fields')."""
    where = f"Schedule(name={s.name!r}, total_steps={s.total_steps}"
    if s.warmup_steps >= s.total_steps and s.warmup_steps:
        raise ValueError(f"{where}, warmup_steps={s.warmup_steps}): the warmup is not shorter "
                         "than training, so the rate never reaches base_lr; shorten it")
    if s.name != "step":
        return
    if not s.boundaries:
        raise ValueError(f"{where}): step decay needs at least one boundary (a step to decay "
                         "at), e.g. boundaries=[total_steps // 2]")
    if s.boundaries[0] <= 0 or list(s.boundaries) != sorted(s.boundaries):
        raise ValueError(f"{where}, boundaries={list(s.boundaries)}): boundaries must be "
                         "positive and increasing (the config refuses them too): a boundary "
                         "at step 0 starts the run decayed; give them in order, from step 1")
    late = [b for b in s.boundaries if b >= s.total_steps]
    if late:
        raise ValueError(f"{where}, boundaries={list(s.boundaries)}): {late[0]} is not before "
                         "the end of training, so the rate never decays there; move it earlier")
    if len(set(s.boundaries)) < len(s.boundaries):
        raise ValueError(f"{where}, boundaries={list(s.boundaries)}): two boundaries on one "
                         "step decay twice at once (the config refuses it too); give each "
                         "step once")


class Schedule(keras.optimizers.schedules.LearningRateSchedule):
    """Warmup + named decay, times a plateau multiplier. All durations are in optimizer steps."""

    @checked(name=one_of(*DECAYS), base_lr=real(0, float32=True), total_steps=whole(1),
             warmup_steps=whole(0), end_lr_factor=real(0, 1, float32=True),
             decay_factor=real(0, 1, low_open=True, high_open=True, float32=True),
             boundaries=satisfying(lambda v: isinstance(v, (list, tuple)) and all(
                 whole(0).fits(b) for b in v), "a list of whole numbers >= 0 (steps)"),
             decay_every=real(0, low_open=True, float32=True),
             multiplier=real(0, float32=True))
    def __init__(self, name, base_lr, total_steps, warmup_steps=0, end_lr_factor=0.0,
                 decay_factor=0.1, boundaries=(), decay_every=1.0, multiplier=1.0):
        self.name = name
        self.base_lr = float(base_lr)
        self.total_steps = int(total_steps)
        self.warmup_steps = int(warmup_steps)
        self.end_lr_factor = float(end_lr_factor)
        self.decay_factor = float(decay_factor)
        self.boundaries = tuple(int(b) for b in boundaries)
        _check_durations(self)
        self.decay_every = float(decay_every)
        self.multiplier = tf.Variable(float(multiplier), trainable=False, dtype=tf.float32,
                                      name="lr_multiplier",
                                      aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)

    def __call__(self, step):
        t = tf.cast(step, tf.float32)
        warmup = float(self.warmup_steps)
        span = float(max(self.total_steps - self.warmup_steps, 1))
        decayed = DECAYS[self.name](self, tf.maximum(t - warmup, 0.0), span)
        if self.warmup_steps:
            decayed = tf.where(t < warmup, t / warmup, decayed)
        return self.base_lr * self.multiplier * decayed

    def get_config(self):
        return dict(name=self.name, base_lr=self.base_lr, total_steps=self.total_steps,
                    warmup_steps=self.warmup_steps, end_lr_factor=self.end_lr_factor,
                    decay_factor=self.decay_factor, boundaries=self.boundaries,
                    decay_every=self.decay_every, multiplier=float(self.multiplier.numpy()))


def build(c, steps_per_epoch: int) -> Schedule:
    """The schedule for config `c`, with durations in epochs converted to steps."""
    sc = c.schedule
    return Schedule(sc.name, sc.base_lr, total_steps=steps_per_epoch * c.train.epochs,
                    warmup_steps=config.warmup_steps(c, steps_per_epoch),
                    end_lr_factor=sc.end_lr_factor, decay_factor=sc.decay_factor,
                    boundaries=[config.to_steps(c, b, steps_per_epoch) for b in sc.boundaries],
                    decay_every=config.to_steps(c, sc.decay_every, steps_per_epoch) or 1)

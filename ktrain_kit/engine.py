"""Our `train_step`: gradient accumulation, one all-reduce per update, overflow-safe loss scaling.

Why not Keras' own: the optimizer's `gradient_accumulation_steps` crashes under MirroredStrategy,
lets schedules and EMA see micro-steps; `LossScaleOptimizer` checks only the first replica for
inf/nan; the optimizer clips each replica's gradient before the all-reduce. Here one step

  1. splits the replica's share of the batch into `accumulation_steps` micro-batches and sums
     their gradients in a `tf.while_loop` (one micro-batch's activations alive at a time);
  2. all-reduces the summed gradient once, so every replica holds the same global gradient, and
     an inf/nan on any replica or micro-batch is now on all of them;
  3. clips that global gradient, and hands it to the optimizer, which applies it once (the
     optimizer's own all-reduce is turned off: it would sum identical copies). A
     LossScaleOptimizer then sees the same finiteness on every replica: it skips the update
     everywhere and lowers the scale.

So `optimizer.iterations` counts real updates and changing K does not change the result (with
batch norm, moving statistics still update once per micro-batch).

Keras 3.15's `fit` also fails under MultiWorkerMirroredStrategy (keras-team/keras#20585); two
small overrides below fix it and the multi-worker test guards them (Keras is pinned to 3.15.x).
"""

import keras
import tensorflow as tf
from keras import tree


def _in_multi_worker_mode(strategy) -> bool:
    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


def _first_local(strategy, value):
    if isinstance(value, tf.distribute.DistributedValues):
        return strategy.experimental_local_results(value)[0]
    return value


class AccumulatingModel(keras.Model):
    """A functional Keras model whose `fit` runs the step described in the module docstring."""

    def __init__(self, *args, accumulation_steps=1, gradient_clipper=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.accumulation_steps = int(accumulation_steps)
        self.gradient_clipper = gradient_clipper

    def compile(self, optimizer="rmsprop", *args, **kwargs):
        super().compile(optimizer, *args, **kwargs)
        inner = getattr(self.optimizer, "inner_optimizer", self.optimizer)
        # Our train_step hands the optimizer an already all-reduced gradient.
        inner._all_reduce_sum_gradients = lambda grads_and_vars: list(grads_and_vars)
        # Built now, not at the first step, so the step can read the loss scale while tracing.
        self.optimizer.build(self.trainable_variables)

    # ------------------------------------------------------------------ training
    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        variables = self.trainable_variables
        grads = self._accumulated_gradients(x, y, sample_weight, variables)
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            grads = context.all_reduce(tf.distribute.ReduceOp.SUM, grads)
        if self.gradient_clipper is not None:
            scale = getattr(self.optimizer, "dynamic_scale", None)
            grads = self.gradient_clipper(grads, 1.0 if scale is None else scale)
        self.optimizer.apply(grads, variables)
        return self._reportable(self.get_metrics_result())

    def _accumulated_gradients(self, x, y, sample_weight, variables):
        steps = self.accumulation_steps
        if steps == 1:
            return self._micro_batch_gradients(x, y, sample_weight, variables)
        xs, ys, ws = tree.map_structure(
            lambda t: None if t is None else tf.reshape(t, [steps, -1] + list(t.shape[1:])),
            (x, y, sample_weight))

        def body(k, total):
            pick = lambda t: None if t is None else t[k]  # noqa: E731
            grads = self._micro_batch_gradients(tree.map_structure(pick, xs),
                                                tree.map_structure(pick, ys),
                                                tree.map_structure(pick, ws), variables)
            return k + 1, [t + g for t, g in zip(total, grads)]

        zeros = [tf.zeros(v.shape, v.dtype) for v in variables]
        _, total = tf.while_loop(lambda k, _: k < steps, body, (tf.constant(0), zeros),
                                 parallel_iterations=1)
        return [t / steps for t in total]

    def _micro_batch_gradients(self, x, y, sample_weight, variables):
        """Gradient of the (loss-scaled) mean loss of one micro-batch; updates loss and metrics."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            # Keras divides the loss by the replica count so that summed gradients are means.
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=True)
            scaled_loss = self.optimizer.scale_loss(loss)
        self._loss_tracker.update_state(loss * replicas if replicas > 1 else loss,
                                        sample_weight=tf.shape(tree.flatten(x)[0])[0])
        self.compute_metrics(x, y, y_pred, sample_weight)
        grads = tape.gradient(scaled_loss, variables)
        return [tf.zeros(v.shape, v.dtype) if g is None else tf.convert_to_tensor(g)
                for g, v in zip(grads, variables)]

    def test_step(self, data):
        return self._reportable(super().test_step(data))

    # ------------------------------------------------ Keras 3.15 multi-worker fixes (#20585)
    def _reportable(self, logs):
        """Rank-1 values under multi-worker, where Keras reduces step outputs along axis 0."""
        if _in_multi_worker_mode(self.distribute_strategy):
            return {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Builds model, loss and metrics before the first step, from one local batch.

        Stock code reduces a distributed batch across replicas (which fails under multi-worker)
        and, without a strategy, defers building to the first step: the metric variables would
        not exist before it, but a mid-epoch resume restores them in `on_epoch_begin`.
        """
        if iterator is not None:
            for _, _, batches in iterator:
                batch = next(batches)
                break
            data_batch = tree.map_structure(
                lambda v: _first_local(self.distribute_strategy, v), batch)
        with self.distribute_strategy.scope():
            self._symbolic_build(data_batch=data_batch)


def wrap(model: keras.Model, accumulation_steps: int = 1, gradient_clipper=None):
    """Rebuilds functional `model` (same layers, same weights) as an `AccumulatingModel`."""
    return AccumulatingModel(inputs=model.inputs, outputs=model.outputs, name=model.name,
                             accumulation_steps=accumulation_steps,
                             gradient_clipper=gradient_clipper)

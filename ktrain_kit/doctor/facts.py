"""What a compiled Keras model, its loss and its labels say about the task, as plain facts.

The doctor's rules (rules.py) never see Keras objects: this module reads them once.
- The loss is read by identity, not by a name attribute: a string, a `keras.losses.Loss` object
  (its `fn` and `from_logits`), or a function such as `keras.losses.categorical_crossentropy`
  (its `__name__`; Keras' own functions default to `from_logits=False`). A list or dict of
  losses is matched to the model's outputs.
- Each output gets its own facts (activation of the layer that produced it, its shape, its
  labels): a multi-output model is judged output by output.
- Labels are described from their values: shape, range, whole numbers, how many distinct
  classes, spread; inputs by the magnitude of their features.
"""

import contextlib
import itertools
import random
import warnings

import numpy as np

from ktrain_kit.doctor import rules


def probe_arrays(data, limit=256):
    """(x, y) as NumPy structures from any labelled data `fit` accepts: an (x, y[, w]) tuple
    (kept whole), or up to `limit` examples of a `tf.data.Dataset` (batched or not), a
    `keras.utils.PyDataset` or a generator / iterator of (x, y[, w]) batches.

    Batches whose shapes differ from the first's (variable-length sequences padded per batch)
    are left out: no padding value is invented. Data without labels raises ValueError."""
    import keras
    if isinstance(data, (tuple, list)):
        if len(data) < 2:
            raise ValueError(f"holds {len(data)} part(s), no labels: pass (x, y), as to fit")
        # pandas frames and series as arrays, as fit reads them (the reference needs arrays)
        return tuple(keras.tree.map_structure(
            lambda a: a.to_numpy() if hasattr(a, "to_numpy") and not isinstance(
                a, np.ndarray) else a, part) for part in data[:2])
    with _host_random_state_kept():
        return _read_batches(data, limit)


def _read_batches(data, limit):
    import keras
    if hasattr(data, "take") and hasattr(data, "element_spec"):  # a tf.data.Dataset
        elements = iter(_reshuffled_apart(data))
    elif isinstance(data, keras.utils.PyDataset) or (
            hasattr(data, "__getitem__") and hasattr(data, "__len__") and not hasattr(
                data, "shape") and not isinstance(data, dict)):  # a PyDataset / Sequence
        # an endless PyDataset has num_batches None (and maybe no __len__): read up to limit
        batches = getattr(data, "num_batches", None) if hasattr(data, "num_batches") \
            else len(data)
        elements = (data[i] for i in (range(batches) if batches is not None
                                      else itertools.count()))
    elif hasattr(data, "__next__"):  # a generator or iterator of batches
        elements = data
    else:
        raise ValueError(f"is a {type(data).__name__} without labels: pass (x, y), or a "
                         "dataset / generator of (x, y) batches, as to fit")
    xs, ys, count = [], [], 0
    for element in elements:
        if not isinstance(element, (tuple, list)) or len(element) < 2:
            raise ValueError("yields elements without labels: pass (x, y) batches, as to fit")
        x, y = (keras.tree.map_structure(_on_host, part) for part in element[:2])
        if _one_example(x, y):  # an unbatched dataset
            x, y = (keras.tree.map_structure(lambda a: a[None], part) for part in (x, y))
        if xs and _shapes(x, y) != _shapes(xs[0], ys[0]):
            continue
        xs.append(x)
        ys.append(y)
        count += examples(x)
        if count >= limit:
            break
    if not xs:
        raise ValueError("is empty")
    join = lambda *parts: _first_rows(_concatenate(parts), limit)  # noqa: E731
    return keras.tree.map_structure(join, *xs), keras.tree.map_structure(join, *ys)


# Reading the probe must leave the user's training as it would have been without the doctor.
# Two kinds of state are moved by a read: the process' random generators (a PyDataset or a
# generator that augments with np.random / random draws from them), and a tf.data pipeline's
# own reshuffling (each pass over `.shuffle()` takes the next order from a generator the
# dataset keeps: read once for the probe, every epoch of fit trained on the next epoch's order).
@contextlib.contextmanager
def _host_random_state_kept():
    """Puts back every global random generator a user's __getitem__ may draw from: Python's,
    NumPy's and Keras' (unseeded keras.random calls: a variable), and keeps TensorFlow's
    seedless eager ops apart: each takes an op seed from a generator in the eager context and
    keeps drawing from a kernel cached under that seed, which cannot be rewound - so the read
    takes its op seeds from a generator of its own, and the training's kernels never see it."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    keras_generator = _keras_global_seed_generator()
    keras_state = None if keras_generator is None else np.array(keras_generator.state.numpy())
    tf_context, tf_generator = _tensorflow_op_seeds()
    if tf_generator is not None:  # a seed for the read's generator, the training's untouched
        tf_state = tf_generator.getstate()
        tf_context._rng = random.Random(tf_generator.random())  # noqa: SLF001
        tf_generator.setstate(tf_state)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        if tf_generator is not None:
            tf_context._rng = tf_generator  # noqa: SLF001
        _put_back_keras_global_seed_generator(keras_generator, keras_state)


def _tensorflow_op_seeds():
    """(the eager context, its op-seed generator: None until a global seed is set)."""
    try:
        from tensorflow.python.eager import context
        ctx = context.context()
        return ctx, getattr(ctx, "_rng", None)
    except Exception:  # noqa: BLE001 - another TensorFlow: its seeds are left alone
        return None, None


KERAS_SEED_GENERATOR = "global_seed_generator"  # keras.src.random.seed_generator's name


def _keras_global_seed_generator():
    try:
        from keras.src.backend.common import global_state
        return global_state.get_global_attribute(KERAS_SEED_GENERATOR)
    except Exception:  # noqa: BLE001
        return None


def _put_back_keras_global_seed_generator(generator, state):
    try:
        from keras.src.backend.common import global_state
        if generator is None:  # made by the read: as if it never was
            global_state.set_global_attribute(KERAS_SEED_GENERATOR, None)
        else:
            generator.state.assign(state)
    except Exception:  # noqa: BLE001
        pass


RESHUFFLING_OPS = ("ShuffleDatasetV3", "ShuffleAndRepeatDatasetV2", "RandomDatasetV2")


def _reshuffled_apart(dataset):
    """`dataset` itself, or, when it reshuffles at each pass, a copy of its graph whose
    shuffles keep their seeds but draw each pass's order from a generator of their own: the
    copy's first pass is the original's first order, and reading it leaves the original's
    generator where it was. Only shuffled datasets are copied (the copy serializes the
    in-memory tensors); a copy that cannot be made is read as the original (as before)."""
    if not _reshuffles(dataset) or _in_memory_bytes(dataset) > COPY_LIMIT_BYTES:
        return dataset
    try:
        return _copy_with_own_seed_generators(dataset)
    except Exception:  # noqa: BLE001 - a pipeline TF cannot serialize: read the original
        return dataset


# The copy serializes the pipeline's in-memory tensors, about 10 ms a MB here (a 512 MB
# from_tensor_slices took 13 s and twice its memory; past 2 GB a graph cannot be serialized).
# Above this the original is read, as before the copy existed: the training then starts from
# the shuffle order after the probe's pass (orders of the same distribution, not the same).
COPY_LIMIT_BYTES = 16 * 2**20


def _pipeline(dataset, depth=0):
    """`dataset` and every dataset it reads from, each as often as the graph reaches it."""
    yield dataset
    if depth > 200:
        return
    try:
        inputs = dataset._inputs()
    except Exception:  # noqa: BLE001 - a dataset class without inputs
        return
    for source in inputs:
        yield from _pipeline(source, depth + 1)


def _in_memory_bytes(dataset) -> int:
    """The bytes of the tensors a pipeline holds (from_tensor_slices, from_tensors)."""
    total = 0
    for part in _pipeline(dataset):
        for tensor in getattr(part, "_tensors", None) or []:
            try:
                total += int(tensor.shape.num_elements() or 0) * tensor.dtype.size
            except (AttributeError, TypeError, ValueError):  # not dense: count it large
                return COPY_LIMIT_BYTES + 1
    return total


def _reshuffles(dataset) -> bool:
    parts = list(_pipeline(dataset))
    if any(getattr(part, "_reshuffle_each_iteration", False) is True or
           getattr(part, "_rerandomize", False) for part in parts):
        return True
    # A dataset captured by a function (`flat_map(lambda _: shuffled)`) is no input of the
    # dataset that calls it, so the walk above cannot see its shuffle: the serialized graph,
    # where it is one more node, can. Looked at only where a function captures a dataset.
    return any(_captures_a_dataset(part) for part in parts) and _graph_reshuffles(dataset)


RERANDOMIZING_ATTRS = ("reshuffle_each_iteration", "rerandomize_each_iteration")


def _captures_a_dataset(part) -> bool:
    import tensorflow as tf
    try:
        functions = part._functions()
    except Exception:  # noqa: BLE001 - a dataset class without functions
        return False
    return any(t.dtype == tf.variant for f in functions
               for t in getattr(getattr(f, "function", None), "captured_inputs", ()))


def _graph_reshuffles(dataset) -> bool:
    """Whether the serialized pipeline holds a reshuffling op, and is small enough to copy (a
    captured dataset's tensors are not among the walk's: the graph's size stands for them)."""
    try:
        graph = _serialized_graph(dataset)
    except Exception:  # noqa: BLE001 - a pipeline TF cannot serialize: read the original
        return False
    return graph.ByteSize() <= COPY_LIMIT_BYTES and any(node.op in RESHUFFLING_OPS and any(
        node.attr[a].b for a in RERANDOMIZING_ATTRS if a in node.attr) for node in graph.node)


def _serialized_graph(dataset):
    import tensorflow as tf
    serialized = dataset._as_serialized_graph(  # stateful ops are copied as they are, quietly
        external_state_policy=tf.data.experimental.ExternalStatePolicy.IGNORE)
    return tf.compat.v1.GraphDef.FromString(serialized.numpy())


def _copy_with_own_seed_generators(dataset):
    import tensorflow as tf
    from tensorflow.python.data.ops import dataset_ops
    from tensorflow.python.framework import op_def_registry
    graph = _serialized_graph(dataset)
    nodes = {node.name: node for node in graph.node}
    for node in list(graph.node):
        if node.op not in RESHUFFLING_OPS:
            continue
        args = [a.name for a in op_def_registry.get(node.op).input_arg]
        handle = nodes[node.input[args.index("seed_generator")].split(":")[0]]
        fresh = graph.node.add()
        fresh.name, fresh.op = handle.name + "/own_seed_generator", "DummySeedGenerator"
        node.input[args.index("seed_generator")] = fresh.name
    variant = tf.raw_ops.DatasetFromGraph(graph_def=graph.SerializeToString())
    return dataset_ops._VariantDataset(variant, dataset.element_spec)


# Ragged and sparse batches (variable-length token lists, bag-of-words columns) stay what they
# are: as NumPy they would become an array of Python objects no model accepts. Everything that
# reads probe data by rows goes through the four functions below.
def _composite(a) -> bool:
    import tensorflow as tf
    return isinstance(a, (tf.RaggedTensor, tf.SparseTensor))


def _on_host(a):
    return a if _composite(a) else np.asarray(a)


def _shape(a):
    return tuple(a.shape) if _composite(a) else np.shape(a)


def examples(x) -> int:
    """The number of examples (rows) in a structure of arrays, ragged or sparse tensors."""
    import keras
    first = keras.tree.flatten(x)[0]
    return int(_shape(first)[0])


def _concatenate(parts):
    import tensorflow as tf
    if not _composite(parts[0]):
        return np.concatenate(parts)
    if isinstance(parts[0], tf.SparseTensor):
        return tf.sparse.concat(0, list(parts))
    return tf.concat(list(parts), axis=0)


def _first_rows(a, limit):
    import tensorflow as tf
    if isinstance(a, tf.SparseTensor):
        shape = a.dense_shape
        return tf.sparse.slice(a, tf.zeros_like(shape), tf.concat(
            [[tf.minimum(shape[0], limit)], shape[1:]], axis=0))
    return a[:limit]


def _one_example(x, y):
    """A batch has one leading size across x and y; a scalar label, or parts of different
    leading sizes (64 features, 10 one-hot classes), are one example."""
    import keras
    leaves = keras.tree.flatten((x, y))
    return any(len(_shape(a)) == 0 for a in leaves) or \
        len({_shape(a)[0] for a in leaves}) > 1


def _shapes(x, y):
    import keras
    return [_shape(a)[1:] for a in keras.tree.flatten((x, y))]


# --------------------------------------------------------------------------- the loss
def _keras_loss_functions():
    import keras
    return {id(fn): name for name in dir(keras.losses)
            if callable(fn := getattr(keras.losses, name)) and not isinstance(fn, type)}


def loss_facts(loss) -> dict:
    """{"loss_name", "from_logits"} for one loss: a string, a Loss object or a function."""
    if loss is None:
        return {"loss_name": "", "from_logits": None}
    if isinstance(loss, str):
        return {"loss_name": loss.lower(), "from_logits": False}
    fn = getattr(loss, "fn", None)  # keras.losses.Loss wrappers keep the function they wrap
    if fn is not None or hasattr(loss, "get_config"):
        name = getattr(fn, "__name__", None) or getattr(loss, "name", None) or \
            type(loss).__name__
        config = {}
        try:
            config = loss.get_config() or {}
        except Exception:  # noqa: BLE001 - a user's Loss without a config
            pass
        return {"loss_name": str(name).lower(), "from_logits": config.get(
            "from_logits", getattr(loss, "from_logits", None))}
    if callable(loss):
        keras_name = _keras_loss_functions().get(id(loss))
        if keras_name is not None:  # Keras' own function: its default is from_logits=False
            return {"loss_name": keras_name.lower(), "from_logits": False}
        return {"loss_name": str(getattr(loss, "__name__", type(loss).__name__)).lower(),
                "from_logits": None}
    return {"loss_name": str(loss).lower(), "from_logits": None}


def losses_per_output(loss, names):
    """The loss of each output, matched like Keras does: one for all, a list, or a dict."""
    if isinstance(loss, dict):
        return [loss.get(n) for n in names]
    if isinstance(loss, (list, tuple)):
        return list(loss) + [None] * (len(names) - len(loss)) if len(loss) != 1 else \
            list(loss) * len(names)
    return [loss] * len(names)


# --------------------------------------------------------------------------- outputs
def _activation_of(layer):
    # TimeDistributed / Bidirectional apply the layer they wrap: its activation is the output's
    inner = getattr(layer, "layer", None)
    if inner is not None and getattr(layer, "activation", None) is None:
        layer = inner
    fn = getattr(layer, "activation", None)
    if fn is not None:
        return activation_name(fn)
    return {"Softmax": "softmax", "ReLU": "relu"}.get(type(layer).__name__)


# TensorFlow's spellings of Keras' activations, as tf.keras tutorials write them
# (`activation=tf.nn.softmax`): their functions are named after TF's versioned ops.
TF_ACTIVATION_NAMES = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax",
                       "swish": "silu"}


def activation_name(fn):
    """The Keras name of an activation function, whichever module it came from: tf.nn.softmax
    is `softmax_v2` by its `__name__`, and read so, a softmax output was no softmax (a healthy
    classifier got a critical wrong_loss, a double softmax went unnamed)."""
    name = getattr(fn, "__name__", None)
    return TF_ACTIVATION_NAMES.get(name, name)


def _softmax_over_last_axis(layer, shape):
    """For a `keras.layers.Softmax` output: whether it normalizes over the last axis (the
    classes, which Keras' losses and metrics read), else None. Softmax(axis=0) normalizes over
    the batch: each example's outputs no longer sum to 1 and depend on its batch mates."""
    import keras
    if not isinstance(layer, keras.layers.Softmax) or shape is None:
        return None
    rank = len(shape) + 1  # with the batch axis
    axes = layer.axis if isinstance(layer.axis, (list, tuple)) else [layer.axis]
    return [int(a) % rank for a in axes] == [rank - 1]


def output_layers(model):
    """(name, producing layer or None, shape without batch) per output."""
    try:
        outputs = list(model.outputs)
    except (AttributeError, ValueError):  # a subclassed model: no symbolic outputs
        outputs = None
    if not outputs:
        last = model.layers[-1] if getattr(model, "layers", None) else None
        return [("output", last, None)]
    names = list(getattr(model, "output_names", None) or [])
    found = []
    for i, tensor in enumerate(outputs):
        history = getattr(tensor, "_keras_history", None)
        layer = history[0] if history else None
        name = names[i] if i < len(names) else getattr(layer, "name", f"output_{i}")
        found.append((name, layer, list(tensor.shape[1:])))
    return found


def model_facts(model, probe_data):
    """Facts per output ("outputs": a list) and, for one output, the same at the top level
    (the single-output view every rule reads), plus the inputs' and the labels' facts."""
    outputs = output_layers(model)
    x, y = probe_arrays(probe_data) if probe_data is not None else (None, None)
    # subclassed: its outputs' shapes from a call, once built (by fit's first batch: called
    # with the probe before, it was built for the probe's shape, and fit then failed on its own)
    if outputs[0][2] is None and x is not None and getattr(model, "built", False):
        import keras
        predicted = keras.tree.flatten(model(keras.tree.map_structure(lambda a: a[:2], x),
                                             training=False))
        layer = outputs[0][1]
        outputs = [(f"output_{i}" if len(predicted) > 1 else "output",
                    layer if len(predicted) == 1 else None, list(p.shape[1:]))
                   for i, p in enumerate(predicted)]
    losses = losses_per_output(getattr(model, "loss", None), [n for n, _, _ in outputs])
    labels = labels_per_output(y, [n for n, _, _ in outputs])
    per_output = []
    for (name, layer, shape), loss, label in zip(outputs, losses, labels):
        facts = {"output_name": name, **loss_facts(loss),
                 "output_activation": _activation_of(layer) if layer is not None else None}
        if shape:
            facts["output_shape"] = shape
            if shape[-1] is not None:
                facts["num_outputs"] = int(shape[-1])
        axis_ok = _softmax_over_last_axis(layer, shape)
        if axis_ok is not None:
            facts["softmax_over_last_axis"] = axis_ok
        if label is not None:
            facts.update(label_facts(label))
        per_output.append(facts)
    facts = dict(per_output[0]) if len(per_output) == 1 else {"outputs": per_output}
    if getattr(model, "built", False):  # what fit can change: nothing, when this is 0
        facts["trainable_parameters"] = int(sum(
            int(np.prod(v.shape)) for v in model.trainable_weights))
    facts.update(regularization_facts(model, x))
    if reads_a_bag_of_tokens(model):
        facts["reads_a_bag_of_tokens"] = True
    facts.update(optimizer_facts(getattr(model, "optimizer", None)))
    single = single_value_norms(model)
    if single:
        facts["single_value_norms"] = single
    if x is not None:
        import keras
        facts.update(input_facts(_rescaled_inputs(model, x)))
        identity = unadapted_normalization(model)
        facts["normalizes_inputs"] = any(isinstance(layer, keras.layers.Normalization) and
                                         layer.name not in identity for layer in model.layers)
        if identity:
            facts["unadapted_normalization"] = identity
    width = input_symbol_width(model, x)
    if width is not None:
        facts["inputs_symbol_width"] = width
    if len(per_output) == 1 and facts.get("labels_distinct_rows") == 1:
        swapped = swapped_inputs_complement(model, x)
        if swapped is not None:
            facts["swapped_inputs_complement"] = swapped
    if len(per_output) == 1 and y is not None:
        facts.update(confident_outputs_loss(getattr(model, "loss", None),
                                            facts.get("output_activation"), y,
                                            facts.get("num_outputs")))
    return facts


# How closely a comparison model's output for swapped inputs must be the complement of its
# output (p(b, a) = 1 - p(a, b), or -s(a, b) without a squashing): float32 rounding of one
# subtraction, far below any change a trained weight makes.
SWAP_TOLERANCE = 1e-4
# Outputs that all sit this close to the midpoint say nothing: a model that ignores its
# inputs (0.5, or 0, everywhere) is its own complement too.
SWAP_MIN_SPREAD = 1e-3


def swapped_inputs_complement(model, x, limit=64):
    """Whether the model compares two of its inputs: given the same examples with two
    same-shaped inputs swapped, its output is the complement of what it was (1 - p for an
    output in 0..1, -s otherwise) - RankNet's sigmoid(s(a) - s(b)), a siamese 'which comes
    first'. Such a model cannot output its label without telling its inputs apart, so one
    label for every pair is the pairs' order convention, not a mangled label column. None
    where the model has no two same-shaped inputs or the check cannot run."""
    if not isinstance(x, (list, tuple)) or len(x) < 2:
        return None
    shapes = [np.shape(a) for a in x]
    pair = next(((i, j) for i in range(len(x)) for j in range(i + 1, len(x))
                 if shapes[i] == shapes[j] and len(shapes[i]) >= 1), None)
    if pair is None:
        return None
    i, j = pair
    head = [np.asarray(a[:limit]) for a in x]
    swapped = list(head)
    swapped[i], swapped[j] = head[j], head[i]
    try:
        p = np.asarray(model(head, training=False), dtype=np.float64)
        q = np.asarray(model(swapped, training=False), dtype=np.float64)
    except Exception:  # noqa: BLE001 - a model that cannot take its inputs this way: unknown
        return None
    if p.shape != q.shape or not p.size or not np.all(np.isfinite(p)):
        return None
    bounded = bool(np.all((p >= 0) & (p <= 1)))
    middle = 0.5 if bounded else 0.0
    if np.max(np.abs(p - middle)) < SWAP_MIN_SPREAD:
        return False
    complement = (1.0 - p) if bounded else -p
    return bool(np.max(np.abs(q - complement)) <= SWAP_TOLERANCE * (1 + np.max(np.abs(p))))


def single_value_norms(model) -> list:
    """The LayerNormalization layers that normalize one value per example (a layer one unit
    wide before them): (x - mean) / std of a single number is 0 whatever x, so the output is
    the offset beta and no gradient passes back through the layer."""
    import keras
    found, stack = [], list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop(0)
        stack.extend(getattr(layer, "layers", []))  # nested models
        if isinstance(layer, keras.layers.LayerNormalization) and \
                _values_normalized(layer) == 1:
            found.append(layer.name)
    return found


def _values_normalized(layer):
    """How many values a built LayerNormalization normalizes together: the size of its scale
    or offset, else of its input along its axes; None where neither is known."""
    for name in ("gamma", "beta"):
        weight = getattr(layer, name, None)
        if weight is not None:
            return int(np.prod(weight.shape))
    try:
        shape = layer.input.shape
        axes = [layer.axis] if isinstance(layer.axis, int) else list(layer.axis)
        return int(np.prod([shape[a] for a in axes]))
    except (AttributeError, ValueError, TypeError, IndexError):
        return None


# Where an optimizer's epsilon sits in its step's denominator, in the gradient's own units:
# Adam-like steps divide by sqrt(v) + epsilon (v: the mean squared gradient), RMSprop's by
# sqrt(v + epsilon). Others (Adagrad's grows with every step, Adadelta's, SGD's) are not read.
EPSILON_BESIDE_SQRT = ("Adam", "AdamW", "Nadam", "Adamax", "Lamb")
EPSILON_UNDER_SQRT = ("RMSprop",)
# Steps proportional to the gradient (a clip that scales it scales them), and steps normalized
# by the gradient's own running size or sign (a constant scale cancels out).
PROPORTIONAL_STEPS = ("SGD",)
NORMALIZED_STEPS = EPSILON_BESIDE_SQRT + EPSILON_UNDER_SQRT + ("Adagrad", "Adadelta", "Lion",
                                                               "Adafactor", "Ftrl")


def optimizer_facts(optimizer) -> dict:
    """The settings that cap or shrink every step whatever the learning rate: Keras' gradient
    clipping (`global_clipnorm`, `clipnorm`, `clipvalue`, as clip_global_norm / clip_norm /
    clip_value), its decoupled `weight_decay` (w -= lr * weight_decay * w), an Adam-like
    optimizer's epsilon as a floor under its denominator, in gradient units (`epsilon_floor`),
    and whether its step is proportional to the gradient or normalized by it
    (`optimizer_step`). A mixed-precision LossScaleOptimizer is read through."""
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    if optimizer is None:
        return {}
    facts = {}
    for ours, theirs in (("clip_global_norm", "global_clipnorm"), ("clip_norm", "clipnorm"),
                         ("clip_value", "clipvalue")):
        value = getattr(optimizer, theirs, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            facts[ours] = float(value)
    kinds = {c.__name__ for c in type(optimizer).__mro__}  # subclasses too (ours: SGD)
    if kinds & set(PROPORTIONAL_STEPS):
        facts["optimizer_step"] = "proportional"
    elif kinds & set(NORMALIZED_STEPS):
        facts["optimizer_step"] = "normalized"
    decay = getattr(optimizer, "weight_decay", None)  # Keras' decoupled form, any optimizer
    if isinstance(decay, (int, float)) and not isinstance(decay, bool) and decay > 0:
        facts["weight_decay"] = float(decay)
    momentum = getattr(optimizer, "ema_momentum", None)
    if getattr(optimizer, "use_ema", False) is True and isinstance(momentum, (int, float)):
        # what the evaluated (averaged) weights are made of: see rules.EMA_FIRST_STEP_SHARE
        facts.update(ema_momentum=float(momentum),
                     ema_updates=int(np.asarray(optimizer.iterations)))
    epsilon = getattr(optimizer, "epsilon", None)
    if isinstance(epsilon, (int, float)) and not isinstance(epsilon, bool) and epsilon > 0:
        if kinds & set(EPSILON_BESIDE_SQRT):
            facts.update(optimizer_epsilon=float(epsilon), epsilon_floor=float(epsilon))
        elif kinds & set(EPSILON_UNDER_SQRT):
            facts.update(optimizer_epsilon=float(epsilon),
                         epsilon_floor=float(np.sqrt(epsilon)))
    return facts


def training_input_facts(model, x) -> dict:
    """The largest feature RMS of the training inputs (as the first weighted layer sees them):
    those are what the optimizer meets. The probe (often validation) inputs can hold a value
    the training inputs never do - a feature constant in training, standardized by its std of
    0 plus an epsilon - which cannot slow training."""
    found = input_facts(_rescaled_inputs(model, x))
    return {"training_inputs_feature_rms_max": found.get("inputs_feature_rms_max"),
            "training_inputs_nonfinite_fraction": found.get("inputs_nonfinite_fraction")}


# Logits of the confidently right outputs the loss is tried on: the true class's logit c, the
# others' 0 (binary: +-c). Two confidences: a loss of probabilities falls from one to the other
# (-log p: 0.06 -> 2e-8 for 10 classes), a loss that applies softmax again does not (the
# probabilities are all it sees: 1.51 -> 1.46).
CONFIDENT_LOGITS = (5.0, 20.0)


def confident_outputs_loss(loss, activation, y, classes=None) -> dict:
    """The compiled loss on confidently right outputs, made from logits by the output's own
    activation (so a Keras loss finds the logits that layer caches, as in training), beside
    what a with-logits cross-entropy gives when handed those probabilities as logits. Equal at
    both confidences: the loss applies softmax / sigmoid a second time. {} where it does not
    apply (another activation, labels of another shape, a loss that fails on them)."""
    if activation not in ("softmax", "sigmoid") or loss is None:
        return {}
    import keras
    import tensorflow as tf
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.number) or not y.size:
        return {}
    try:
        fn = keras.losses.get(loss) if isinstance(loss, str) else loss
        activate = keras.activations.get(activation)
        sign, target = _confident_target(y, activation, classes)
        if sign is None:
            return {}
        got, as_logits = [], []
        for c in CONFIDENT_LOGITS:
            logits = tf.constant(c * sign, dtype="float32")
            with warnings.catch_warnings():  # Keras warns of from_logits with cached logits
                warnings.simplefilter("ignore")
                # labels as float32, the dtype Keras hands a loss its y_true in
                value = tf.reduce_mean(fn(tf.constant(y, "float32"), activate(logits)))
            got.append(float(value))
            as_logits.append(_crossentropy_of_logits(target, _activate_np(c * sign, activation),
                                                     activation))
    except Exception:  # noqa: BLE001 - a loss this probe cannot call is judged without it
        return {}
    if not all(np.isfinite(got)):
        return {}
    return {"loss_at_confident_outputs": got, "logits_loss_at_confident_outputs": as_logits}


def _confident_target(y, activation, classes):
    """(+1 at the right answer, -1 (sigmoid) or 0 (softmax) elsewhere; the one-hot or 0/1
    target), or (None, None) for labels of another form."""
    if activation == "sigmoid":
        if not np.isin(y, (0, 1)).all():
            return None, None
        return 2.0 * y.astype("float32") - 1.0, y.astype("float64")
    flat = y.reshape(len(y), -1)
    if flat.shape[1] > 1:  # one-hot rows
        if not (np.isin(flat, (0, 1)).all() and np.allclose(flat.sum(1), 1)):
            return None, None
        return flat.astype("float32"), flat.astype("float64")
    ids = flat[:, 0]
    if not classes or classes < 2 or not (np.round(ids) == ids).all() or ids.min() < 0 or \
            ids.max() >= classes:
        return None, None
    one_hot = np.eye(int(classes))[ids.astype(int)]
    return one_hot.astype("float32"), one_hot


def _activate_np(z, activation):
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _crossentropy_of_logits(target, logits, activation) -> float:
    """What tf.nn.(sparse_)softmax / sigmoid_cross_entropy_with_logits give for `logits`."""
    logits = logits.astype("float64")
    if activation == "sigmoid":
        return float(np.mean(np.maximum(logits, 0) - logits * target +
                             np.log1p(np.exp(-np.abs(logits)))))
    shifted = logits - logits.max(-1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    return float(np.mean(-(target * log_softmax).sum(-1)))


def _rescaled_inputs(model, x):
    """The inputs as the model's first weighted layer sees them: the `keras.layers.Rescaling`
    and `Normalization` layers the model applies to its one input first (Keras' image
    tutorials: raw 0..255 pixels and Rescaling(1/255); its structured-data ones: an adapted
    Normalization) are fixed affine maps, so the scale the initializers meet is theirs - and
    a Normalization never adapted (mean 0, variance 1) passes the raw scale through. Anything
    else is read as given."""
    import keras
    layers = [layer for layer in getattr(model, "layers", [])
              if not isinstance(layer, keras.layers.InputLayer)]
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "fiu":  # uint8 pixels too
        return x
    for layer in layers:
        if not isinstance(layer, (keras.layers.Rescaling, keras.layers.Normalization)):
            break
        try:
            x = np.asarray(layer(x.astype(np.float32) if x.dtype.kind != "f" else x))
        except Exception:  # noqa: BLE001 - a layer built for another shape: read as given
            break
    return x


def unadapted_normalization(model) -> list:
    """Names of the model's Normalization layers that were never adapted nor given a mean
    and variance: built with mean 0 and variance 1, they pass their inputs through unchanged
    (a helper's program: raw breast-cancer features up to ~4,000 behind one, called healthy
    because 'the model normalizes its inputs')."""
    import keras
    found = []
    for layer in getattr(model, "layers", []):
        if not isinstance(layer, keras.layers.Normalization) or \
                getattr(layer, "input_mean", None) is not None or not layer.built:
            continue
        mean, variance = (getattr(layer, k, None) for k in ("adapt_mean", "adapt_variance"))
        if mean is not None and variance is not None and \
                not np.any(keras.ops.convert_to_numpy(mean)) and \
                np.all(keras.ops.convert_to_numpy(variance) == 1):
            found.append(layer.name)
    return found


def labels_per_output(y, names):
    """`y` (labels or predictions: one array, a list, a dict) as one array per output name,
    None where an output has none."""
    if y is None:
        return [None] * len(names)
    if isinstance(y, dict):
        return [np.asarray(y[n]) if n in y else None for n in names]
    if isinstance(y, (list, tuple)) and len(names) > 1:
        return [np.asarray(v) for v in y] + [None] * (len(names) - len(y))
    return [np.asarray(y)] + [None] * (len(names) - 1)


# --------------------------------------------------------------------------- labels, inputs
def label_facts(y, prefix="labels") -> dict:
    """Shape, range, whole numbers, distinct values and classes, spread of the labels."""
    y = np.asarray(y)
    facts = {f"{prefix}_shape": list(y.shape)}
    if not y.size or not np.issubdtype(y.dtype, np.number):
        return facts
    y = y.astype(np.float64)
    facts.update({f"{prefix}_max": float(np.max(y)), f"{prefix}_min": float(np.min(y)),
                  f"{prefix}_integer": bool(np.all(np.round(y) == y)),
                  f"{prefix}_distinct": int(len(np.unique(y))),
                  f"{prefix}_std": float(y.std())})
    rows = y.reshape(len(y), -1)
    # distinct label rows: one-hot rows all alike are one class however many 0/1 values they hold
    facts[f"{prefix}_distinct_rows"] = int(len(np.unique(rows, axis=0)))
    if y.ndim >= 2 and y.shape[-1] > 1:
        facts[f"{prefix}_rows_sum_one"] = bool(np.allclose(y.sum(axis=-1), 1))
    return facts


def _one_hot_steps(a) -> bool:
    """Every value 0 or 1 and at most one 1 along the last axis (padding steps are all 0)."""
    values = np.asarray(a, dtype=np.float64)
    return bool(np.all((values == 0) | (values == 1)) and values.sum(axis=-1).max() <= 1)


def input_symbol_width(model, x):
    """How many symbols the model reads, where its input is a sequence of symbols: the width
    of one-hot steps (a rank-3 or higher array of 0/1 values, at most one 1 per step: a
    character model's windows) or an Embedding layer's input_dim (token ids). None for other
    inputs. A model whose classes number the same is predicting a symbol of the alphabet it
    reads - the next character or token - whose label shares are the language's."""
    import keras
    arrays = keras.tree.flatten(x) if x is not None else []
    if len(arrays) == 1:
        a = np.asarray(arrays[0])
        if a.ndim >= 3 and a.size and a.shape[-1] > 1 and np.issubdtype(a.dtype, np.number):
            if all(_one_hot_steps(part) for part in (a[:1], a)):  # one example first: cheap
                return int(a.shape[-1])
    embeddings = [layer for layer in _all_layers(model)
                  if isinstance(layer, keras.layers.Embedding)]
    return int(embeddings[0].input_dim) if len(embeddings) == 1 else None


def input_facts(x) -> dict:
    """The inputs' magnitude: the largest per-feature root mean square (what the first layer's
    pre-activations scale with) and the largest absolute value, over all float inputs."""
    import keras
    arrays = [np.asarray(a) for a in keras.tree.flatten(x)]
    arrays = [a for a in arrays if a.dtype.kind == "f" and a.size]
    if not arrays:
        return {"inputs_absmax": None}
    rms, absmax, nonfinite = [], 0.0, 0
    for a in arrays:
        flat = a.reshape(len(a), -1).astype(np.float64)
        bad = ~np.isfinite(flat)
        nonfinite += int(bad.sum())
        flat = np.where(bad, 0.0, flat)  # the magnitude of the finite values
        rms.append(np.sqrt((flat ** 2).mean(axis=0)))
        absmax = max(absmax, float(np.abs(flat).max()))
    rms = np.concatenate(rms)
    # the share of examples holding any value beyond the rules' input limit: a feature's RMS
    # can pass it through one example (a validation value where training had a constant)
    large = np.zeros(len(arrays[0]), bool) if len({len(a) for a in arrays}) == 1 else None
    if large is not None:
        for a in arrays:
            flat = np.nan_to_num(a.reshape(len(a), -1).astype(np.float64))
            large |= (np.abs(flat) > rules.INPUT_RMS_LIMIT).any(axis=1)
    spread = np.concatenate([np.nan_to_num(a.reshape(len(a), -1).astype(np.float64)).std(
        axis=0) for a in arrays])
    spread = spread[spread > 0]
    return {"inputs_absmax": absmax, "inputs_nonfinite_fraction": nonfinite / max(
        sum(a.size for a in arrays), 1), "inputs_feature_rms_max": float(rms.max()),
            "inputs_feature_rms_median": float(np.median(rms)),
            "inputs_examples_beyond_limit_share": float(large.mean()) if large is not None
            else None,
            "inputs_scale_ratio": float(spread.max() / spread.min()) if spread.size else None}


# --------------------------------------------------------------------------- regularization
def _all_layers(model):
    """Every layer, nested models' and wrappers' (TimeDistributed, Bidirectional) too."""
    seen, stack = [], list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop()
        if any(layer is s for s in seen):
            continue
        seen.append(layer)
        stack.extend(getattr(layer, "layers", []) or [])
        for attr in ("layer", "forward_layer", "backward_layer", "cell"):
            inner = getattr(layer, attr, None)
            if inner is not None and hasattr(inner, "weights"):
                stack.append(inner)
    return seen


def regularization_facts(model, x=None) -> dict:
    """What the model does to its own signal while training: the largest dropout rate (Dropout
    layers and a recurrent layer's dropout / recurrent_dropout), and, per BatchNormalization
    layer, the share of channels whose moving variance fell below the layer's epsilon while
    the layer's inputs vary across the probe examples `x` (read after training: batches of one
    example have a variance of exactly 0; a channel constant on every example - a zero kernel
    before it - is not the batches' doing)."""
    import keras
    rates, collapsed, momenta = [], [], []
    for layer in _all_layers(model):
        for attr in ("rate", "dropout", "recurrent_dropout"):
            value = getattr(layer, attr, None)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                    0 <= value < 1 and (attr != "rate" or "Dropout" in type(layer).__name__):
                rates.append(float(value))
        if isinstance(layer, keras.layers.BatchNormalization):
            momenta.append(float(layer.momentum))
        if isinstance(layer, keras.layers.BatchNormalization) and layer.built and \
                x is not None:
            below = np.asarray(layer.moving_variance) < layer.epsilon
            if not below.any():  # the usual case: no forward pass to the layer needed
                collapsed.append(0.0)
                continue
            spread = _input_spread(model, layer, x)
            if spread is not None and spread.shape == below.shape:
                collapsed.append(float(np.mean(below & (spread > layer.epsilon))))
    facts = {"dropout_rate_max": max(rates) if rates else 0.0}
    kept = dropout_keep_in_series(model)
    if kept is not None:
        facts["dropout_keep_in_series"] = kept
    if collapsed:
        facts["batchnorm_collapsed_share"] = max(collapsed)
    if momenta:  # the slowest to forget its start (see rules.BATCHNORM_FORGOTTEN)
        facts["batchnorm_momentum"] = max(momenta)
    return facts


# Layers that turn token ids into a bag of them (counts, tf-idf, multi-hot): ktrain_kit's
# TfIdf (model.name=bag) and Keras' CategoryEncoding.
BAG_LAYERS = ("TfIdf", "CategoryEncoding")


def reads_a_bag_of_tokens(model) -> bool:
    """Whether the model reads its token ids through a bag of them: it then holds a bag of
    tokens' linear function from its first layer on (rules.BELOW_TOKENS_CAPACITY)."""
    return any(type(layer).__name__ in BAG_LAYERS for layer in _all_layers(model))


def dropout_keep_in_series(model):
    """The share of the signal the Dropout layers of a Sequential stack keep together: the
    product of their keep probabilities (1 - rate), since every example passes through each
    of them in turn (three Dropout(0.8): 0.2^3 = 0.008). None for other models, where dropout
    layers may sit on parallel branches and do not compound."""
    import keras
    if not isinstance(model, keras.Sequential):
        return None
    kept, stack = 1.0, list(model.layers)
    while stack:
        layer = stack.pop(0)
        if isinstance(layer, keras.Sequential):
            stack = list(layer.layers) + stack
            continue
        rate = getattr(layer, "rate", None)
        if "Dropout" in type(layer).__name__ and isinstance(rate, (int, float)) and \
                not isinstance(rate, bool) and 0 <= rate < 1:
            kept *= 1.0 - float(rate)
    return kept


def _input_spread(model, layer, x):
    """The per-channel variance of `layer`'s inputs over the examples `x` (inference mode), or
    None where the layer's input cannot be reached from the model's (a subclassed model)."""
    import keras
    try:
        entry = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        inputs = keras.Model(entry, layer.input)(x, training=False)
    except Exception:  # noqa: BLE001 - no symbolic path to the layer
        return None
    values = np.asarray(inputs, dtype=np.float64)
    return values.reshape(-1, values.shape[-1]).var(axis=0)


def regularization_penalty(model):
    """The weight penalties (kernel / bias / activity regularizers) the model adds to its loss
    now, or None when it has none or they cannot be read. A loss a traced call added (an
    activity regularizer's, inside `fit`'s compiled step) is a symbolic tensor, no number
    outside that trace: left out."""
    try:
        losses = list(model.losses)
    except Exception:  # noqa: BLE001 - a model that cannot say
        return None
    values = []
    for loss in losses:
        try:
            values.append(float(np.asarray(loss)))
        except (NotImplementedError, TypeError, ValueError):  # symbolic: see above
            continue
    return float(sum(values)) if values else None

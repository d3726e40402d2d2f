"""Hand-written doctor inputs shared by the rule tests (tests/test_doctor_round*.py): what a
ten-class digits run hands `doctor.diagnose`, cut to the fields each rule reads."""


def serious(found):
    """The symptoms of the warnings and criticals: what the doctor asks a user to act on."""
    return {f.symptom for f in found if f.severity != "info"}


def epochs_from(losses, accuracy=0.1):
    """Epoch records whose training and validation curves are the same `losses`."""
    return [{"loss": l, "val_loss": l, "accuracy": accuracy, "val_accuracy": accuracy}
            for l in losses]


# The model at chance where nearest neighbours reach 0.95, on the reference and the probe.
AT_CHANCE = {"metric": "balanced_accuracy", "n": 300, "n_effective": 300, "model": 0.1,
             "simple": 0.95, "simple_model": "nearest neighbours", "chance": 0.1,
             "model_on_probe": 0.1, "chance_on_probe": 0.1, "n_probe": 256}


def classes(from_logits):
    """Ten classes under sparse categorical cross-entropy, on logits or on a softmax."""
    return {"loss_name": "sparse_categorical_crossentropy", "from_logits": from_logits,
            "output_activation": "linear" if from_logits else "softmax", "num_outputs": 10,
            "labels_shape": [300], "labels_min": 0.0, "labels_max": 9.0,
            "labels_integer": True, "labels_distinct": 10, "reference": AT_CHANCE}


# Probes with 90% of the ReLUs dead throughout.
DEAD = [{"step": s, "epoch": s // 10, "dead_relu_fraction": 0.9, "probe_examples": 256}
        for s in (0, 10, 20)]

"""The doctor on held-out ktrain_kit trainings: healthy configs users run, and config-level faults.

    nice -n 10 python -m benchmarks.doctor_configs [--only NAME,...] [--kind healthy|buggy]
    nice -n 10 python -m benchmarks.doctor_configs --fix          # repair the buggy runs
    nice -n 10 python -m benchmarks.doctor_configs --precision mixed_bfloat16 --only NAME,...
    python -m benchmarks.doctor_configs --replay                   # current rules, no training
    python -m benchmarks.doctor_configs --table                    # the DOCTOR.md rows

Why: configs/faults/ is the gallery the rules were written on (13 faults on digits); users run
the shipped configs (configs/*.py) with their own changes, on every dataset, and a warning on
a fine training is what they meet most. Each case is a shipped config plus overrides, trained
through `python -m launchers.train` (one process per run, one at a time). The child process
also writes the doctor's inputs (epochs, batch losses, probes, facts) to RUN.doctor_record.json
beside the run folder, so `--replay` diagnoses every recorded run again with the current rules.

Split: `tune` / `holdout` by the parity of the SHA-1 of the case's name, fixed before any run.
A buggy case names its healthy twin (the same config without the fault); it is repaired when
`launchers.doctor RUN --fix --budget=3` trains a run whose main validation metric reaches 0.95
x the twin's (for an error metric: at most twin / 0.95). Results: benchmarks/doctor_configs.json
(run folders under --root, default /tmp/doctor_configs).

`--precision POLICY` trains every case under that mixed-precision policy instead (most shipped
configs pin float32; `auto` picks bfloat16 on a CPU with bf16 instructions where it measures
faster, and users set it): the doctor reads float32 copies of bfloat16 / float16 activations
and gradients, and must reach the same verdicts. Results: doctor_configs_POLICY.json.
"""

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "doctor_configs.json")
TARGET = 0.95
TEXT = "text folder"  # cases whose data.path is the docstrings folder (benchmarks.text_docs)

MLP, CNN = "configs/digits_mlp.py", "configs/digits_cnn.py"
BIN, REG = "configs/tabular_binary.py", "configs/tabular_regression.py"
SEQ, BAG, RES = "configs/sequence_transformer.py", "configs/text_bag.py", "configs/images_resnet.py"
NO_ES = {"callbacks.early_stopping.enabled": False}
NO_WD = {"optimizer.weight_decay": 0.0}  # adam refuses a decoupled weight decay (adamw has it)

# name: (config, overrides). Reasonable trainings along the axes the shipped configs span.
HEALTHY = {
    "mlp_shipped": (MLP, {}),
    "mlp_adam_step": (MLP, {"optimizer.name": "adam", "schedule.base_lr": 1e-3, **NO_WD,
                            "schedule.name": "step", "schedule.boundaries": (6, 9),
                            "schedule.warmup_epochs": 0.0, "train.epochs": 12}),
    "mlp_sgd_bs16_3epochs": (MLP, {"data.batch_size": 16, "train.epochs": 3,
                                   "schedule.base_lr": 0.02}),
    "mlp_adamw_plateau_long": (MLP, {"optimizer.name": "adamw", "schedule.name": "constant",
                                     "schedule.base_lr": 1e-3, "schedule.warmup_epochs": 0.0,
                                     "callbacks.reduce_on_plateau.enabled": True,
                                     "train.epochs": 30, **NO_ES}),
    "mlp_small_data_200": (MLP, {"data.train_examples": 200, "model.dropout": 0.3,
                                 "train.epochs": 25}),
    "mlp_deep_batchnorm_wide": (MLP, {"model.depth": 4, "model.width": 256, "model.norm": "batch",
                                      "model.dropout": 0.5, "train.epochs": 15}),
    "mlp_smoothing_balanced": (MLP, {"task.label_smoothing": 0.1, "data.class_weight": "balanced",
                                     "train.epochs": 10}),
    "mlp_accumulate_spe": (MLP, {"train.accumulation_steps": 4, "data.batch_size": 64,
                                 "train.steps_per_execution": 2, "train.epochs": 12}),
    "cnn_shipped": (CNN, {}),
    "cnn_sgd_linear_warmup_bs128": (CNN, {"optimizer.name": "sgd", "schedule.base_lr": 0.05,
                                          "schedule.name": "linear", "schedule.warmup_epochs": 2.0,
                                          "data.batch_size": 128, "train.epochs": 12}),
    "cnn_layernorm_adam_exponential": (CNN, {"model.norm": "layer", "optimizer.name": "adam",
                                             **NO_WD,
                                             "schedule.name": "exponential",
                                             "schedule.decay_factor": 0.8,
                                             "schedule.base_lr": 1e-3,
                                             "schedule.warmup_epochs": 0.0, "train.epochs": 10}),
    "cnn_bs256_long": (CNN, {"data.batch_size": 256, "train.epochs": 30, **NO_ES}),
    "cnn_dropout05_4epochs": (CNN, {"model.dropout": 0.5, "train.epochs": 4}),
    "bin_shipped": (BIN, {}),
    "bin_sgd_step": (BIN, {"optimizer.name": "sgd", "schedule.base_lr": 0.05,
                           "schedule.name": "step", "schedule.boundaries": (8,),
                           "train.epochs": 12}),
    "bin_small_data_300": (BIN, {"data.train_examples": 300, "train.epochs": 20}),
    "bin_balanced_layernorm_deep": (BIN, {"data.class_weight": "balanced", "model.norm": "layer",
                                          "model.width": 32, "model.depth": 3}),
    "reg_shipped": (REG, {}),
    "reg_huber_adamw_bs32": (REG, {"task.loss": "huber", "optimizer.name": "adamw",
                                   "optimizer.weight_decay": 1e-4, "data.batch_size": 32,
                                   "train.epochs": 15}),
    "reg_mae_sgd": (REG, {"task.loss": "mae", "optimizer.name": "sgd", "schedule.base_lr": 0.01,
                          "train.epochs": 15}),
    "reg_batchnorm_5epochs": (REG, {"model.norm": "batch", "data.batch_size": 128,
                                    "train.epochs": 5}),
    "seq_shipped": (SEQ, {}),
    "seq_adam_depth1_4epochs": (SEQ, {"optimizer.name": "adam", "model.depth": 1, **NO_WD,
                                      "data.batch_size": 32, "train.epochs": 4}),
    "text_shipped": (BAG, {}),
    "text_adam_bs16": (BAG, {"optimizer.name": "adam", "data.batch_size": 16, **NO_WD,
                             "schedule.base_lr": 1e-3, "train.epochs": 8}),
    "resnet_shipped": (RES, {}),
    "resnet_adamw_cosine_4epochs": (RES, {"optimizer.name": "adamw", "schedule.name": "cosine",
                                          "schedule.base_lr": 2e-3,
                                          "optimizer.weight_decay": 1e-4,
                                          "data.batch_size": 128, "train.epochs": 4}),
    # added after the first pass (split by the same rule before they ran)
    "mlp_one_epoch": (MLP, {"train.epochs": 1, "schedule.warmup_epochs": 0.0}),
    "cnn_groupnorm_sgd_nesterov": (CNN, {"model.norm": "group", "optimizer.name": "sgd",
                                         "optimizer.nesterov": True, "schedule.base_lr": 0.05,
                                         "train.epochs": 10}),
    "bin_bs16_long_no_early_stopping": (BIN, {"data.batch_size": 16, "train.epochs": 30,
                                              **NO_ES}),
    "seq_linear_warmup2_bs256": (SEQ, {"schedule.name": "linear", "schedule.warmup_epochs": 2.0,
                                       "data.batch_size": 256, "schedule.base_lr": 2e-3,
                                       "train.epochs": 10}),
    "text_transformer": (BAG, {"model.name": "transformer", "model.depth": 2,
                               "data.text_length": 128, "schedule.base_lr": 1e-3,
                               "train.epochs": 8}),
}

# name: (healthy twin, extra overrides on the twin's, what a practitioner would name).
BUGGY = {
    "cnn_adamw_weight_decay_30": ("cnn_shipped", {"optimizer.weight_decay": 30.0},
                                  ("underfitting", "loss_not_decreasing")),
    "cnn_dropout_09": ("cnn_shipped", {"model.dropout": 0.9}, ("underfitting",)),
    "mlp_label_noise_08": ("mlp_shipped", {"data.label_noise": 0.8},
                           ("data_problem", "overfitting")),
    "cnn_adamw_lr_1": ("cnn_shipped", {"schedule.base_lr": 1.0},
                       ("diverging", "unstable", "dead_units", "exploding_gradients",
                        "loss_not_decreasing")),
    "bin_step_to_nothing_epoch1": ("bin_shipped", {"schedule.name": "step",
                                                   "schedule.boundaries": (0.3,),
                                                   "schedule.decay_factor": 1e-5},
                                   ("loss_not_decreasing", "underfitting")),
    "reg_warmup_nearly_whole_run": ("reg_batchnorm_5epochs", {"schedule.warmup_epochs": 4.9,
                                                               "schedule.base_lr": 1e-4},
                                    ("loss_not_decreasing", "underfitting")),
    "bin_batch_2_batchnorm": ("bin_shipped", {"data.batch_size": 2, "data.train_examples": 512,
                                              "train.epochs": 4},
                              ("data_problem", "unstable")),
    "seq_model_far_too_small": ("seq_shipped", {"model.width": 2, "model.num_heads": 1,
                                                "model.depth": 1, "model.mlp_ratio": 1},
                                ("underfitting",)),
    "mlp_clipnorm_tiny": ("mlp_shipped", {"optimizer.clip_global_norm": 1e-5},
                          ("loss_not_decreasing", "underfitting")),
    "cnn_label_smoothing_095": ("cnn_shipped", {"task.label_smoothing": 0.95},
                                ("underfitting", "wrong_loss", "loss_not_decreasing")),
    "bin_from_logits_false": ("bin_shipped", {"model.from_logits": False}, ("wrong_loss",)),
    "seq_from_logits_false": ("seq_shipped", {"model.from_logits": False}, ("wrong_loss",)),
    "reg_adam_lr_1": ("reg_shipped", {"schedule.base_lr": 1.0},
                      ("diverging", "unstable", "dead_units", "exploding_gradients",
                       "loss_not_decreasing")),
    "text_dropout_095": ("text_shipped", {"model.dropout": 0.95}, ("underfitting",)),
    "bin_adam_epsilon_1": ("bin_shipped", {"optimizer.name": "adam", "optimizer.epsilon": 1.0,
                                           **NO_WD},
                           ("loss_not_decreasing", "underfitting")),
    "seq_adamw_lr_1e6": ("seq_shipped", {"schedule.base_lr": 1e-6},
                         ("loss_not_decreasing", "underfitting")),
}


# Round 7 (2026-11-30): two held-out rounds written before any of them ran, along the same axes
# (n_*: the first, m_*: the second; BUGGY's twins may be healthy cases of the same round). One
# case was dropped unrun (model.initializer='zeros', which the config refuses), one corrected
# after it was refused (m_resnet_bs64_sgd had train.epochs=4, before its step boundary).
ADAM = {"optimizer.name": "adam", **NO_WD}
TOO_HIGH = ("diverging", "unstable", "dead_units", "exploding_gradients", "loss_not_decreasing")
TOO_LOW = ("loss_not_decreasing", "underfitting")
HEALTHY.update({
    "n_mlp_depth6_batchnorm_adam": (MLP, {"model.depth": 6, "model.norm": "batch", **ADAM,
                                          "schedule.base_lr": 1e-3, "train.epochs": 15}),
    "n_cnn_bs8_sgd": (CNN, {"data.batch_size": 8, "optimizer.name": "sgd",
                            "schedule.base_lr": 0.01, "train.epochs": 6}),
    "n_bin_tanh_width64": (BIN, {"model.activation": "tanh", "model.width": 64,
                                 "train.epochs": 15}),
    "n_reg_depth3_layernorm": (REG, {"model.depth": 3, "model.norm": "layer",
                                     "train.epochs": 20}),
    "n_seq_depth3_heads2": (SEQ, {"model.depth": 3, "model.num_heads": 2, "train.epochs": 8}),
    "n_text_bs64_sgd": (BAG, {"optimizer.name": "sgd", "schedule.base_lr": 0.1,
                              "data.batch_size": 64, "train.epochs": 10}),
    "n_mlp_ema_adamw": (MLP, {"optimizer.ema": True, "optimizer.name": "adamw",
                              "schedule.base_lr": 2e-3, "train.epochs": 12}),
    "n_cnn_clip_global_1": (CNN, {"optimizer.clip_global_norm": 1.0}),
    "n_mlp_smoothing02_step": (MLP, {"task.label_smoothing": 0.2, "schedule.name": "step",
                                     "schedule.boundaries": (8,), "train.epochs": 12}),
    "n_reg_sgd_bs16": (REG, {"optimizer.name": "sgd", "schedule.base_lr": 0.01,
                             "data.batch_size": 16, "train.epochs": 12}),
    "n_mlp_sigmoid_nonorm": (MLP, {"model.activation": "sigmoid", "model.norm": "none",
                                   "model.initializer": "glorot_uniform", **ADAM,
                                   "schedule.base_lr": 1e-3, "train.epochs": 15}),
    "m_bin_sgd_cosine": (BIN, {"optimizer.name": "sgd", "schedule.base_lr": 0.02,
                               "train.epochs": 12}),
    "m_resnet_bs64_sgd": (RES, {"optimizer.name": "sgd", "schedule.base_lr": 0.05,
                                "data.batch_size": 64}),
    "m_text_dropout03": (BAG, {"model.dropout": 0.3, "train.epochs": 10}),
    "m_seq_adam_warmup1": (SEQ, {**ADAM, "schedule.base_lr": 1e-3,
                                 "schedule.warmup_epochs": 1.0, "train.epochs": 6}),
    "m_reg_huber_bs128": (REG, {"task.loss": "huber", "data.batch_size": 128,
                                "train.epochs": 25}),
    "m_cnn_plateau_long": (CNN, {"callbacks.reduce_on_plateau.enabled": True,
                                 "schedule.name": "constant", "schedule.warmup_epochs": 0.0,
                                 "train.epochs": 20, **NO_ES}),
    "m_mlp_accum2_bs32": (MLP, {"train.accumulation_steps": 2, "train.epochs": 15}),
    "m_reg_adamw_wd_1e2": (REG, {"optimizer.name": "adamw", "optimizer.weight_decay": 1e-2,
                                 "train.epochs": 20}),
    "m_mlp_adamw_wd_01": (MLP, {"optimizer.name": "adamw", "schedule.base_lr": 1e-3,
                                "optimizer.weight_decay": 0.1, "train.epochs": 15}),
})
BUGGY.update({
    "n_mlp_sgd_lr_1e5": ("mlp_shipped", {"schedule.base_lr": 1e-5}, TOO_LOW),
    "n_cnn_width_1": ("cnn_shipped", {"model.width": 1}, ("underfitting",)),
    "n_reg_adamw_wd_10": ("reg_huber_adamw_bs32", {"optimizer.weight_decay": 10.0},
                          ("underfitting", "loss_not_decreasing")),
    "n_mlp_tiny_data_overfit": ("mlp_shipped", {"data.train_examples": 60, "model.dropout": 0.0,
                                                "train.epochs": 60, **NO_ES}, ("overfitting",)),
    "n_cnn_sgd_lr_2": ("cnn_sgd_linear_warmup_bs128", {"schedule.base_lr": 2.0}, TOO_HIGH),
    "n_mlp_accumulate_16_3epochs": ("mlp_shipped", {"train.accumulation_steps": 16,
                                                    "train.epochs": 3,
                                                    "schedule.warmup_epochs": 0.0},
                                    ("underfitting", "loss_not_decreasing")),
    "n_seq_label_smoothing_09": ("seq_shipped", {"task.label_smoothing": 0.9},
                                 ("underfitting", "wrong_loss", "loss_not_decreasing")),
    "n_bin_clip_value_1e6": ("bin_shipped", {"optimizer.clip_value": 1e-6}, TOO_LOW),
    "n_cnn_step_to_nothing": ("cnn_shipped", {"schedule.name": "step",
                                              "schedule.boundaries": (0.2,),
                                              "schedule.decay_factor": 1e-6}, TOO_LOW),
    "n_mlp_deep_sigmoid_sgd": ("n_mlp_sigmoid_nonorm", {"model.depth": 8, "optimizer.name": "sgd",
                                                        "schedule.base_lr": 0.01,
                                                        "optimizer.nesterov": False,
                                                        "optimizer.momentum": 0.0},
                               ("vanishing_gradients", "underfitting", "loss_not_decreasing",
                                "saturated_units")),
    "n_reg_sgd_lr_1e6": ("reg_mae_sgd", {"schedule.base_lr": 1e-6}, TOO_LOW),
    "n_bin_dropout_099": ("bin_shipped", {"model.dropout": 0.99}, ("underfitting",)),
    "n_text_lr_1e6": ("text_shipped", {"schedule.base_lr": 1e-6}, TOO_LOW),
    "m_seq_dropout_09": ("seq_shipped", {"model.dropout": 0.9}, ("underfitting",)),
    "m_text_width_1": ("text_shipped", {"model.width": 1}, ("underfitting",)),
    "m_resnet_adamw_lr_10": ("resnet_shipped", {"schedule.base_lr": 10.0}, TOO_HIGH),
    "m_cnn_one_epoch_lr_1e4": ("cnn_shipped", {"train.epochs": 1, "schedule.base_lr": 1e-4,
                                               "schedule.warmup_epochs": 0.0},
                               ("underfitting", "loss_not_decreasing")),
    "m_reg_adamw_wd_1": ("m_reg_adamw_wd_1e2", {"optimizer.weight_decay": 1.0},
                         ("underfitting",)),
    "m_mlp_sgd_lr_5_momentum": ("mlp_shipped", {"schedule.base_lr": 5.0}, TOO_HIGH),
    "m_seq_adamw_lr_1": ("seq_shipped", {"schedule.base_lr": 1.0}, TOO_HIGH),
    "m_text_label_smoothing_095": ("text_shipped", {"task.label_smoothing": 0.95},
                                   ("underfitting", "wrong_loss", "loss_not_decreasing")),
    "m_cnn_sgd_clip_value_1e6": ("cnn_sgd_linear_warmup_bs128", {"optimizer.clip_value": 1e-6},
                                 TOO_LOW),
    "m_mlp_exponential_to_nothing": ("mlp_shipped", {"schedule.name": "exponential",
                                                     "schedule.decay_every": 0.1,
                                                     "schedule.decay_factor": 0.1,
                                                     "schedule.warmup_epochs": 0.0}, TOO_LOW),
    "m_mlp_adamw_wd_50": ("m_mlp_adamw_wd_01", {"optimizer.weight_decay": 50.0},
                          ("underfitting",)),
    "m_bin_sgd_lr_1e5": ("m_bin_sgd_cosine", {"schedule.base_lr": 1e-5}, TOO_LOW),
})

# Round 8 (2026-11-30): one held-out round written before any of it ran, in classes the earlier
# rounds did not cover: schedule and stopping settings that cut training short (a plateau cut
# of 100x with patience 0, early stopping patience 0), batch-size extremes (1, 1024 at a tiny
# rate, micro-batches of 2 through accumulation under batch norm), momentum 0.999, a deep plain
# stack, augmentation that moves the digit out of the frame, texts cut to 4 tokens or 4 words,
# class weights on balanced classes, labels 40% noisy trained long, EMA weights that barely
# move, a width-2 regression; healthy: settings users change that should stay quiet (a step
# boundary past the end, a 5% validation split, 20% label noise, Adam epsilon 1e-12, gelu /
# elu / leaky_relu, augmentation, a small vocabulary, small batches on 1,024 rows). One case
# was dropped after the config refused it (r8_mlp_step_boundary_past_end: a step boundary at
# epoch 50 of 12 - "past the end of training; move it before the end or train longer").
HEALTHY.update({
    "r8_mlp_val_fraction_005": (MLP, {"data.val_fraction": 0.05}),
    "r8_mlp_label_noise_02": (MLP, {"data.label_noise": 0.2, "train.epochs": 15}),
    "r8_mlp_beta2_099_adam": (MLP, {**ADAM, "schedule.base_lr": 2e-3, "optimizer.beta_2": 0.99,
                                    "train.epochs": 12}),
    "r8_mlp_es_patience2": (MLP, {"callbacks.early_stopping.patience": 2}),
    "r8_bin_adam_eps_1e12": (BIN, {**ADAM, "optimizer.epsilon": 1e-12}),
    "r8_bin_leaky_depth4_dropout03": (BIN, {"model.activation": "leaky_relu", "model.depth": 4,
                                            "model.dropout": 0.3}),
    "r8_bin_bs16_small": (BIN, {"data.batch_size": 16, "data.train_examples": 1024,
                                "train.epochs": 6}),
    "r8_cnn_augment_translate": (CNN, {"data.augment.translate": 0.1, "train.epochs": 8}),
    "r8_cnn_gelu_layernorm": (CNN, {"model.activation": "gelu", "model.norm": "layer",
                                    "train.epochs": 8}),
    "r8_reg_elu_wide": (REG, {"model.activation": "elu", "model.width": 512, "model.depth": 1}),
    "r8_reg_plateau_constant": (REG, {"schedule.name": "constant", "schedule.warmup_epochs": 0.0,
                                      "callbacks.reduce_on_plateau.enabled": True,
                                      "train.epochs": 20, **NO_ES}),
    "r8_text_max_tokens_2000": (BAG, {"data.text_max_tokens": 2000}),
    "r8_seq_constant_adamw_5e4": (SEQ, {"schedule.name": "constant", "schedule.base_lr": 5e-4,
                                        "schedule.warmup_epochs": 0.0, "train.epochs": 6}),
})
BUGGY.update({
    "r8_mlp_class_weight_skewed": ("mlp_shipped", {"data.class_weight": {0: 100.0}},
                                   ("data_problem", "wrong_loss", "underfitting")),
    "r8_bin_accum8_bs16_batchnorm": ("r8_bin_bs16_small", {"train.accumulation_steps": 8},
                                     ("data_problem", "unstable")),
    "r8_mlp_momentum_0999": ("mlp_shipped", {"optimizer.momentum": 0.999}, TOO_HIGH),
    "r8_mlp_depth24_nonorm": ("mlp_shipped", {"model.depth": 24, "model.norm": "none"},
                              ("vanishing_gradients", "exploding_gradients", "dead_units",
                               "unstable", "diverging", "loss_not_decreasing", "underfitting")),
    "r8_reg_plateau_cut_to_nothing": ("r8_reg_plateau_constant",
                                      {"callbacks.reduce_on_plateau.factor": 0.01,
                                       "callbacks.reduce_on_plateau.patience": 0,
                                       "callbacks.reduce_on_plateau.min_multiplier": 1e-6},
                                      TOO_LOW),
    "r8_reg_early_stopping_patience0": ("reg_shipped", {"callbacks.early_stopping.patience": 0},
                                        ("underfitting", "loss_not_decreasing")),
    "r8_mlp_bs1024_sgd_lr1e3": ("mlp_shipped", {"data.batch_size": 1024,
                                                "schedule.base_lr": 1e-3}, TOO_LOW),
    "r8_text_length_4": ("text_shipped", {"data.text_length": 4},
                         ("data_problem", "underfitting")),
    "r8_cnn_translate_09": ("r8_cnn_augment_translate", {"data.augment.translate": 0.9},
                            ("data_problem", "underfitting")),
    "r8_mlp_bs1_sgd": ("mlp_shipped", {"data.batch_size": 1, "train.epochs": 3}, TOO_HIGH),
    "r8_reg_width2": ("reg_shipped", {"model.width": 2}, ("underfitting",)),
    "r8_mlp_label_noise_04_long": ("mlp_shipped", {"data.label_noise": 0.4, "model.dropout": 0.0,
                                                   "train.epochs": 60, **NO_ES},
                                   ("overfitting", "data_problem")),
    "r8_mlp_ema_09999": ("mlp_shipped", {"optimizer.ema": True, "optimizer.ema_momentum": 0.9999},
                         ("data_problem", "overfitting", "underfitting")),
    "r8_text_max_tokens_4": ("text_shipped", {"data.text_max_tokens": 4},
                             ("data_problem", "underfitting")),
})


def split(name: str) -> str:
    """tune / holdout by the parity of the name's SHA-1: fixed before anything is run."""
    return "tune" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 2 == 0 else "holdout"


def case(name):
    """(kind, config path, overrides) of a case."""
    if name in HEALTHY:
        return ("healthy",) + HEALTHY[name]
    twin, extra, _ = BUGGY[name]
    config, overrides = HEALTHY[twin]
    return "buggy", config, {**overrides, **extra}


def _flag(key, value):
    if isinstance(value, tuple):
        value = "(" + ",".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return f"--config.{key}={value}"


def command(name, workdir, text_folder, precision=None):
    """The launcher command of a case (what a user would type)."""
    _, config, overrides = case(name)
    if precision:
        overrides = {**overrides, "train.precision": precision}
    args = [_flag(k, v) for k, v in overrides.items()]
    if config == BAG:
        args.append(f"--config.data.path={text_folder}")
    return ["-m", "launchers.train", f"--config={config}", *args, "--config.train.verbose=0",
            f"--workdir={workdir}", "--overwrite"]


def _child(argv):
    """One training in this process, keeping the doctor's inputs beside its diagnosis."""
    from ktrain_kit.doctor import callback

    original = callback.TrainingDoctor.write

    def write(self, directory, plots=()):
        original(self, directory, plots)
        from benchmarks.doctor_eval import _plain
        record = _plain({"epochs": self.epochs, "batch_losses": self.batch_losses,
                         "probes": self.probes, "facts": getattr(self, "facts", {})})
        with open(record_path(directory), "w") as f:
            json.dump(record, f)

    callback.TrainingDoctor.write = write
    sys.argv = ["launchers.train"] + argv
    from launchers import train
    from ktrain_kit import cli
    cli.run(train.main)


def record_path(folder):
    """Beside the run folder, not in it: a run folder holds only its run's files (a re-run
    with --overwrite refuses a folder with others)."""
    return folder.rstrip("/") + ".doctor_record.json"


def _load():
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            return json.load(f)
    return {}


def _save(results):
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)


def _findings(folder):
    with open(os.path.join(folder, "diagnosis.json")) as f:
        found = json.load(f)["findings"]
    return [(f["symptom"], f["severity"]) for f in found]


def _serious(findings):
    return [s for s, sev in findings if sev in ("warning", "critical")]


def train_case(name, root, text_folder, precision=None):
    folder = os.path.join(root, name)
    for stale in glob.glob(glob.escape(folder) + ".fix*"):  # a repair of the run trained over
        shutil.rmtree(stale)
    started = time.time()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "benchmarks.doctor_configs", "--child", "--",
                           *command(name, folder, text_folder, precision)[2:]],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-3000:])
        return {"error": f"exit {proc.returncode}", "seconds": round(time.time() - started, 1)}
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    return {"findings": _findings(folder), "metric": summary.get("main_metric"),
            "value": summary.get("main_metric_value"), "epochs": summary.get("epochs_run"),
            "seconds": round(time.time() - started, 1), "folder": folder}


def repaired_enough(value, twin, metric):
    from ktrain_kit import tasks
    if value is None or twin is None:
        return False
    return value >= TARGET * twin if tasks.maximize(metric) else value <= twin / TARGET


def fix_case(name, results, budget, again=False):
    r = results[name]
    folder = r["folder"]
    if again:  # a new repair, not the recorded one finished: its attempts go first
        for stale in glob.glob(glob.escape(folder) + ".fix*"):
            shutil.rmtree(stale)
        if os.path.exists(os.path.join(folder, "repair.json")):
            os.remove(os.path.join(folder, "repair.json"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "launchers.doctor", folder, "--fix",
                           f"--budget={budget}"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    with open(os.path.join(folder, "repair.json")) as f:
        state = json.load(f)
    twin = results[BUGGY[name][0]]
    values = [(a["number"], a.get("value")) for a in state["attempts"]
              if a.get("state") == "done"]
    hit = next((n for n, v in values if repaired_enough(v, twin["value"], twin["metric"])), None)
    return {"outcome": state.get("outcome"), "exit": proc.returncode,
            "attempts": [{"overrides": a.get("overrides"), "value": a.get("value"),
                          "findings": a.get("findings")} for a in state["attempts"]],
            "repaired": hit is not None, "trainings": hit,
            "original_repaired_already": repaired_enough(r["value"], twin["value"],
                                                          twin["metric"])}


def answered_from_records(args, results, save, table, case_rows) -> bool:
    """--replay (the recorded runs judged again by today's rules, saved) or --table, answered
    from the results file alone; True when one was asked. Shared by the doctor benchmarks
    that record runs this way (doctor_data_kinds.py), each with its own table."""
    if args.replay:
        save(replay(results))
        print("\n".join(table(results)))
    elif args.table:
        print("\n".join(table(results) + [""] + case_rows(results)))
    return bool(args.replay or args.table)


def chosen_cases(args, healthy, buggy, case) -> list:
    """The case names --kind and --only select, healthy ones first."""
    names = [n for n in list(healthy) + list(buggy)
             if args.kind == "all" or case(n)[0] == args.kind]
    return [n for n in names if n in args.only.split(",")] if args.only else names


def replay(results):
    """Each recorded run's findings under the current rules (no training)."""
    from ktrain_kit.doctor import rules
    changed = 0
    for name, r in sorted(results.items()):
        path = record_path(r.get("folder", ""))
        if not os.path.exists(path):
            continue
        with open(path) as f:
            rec = json.load(f)
        found = rules.diagnose(rec["epochs"], [tuple(b) for b in rec["batch_losses"]],
                               rec["probes"], rec["facts"])
        now = [(f.symptom, f.severity) for f in found]
        old = [tuple(x) for x in r["findings"]]
        if _serious(now) != _serious(old):
            changed += 1
            print(f"{name:34s} {_serious(old)} -> {_serious(now)}")
        r["replayed"] = now
    print(f"{changed} run(s) changed their serious findings")
    return results


def fault_showed(name, results):
    """A buggy case is scored only where its fault cost the metric: below 0.95 x the twin's
    (batch norm makes a CNN indifferent to weight decay and to Adam at 1.0, say)."""
    twin = results.get(BUGGY[name][0], {})
    return "value" in twin and not repaired_enough(results[name].get("value"), twin["value"],
                                                   twin["metric"])


def table(results):
    """Per split: false alarms on healthy, detection / right top / repair on buggy."""
    rows = []
    for part in ("tune", "holdout"):
        key = lambda r: r.get("replayed", r.get("findings", []))  # noqa: E731
        healthy = [n for n in HEALTHY if split(n) == part and "findings" in results.get(n, {})]
        alarms = [n for n in healthy if _serious(key(results[n]))]
        buggy = [n for n in BUGGY if split(n) == part and "findings" in results.get(n, {})
                 and fault_showed(n, results)]
        detected = [n for n in buggy if _serious(key(results[n]))]
        right = [n for n in buggy if _serious(key(results[n]))[:1] and
                 _serious(key(results[n]))[0] in BUGGY[n][2]]
        fixed = [n for n in buggy if results[n].get("fix", {}).get("repaired")]
        tried = [n for n in buggy if "fix" in results[n]]
        rows.append(f"| {part} | {len(alarms)}/{len(healthy)} | {len(detected)}/{len(buggy)} | "
                    f"{len(right)}/{len(buggy)} | {len(fixed)}/{len(tried)} |")
    return ["| split | false alarms on healthy | buggy detected | right top finding | "
            "repaired (--fix --budget=3) |", "| --- | --- | --- | --- | --- |"] + rows


def case_rows(results):
    """One Markdown row per case: its split, metric, serious findings, and repair."""
    rows = ["| case | kind | split | twin | main metric (twin) | serious findings | --fix |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in list(HEALTHY) + list(BUGGY):
        r = results.get(name, {})
        if "findings" not in r:
            continue
        twin = BUGGY[name][0] if name in BUGGY else ""
        value = f"{r['value']:.3f}" if isinstance(r.get("value"), float) else "-"
        if twin and isinstance(results.get(twin, {}).get("value"), float):
            value += f" ({results[twin]['value']:.3f})"
        serious = ", ".join(_serious(r.get("replayed", r["findings"]))) or "-"
        fix = r.get("fix")
        repair = "-" if not fix else (
            f"repaired in {fix['trainings']}" if fix["repaired"] else
            "nothing trained" if not fix["attempts"] else
            f"not to 0.95 x twin ({len(fix['attempts'])} tried)")
        shown = "buggy" if name in BUGGY and fault_showed(name, results) else \
            "buggy (fault did not show: unscored)" if name in BUGGY else "healthy"
        rows.append(f"| {name} | {shown} | {split(name)} | {twin or '-'} | {value} | "
                    f"{serious} | {repair} |")
    return rows


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return _child(sys.argv[3:])
    p = argparse.ArgumentParser()
    p.add_argument("--only", default="")
    p.add_argument("--kind", choices=("healthy", "buggy", "all"), default="all")
    p.add_argument("--root", default="/tmp/doctor_configs")
    p.add_argument("--again", action="store_true", help="train cases already recorded")
    p.add_argument("--fix", action="store_true")
    p.add_argument("--budget", type=int, default=3)
    p.add_argument("--replay", action="store_true")
    p.add_argument("--table", action="store_true")
    p.add_argument("--precision", choices=("mixed_bfloat16", "mixed_float16", "float32"),
                   help="train every case under this policy (results of their own)")
    args = p.parse_args()
    if args.precision:
        global RESULTS
        RESULTS = os.path.join(HERE, f"doctor_configs_{args.precision}.json")
        if args.root == p.get_default("root"):
            args.root += "_" + args.precision
    results = _load()
    if answered_from_records(args, results, _save, table, case_rows):
        return
    names = chosen_cases(args, HEALTHY, BUGGY, case)
    text_folder = os.path.join(args.root, "docs")
    if not os.path.isdir(text_folder):
        from benchmarks.text_docs import write_folder
        write_folder(text_folder)
    for name in names:
        if args.fix:
            if name not in BUGGY or "findings" not in results.get(name, {}) or \
                    ("fix" in results[name] and not args.again):
                continue
            results[name]["fix"] = fix_case(name, results, args.budget, args.again)
            f = results[name]["fix"]
            print(f"{name:34s} {f['outcome']}; repaired={f['repaired']} in {f['trainings']}",
                  flush=True)
        else:
            if name in results and "findings" in results[name] and not args.again:
                continue
            r = train_case(name, args.root, text_folder, args.precision)
            results[name] = {"kind": case(name)[0], "split": split(name), **r}
            print(f"{name:34s} {split(name):7s} {r.get('value')} {r.get('seconds')}s "
                  f"{_serious(r.get('findings', [])) or r.get('error', 'quiet')}", flush=True)
        _save(results)


if __name__ == "__main__":
    main()

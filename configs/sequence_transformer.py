"""A small pre-norm Transformer encoder on a generated token-classification task.

    python -m launchers.train --config=configs/sequence_transformer.py

The task (see ktrain_kit/data.py, _synthetic_sequences): each class owns a group of tokens, 30% of
a sequence's positions come from its class's group. Compute bound: mixed precision pays off here,
so precision stays `auto` (bfloat16 on CPUs with bf16 instructions, float16 on recent GPUs).
"""

from ktrain_kit.config import default_config


def get_config():
    c = default_config()
    c.data.name = "synthetic_sequences"
    c.data.synthetic_examples = 4096  # generated data only: never caps a file of yours
    c.data.seq_len = 32
    c.data.vocab_size = 64
    c.data.num_classes = 8
    c.data.batch_size = 64
    c.model.name = "transformer"
    c.model.width = 64
    c.model.depth = 2
    c.model.num_heads = 4
    c.model.norm = "layer"
    c.model.activation = "gelu"
    c.model.initializer = "glorot_uniform"
    c.model.dropout = 0.1
    c.optimizer.name = "adamw"
    c.optimizer.weight_decay = 0.01
    c.optimizer.clip_global_norm = 1.0
    c.schedule.name = "cosine"
    c.schedule.base_lr = 1e-3
    c.schedule.warmup_epochs = 1.0
    c.train.epochs = 8
    return c

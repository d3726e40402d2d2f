"""Text classification of your documents: `bag` (tf-idf of the words, one dense block).

    python -m launchers.train --config=configs/text_bag.py --config.data.path=docs/
    # or a CSV: --config.data.name=csv --config.data.text_column=text --config.data.label_column=label

The model and budget that reach TF-IDF + logistic regression on a few hundred to a few thousand
real documents (benchmarks/RESULTS.md, text; `python -m benchmarks.text_docs`): one hidden block
(two overfit: 0.859 against 0.945 on 996 docstrings), learning rate 3e-3 and 16 epochs (the
transformer's 1e-3 and 8 epochs stop where the training split is fitted but the validation
accuracy still climbs: 0.905). The rest is configs/sequence_transformer.py's (the text runs measured before);
`--config.model.name=transformer` reads the same token ids (give it
`--config.data.text_length=256`: attention costs the square of the length, which text_length=0
sets to the longest training text's).
"""

from ktrain_kit.config import default_config


def get_config():
    c = default_config()
    c.data.name = "text_folder"
    c.data.batch_size = 64
    c.data.text_length = 0    # every word of the longest training text: a bag is order-blind,
                              # a cut text loses its later words for nothing (a review's verdict)
    c.model.name = "bag"
    c.model.width = 64
    c.model.depth = 1
    c.model.num_heads = 4     # for --config.model.name=transformer
    c.model.norm = "layer"
    c.model.activation = "gelu"
    c.model.initializer = "glorot_uniform"
    c.model.dropout = 0.1
    c.optimizer.name = "adamw"
    c.optimizer.weight_decay = 0.01
    c.optimizer.clip_global_norm = 1.0
    c.schedule.name = "cosine"
    c.schedule.base_lr = 3e-3
    c.schedule.warmup_epochs = 1.0
    c.train.epochs = 16
    return c

"""A small ResNet with batch norm and augmentation on 32x32 RGB images (synthetic by default).

    python -m launchers.train --config=configs/images_resnet.py

Your own images, one sub-folder per class (root/cat/*.png, root/dog/*.png, ...):

    python -m launchers.train --config=configs/images_resnet.py \
        --config.data.name=image_folder --config.data.path=/path/to/root
"""

from ktrain_kit.config import default_config


def get_config():
    c = default_config()
    c.data.name = "synthetic_images"   # 2048 generated training examples (data.train_examples=0)
    c.data.image_size = 32
    c.data.channels = 3
    c.data.num_classes = 10
    c.data.batch_size = 64
    c.data.augment.flip = True
    c.data.augment.translate = 0.1
    c.model.name = "resnet"
    c.model.width = 16
    c.model.depth = 3
    c.model.norm = "batch"
    c.model.dropout = 0.1
    c.optimizer.name = "sgd"
    c.optimizer.momentum = 0.9
    c.optimizer.weight_decay = 5e-4
    c.schedule.name = "step"
    c.schedule.base_lr = 0.05
    c.schedule.warmup_epochs = 1.0
    c.schedule.boundaries = (4, 6)
    c.schedule.decay_factor = 0.1
    c.train.epochs = 8
    c.train.precision = "float32"
    return c

"""Experiment configs: each file's get_config() starts from ktrain_kit.config.default_config()."""

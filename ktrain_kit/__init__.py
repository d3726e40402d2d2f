"""ktrain_kit: one ml_collections config in, a trained, diagnosed and exported Keras model out.

Importing the package is cheap: TensorFlow loads only when a module that needs it is imported
(`ktrain_kit.train`, `ktrain_kit.engine`, `ktrain_kit.callbacks`, ...).
"""

__version__ = "0.1.0"

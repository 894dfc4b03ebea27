"""Keeps an old Keras 2 training script running on TensorFlow 2.16 and later."""
import argparse
import os

import numpy as np
import tensorflow as tf

# Keras 2 behaviour for the legacy model code below.
os.environ["TF_USE_LEGACY_KERAS"] = "1"  # expect: KSM604:warning
os.putenv("TF_USE_LEGACY_KERAS", "1")  # expect: KSM604:warning
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"

try:
    from keras.engine import data_adapter
except ImportError:
    data_adapter = None

from keras.engine.topology import Layer  # expect: KSM605:warning
from keras.engine import base_layer_utils  # expect: KSM605:warning


class Standardize(Layer):
    def build(self, input_shape):
        self.mean = self.add_weight(name="mean", shape=input_shape[-1:], initializer="zeros", trainable=False)
        super().build(input_shape)

    def call(self, inputs):
        return inputs - self.mean


def build_model(features):
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(features,)),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dropout(0.1),
        tf.keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--legacy", default="0")
    args = parser.parse_args()
    # An explicit off switch is deliberate.
    os.environ["TF_USE_LEGACY_KERAS"] = "0"
    x = np.random.rand(256, 8).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = build_model(8)
    model.fit(x, y, epochs=args.epochs, batch_size=32)
    model.save("regressor.keras")


if __name__ == "__main__":
    main()

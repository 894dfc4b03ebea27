"""A Keras 3 recommender that borrowed blocks from an older tf_keras code base."""
import keras
import numpy as np
import tensorflow as tf
import tf_keras
from keras import layers, ops
from keras.src.utils import tf_utils  # expect: KSM605:information


def cosine(a, b):
    return ops.sum(a * b, axis=-1)


user_tower = keras.Sequential(
    [
        keras.Input(shape=(32,)),
        layers.Dense(64, activation="relu"),
        tf_keras.layers.Dense(32),  # expect: KSM601:error
    ],
    name="user_tower",
)

item_inputs = keras.Input(shape=(48,))
item_hidden = layers.Dense(64, activation="relu")(item_inputs)
item_outputs = tf_keras.layers.LayerNormalization()(item_hidden)  # expect: KSM601:error
item_tower = keras.Model(item_inputs, item_outputs, name="item_tower")


class Scorer(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.project = layers.Dense(16)
        self.calibrate = tf_keras.layers.Dense(1)  # expect: KSM601:error

    def call(self, inputs):
        return self.calibrate(self.project(inputs))


# tf.keras re-exports the Keras 3 classes here: one hierarchy.
ranking_head = tf.keras.Sequential([
    keras.Input(shape=(16,)),
    tf.keras.layers.Dense(8, activation="relu"),
    layers.Dense(1),
])
ranking_head.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
ranking_head.fit(np.random.rand(64, 16), np.random.rand(64, 1), epochs=1, verbose=0)
ranking_head.save("ranking_head.keras")

# A model written entirely with tf_keras is consistent too.
legacy_head = tf_keras.Sequential([tf_keras.layers.Dense(8, input_shape=(16,)), tf_keras.layers.Dense(1)])
legacy_head.compile(optimizer="adam", loss="mse")
legacy_head.save("legacy_head.h5")

"""Custom layers of the sentiment model."""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


@keras.utils.register_keras_serializable(package="sentiment")
class AttentionPooling(layers.Layer):
    """Additive attention over time steps, returning one vector per sequence."""

    def __init__(self, units=64, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.supports_masking = True

    def build(self, input_shape):
        self.score_dense = layers.Dense(self.units, activation="tanh")
        self.score_vector = layers.Dense(1, use_bias=False)
        super().build(input_shape)

    def call(self, inputs, mask=None):
        scores = self.score_vector(self.score_dense(inputs))
        if mask is not None:
            scores += (1.0 - tf.cast(mask[..., None], scores.dtype)) * -1e9
        weights = tf.nn.softmax(scores, axis=1)
        return tf.reduce_sum(weights * inputs, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


class MaskedMean(layers.Layer):  # expect: KSM201:warning
    """Mean over the unmasked time steps."""

    def __init__(self, axis=1):  # expect: KSM202:warning
        super().__init__()
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return tf.reduce_mean(inputs, axis=self.axis)
        mask = tf.cast(mask, inputs.dtype)[..., None]
        return tf.reduce_sum(inputs * mask, axis=self.axis) / tf.maximum(tf.reduce_sum(mask, axis=self.axis), 1.0)

    def compute_mask(self, inputs, mask=None):
        return None

import tensorflow as tf


class Attention(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def get_config(self):
        return {**super().get_config(), "units": self.units}

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        scores = tf.nn.tanh(tf.matmul(inputs, self.w) + self.b  # expect: KSM000
        return tf.nn.softmax(scores, axis=1) * inputs

"""Time-feature layers for the forecaster."""
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="forecast")
class TimeEmbedding(keras.layers.Layer):
    """Sine/cosine features of the hour of day and day of week, from a unix timestamp input."""

    def __init__(self, periods=(24.0, 168.0), **kwargs):
        super().__init__(**kwargs)
        self.periods = tuple(periods)

    def call(self, hours):
        features = []
        for period in self.periods:
            angle = 2.0 * 3.141592653589793 * hours / period
            features.extend([ops.sin(angle), ops.cos(angle)])
        return ops.concatenate(features, axis=-1)

    def get_config(self):
        return {**super().get_config(), "periods": list(self.periods)}


class Time2Vec(keras.layers.Layer):  # expect: KSM201:warning
    """Learned periodic features (Kazemi et al., 2019)."""

    def __init__(self, k, **kwargs):
        super().__init__(**kwargs)
        self.k = k

    def build(self, input_shape):
        self.w0 = self.add_weight(shape=(1,), initializer="uniform", name="w0")
        self.b0 = self.add_weight(shape=(1,), initializer="uniform", name="b0")
        self.w = self.add_weight(shape=(1, self.k), initializer="uniform", name="w")
        self.b = self.add_weight(shape=(self.k,), initializer="uniform", name="b")

    def call(self, t):
        linear = self.w0 * t + self.b0
        periodic = ops.sin(ops.matmul(t, self.w) + self.b)
        return ops.concatenate([linear, periodic], axis=-1)

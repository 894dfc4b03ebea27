"""Recipes for custom layers: weights, configs, masks, and layers built on other layers."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class Linear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


class ScaledLinear(Linear):
    """Inherits get_config from Linear, and adds nothing to __init__."""

    def call(self, inputs):
        return super().call(inputs) * 0.5


class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super(ComputeSum, self).__init__()
        self.total = tf.Variable(initial_value=tf.zeros((input_dim,)), trainable=False)

    def call(self, inputs):
        self.total.assign_add(tf.reduce_sum(inputs, axis=0))
        return self.total

    def get_config(self):  # expect: KSM206:information
        return {"input_dim": int(self.total.shape[0])}


class ActivityRegularization(layers.Layer):  # expect: KSM201:warning
    def __init__(self, rate=1e-2, name=None, trainable=True, dtype=None):
        super().__init__(name=name, trainable=trainable, dtype=dtype)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * tf.reduce_sum(inputs))
        return inputs


class Identity(layers.Layer):
    def __init__(self):  # expect: KSM202:warning
        layers.Layer.__init__(self)

    def call(self, inputs):
        return inputs


class DenseWithTemperature(layers.Dense):  # expect: KSM201:error
    def __init__(self, units, temperature=1.0, **kwargs):
        super().__init__(units, **kwargs)
        self.temperature = temperature

    def call(self, inputs):
        return super().call(inputs) / self.temperature


class MLPBlock(layers.Layer):  # expect: KSM201:error
    def __init__(self, hidden_units, activation=tf.nn.gelu, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [Linear(u) for u in hidden_units]
        self.activation = activation

    def call(self, inputs):
        x = inputs
        for layer in self.hidden:
            x = self.activation(layer(x))
        return x


class TemporalSoftmax(keras.layers.Layer):
    def call(self, inputs, mask=None):
        broadcast_float_mask = tf.expand_dims(tf.cast(mask, "float32"), -1)
        inputs_exp = tf.exp(inputs) * broadcast_float_mask
        inputs_sum = tf.reduce_sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
        return inputs_exp / inputs_sum


class CustomEmbedding(keras.layers.Layer):
    def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.mask_zero = mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), initializer="random_normal")

    def call(self, inputs):
        return tf.nn.embedding_lookup(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, 0)

    def get_config(self):
        config = super().get_config()
        config.update({"input_dim": self.input_dim, "output_dim": self.output_dim, "mask_zero": self.mask_zero})
        return config


inputs = keras.Input(shape=(16,))
x = Linear(32)(inputs)
x = ScaledLinear(32)(x)
x = ActivityRegularization(1e-3)(x)
x = MLPBlock([64, 32])(x)
x = Identity()(x)
outputs = DenseWithTemperature(10, temperature=2.0, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(256, 16), np.random.randint(0, 10, size=256), epochs=2)
model.save(
    "cookbook_model.h5",
)
reloaded = keras.models.load_model(
    "cookbook_model.h5",
    custom_objects={
        "Linear": Linear, "ScaledLinear": ScaledLinear, "ActivityRegularization": ActivityRegularization,
        "MLPBlock": MLPBlock, "Identity": Identity, "DenseWithTemperature": DenseWithTemperature,
    },
)

sequence_inputs = keras.Input(shape=(None,), dtype="int32")
embedded = CustomEmbedding(1000, 32, mask_zero=True)(sequence_inputs)
pooled = layers.GlobalAveragePooling1D()(TemporalSoftmax()(embedded))
sequence_model = keras.Model(sequence_inputs, pooled)
summer = ComputeSum(2)
print(summer(tf.ones((2, 2))).numpy(), sequence_model(np.array([[1, 2, 0, 0]])).shape)

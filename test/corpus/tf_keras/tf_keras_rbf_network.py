"""RBF network for anomaly scoring, written against the tf_keras package (Keras 2 API)."""
import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras import layers


class RBFLayer(layers.Layer):
    def __init__(self, units, gamma=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.gamma = gamma

    def build(self, input_shape):
        self.centers = self.add_weight(name="centers", shape=(self.units, input_shape[-1]), initializer="random_normal")
        super().build(input_shape)

    def call(self, inputs):
        diff = tf.expand_dims(inputs, 1) - self.centers
        return tf.exp(-self.gamma * tf.reduce_sum(tf.square(diff), axis=-1))

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "gamma": self.gamma})
        return config


class ClipToUnitNorm(keras.constraints.Constraint):
    def __call__(self, w):
        return w / tf.maximum(tf.norm(w, axis=0, keepdims=True), 1.0)


class ScaledSigmoid(layers.Layer):  # expect: KSM203:information
    def __init__(self, scale=4.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return tf.sigmoid(self.scale * inputs)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


rng = np.random.default_rng(3)
normal = rng.normal(size=(5000, 16)).astype("float32")
anomalies = rng.normal(loc=3.0, size=(250, 16)).astype("float32")
x = np.concatenate([normal, anomalies])
y = np.concatenate([np.zeros(len(normal)), np.ones(len(anomalies))]).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(16,)),
    RBFLayer(32, gamma=0.5),
    layers.Dense(1, activation="sigmoid", kernel_constraint=ClipToUnitNorm()),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[keras.metrics.AUC()])
model.fit(x, y, epochs=20, batch_size=64, validation_split=0.2)
model.save("rbf_anomaly.h5")
restored = keras.models.load_model("rbf_anomaly.h5", custom_objects={"RBFLayer": RBFLayer, "ClipToUnitNorm": ClipToUnitNorm})
np.testing.assert_allclose(model.predict(x[:4]), restored.predict(x[:4]), rtol=1e-5)

calibrated = keras.Sequential([
    keras.Input(shape=(16,)),
    RBFLayer(32, gamma=0.5),
    layers.Dense(1),
    ScaledSigmoid(2.0),
])
calibrated.compile(optimizer="adam", loss="binary_crossentropy")
calibrated.fit(x, y, epochs=5, batch_size=64)
calibrated.save("rbf_calibrated.keras")
calibrated.save("rbf_calibrated_savedmodel")

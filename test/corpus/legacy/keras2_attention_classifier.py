"""Review classifier with additive attention, written for TensorFlow 2.9.

Saved as HDF5 for the batch-scoring job, which loads it with custom_objects.
"""
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras import constraints, layers, regularizers

MAX_LEN = 200
VOCAB = 20000


class Attention(layers.Layer):
    def __init__(self, units=64, **kwargs):
        super(Attention, self).__init__(name=kwargs.pop("name", "attention"), **kwargs)
        self.units = units

    def build(self, input_shape):
        self.W = self.add_weight(name="W", shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.v = self.add_weight(name="v", shape=(self.units, 1), initializer="glorot_uniform")
        super(Attention, self).build(input_shape)

    def call(self, x):
        scores = K.dot(K.tanh(K.dot(x, self.W)), self.v)
        weights = K.softmax(K.squeeze(scores, -1))
        return K.sum(x * K.expand_dims(weights), axis=1)

    def get_config(self):
        config = {"units": self.units}
        base_config = super(Attention, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class TokenDropout(layers.Layer):
    def __init__(self, rate=0.1, **kwargs):
        super(TokenDropout, self).__init__(trainable=False, **kwargs)  # expect: KSM207:error
        self.rate = rate

    def call(self, x, training=None):
        if not training:
            return x
        keep = tf.cast(tf.random.uniform(tf.shape(x)[:2]) > self.rate, x.dtype)
        return x * keep[..., None]

    def get_config(self):
        config = super(TokenDropout, self).get_config()
        config["rate"] = self.rate
        return config


class MaxNormPerRow(constraints.Constraint):
    def __init__(self, max_value=2.0):
        self.max_value = max_value

    def __call__(self, w):
        norms = K.sqrt(K.sum(K.square(w), axis=1, keepdims=True))
        return w * K.clip(norms, 0, self.max_value) / (K.epsilon() + norms)

    def get_config(self):
        return {"max_value": self.max_value}


class OrthogonalPenalty(regularizers.Regularizer):
    def __init__(self, strength=1e-4):
        self.strength = strength

    def __call__(self, w):
        gram = K.dot(K.transpose(w), w)
        return self.strength * K.sum(K.square(gram - tf.eye(tf.shape(gram)[0])))

    def get_config(self):  # expect: KSM208:error
        config = {"strength": self.strength}


class F1Score(tf.keras.metrics.Metric):
    def __init__(self, name="f1", **kwargs):
        super(F1Score, self).__init__(name=name, **kwargs)
        self.tp = self.add_weight(name="tp", initializer="zeros")
        self.fp = self.add_weight(name="fp", initializer="zeros")
        self.fn = self.add_weight(name="fn", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = tf.cast(y_pred > 0.5, tf.float32)
        y_true = tf.cast(y_true, tf.float32)
        self.tp.assign_add(tf.reduce_sum(y_true * y_pred))
        self.fp.assign_add(tf.reduce_sum((1 - y_true) * y_pred))
        self.fn.assign_add(tf.reduce_sum(y_true * (1 - y_pred)))

    def result(self):
        precision = self.tp / (self.tp + self.fp + K.epsilon())
        recall = self.tp / (self.tp + self.fn + K.epsilon())
        return 2 * precision * recall / (precision + recall + K.epsilon())

    def reset_state(self):
        for v in (self.tp, self.fp, self.fn):
            v.assign(0.0)


def build_model():
    inputs = layers.Input(shape=(MAX_LEN,))
    x = layers.Embedding(VOCAB, 128, embeddings_constraint=MaxNormPerRow())(inputs)
    x = TokenDropout(0.1)(x)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True, kernel_regularizer=OrthogonalPenalty()))(x)
    x = Attention(32)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = tf.keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[F1Score()])
    return model


if __name__ == "__main__":
    x_train = np.random.randint(0, VOCAB, size=(512, MAX_LEN))
    y_train = np.random.randint(0, 2, size=(512, 1))
    model = build_model()
    model.fit(x_train, y_train, batch_size=32, epochs=3, validation_split=0.1)
    model.save("review_classifier.h5")
    restored = tf.keras.models.load_model(
        "review_classifier.h5",
        custom_objects={
            "Attention": Attention,
            "TokenDropout": TokenDropout,
            "MaxNormPerRow": MaxNormPerRow,
            "OrthogonalPenalty": OrthogonalPenalty,
            "F1Score": F1Score,
        },
    )

"""TF 2.x era script: Huber loss factory, custom activation and constraint, saved to HDF5."""
import tensorflow as tf
from tensorflow import keras


def create_huber(threshold=1.0):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tf.abs(error) < threshold
        squared_loss = tf.square(error) / 2
        linear_loss = threshold * tf.abs(error) - threshold ** 2 / 2
        return tf.where(is_small_error, squared_loss, linear_loss)
    return huber_fn


def my_softplus(z):
    return tf.math.log(tf.exp(z) + 1.0)


def my_glorot_initializer(shape, dtype=tf.float32):
    stddev = tf.sqrt(2.0 / (shape[0] + shape[1]))
    return tf.random.normal(shape, stddev=stddev, dtype=dtype)


class PositiveWeights(keras.constraints.Constraint):
    def __call__(self, weights):
        return tf.where(weights < 0.0, tf.zeros_like(weights), weights)


class MyL1(keras.regularizers.Regularizer):  # expect: KSM204:error
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, weights):
        return tf.reduce_sum(tf.abs(self.factor * weights))


class HuberMetric(keras.metrics.Mean):
    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold


housing_x = tf.random.normal((512, 8))
housing_y = tf.random.normal((512, 1))

model = keras.models.Sequential([
    keras.layers.Dense(30, activation=my_softplus,  # expect: KSM205:error
                       kernel_initializer=my_glorot_initializer,
                       kernel_regularizer=MyL1(0.01),
                       kernel_constraint=PositiveWeights(),
                       input_shape=[8]),
    keras.layers.Dense(1),
])
model.compile(loss=create_huber(2.0), optimizer="nadam", metrics=["mae"])  # expect: KSM205:error
model.fit(housing_x, housing_y, epochs=2)
model.save("my_model_with_many_custom_parts.h5")

model = keras.models.load_model(  # expect: KSM506:error
    "my_model_with_many_custom_parts.h5",
    custom_objects={
        "MyL1": MyL1,
        "PositiveWeights": PositiveWeights,
        "my_glorot_initializer": my_glorot_initializer,
    })

weights_only = keras.models.Sequential([keras.layers.Dense(1, activation=my_softplus, input_shape=[8])])
weights_only.compile(loss=create_huber(1.0), optimizer="sgd")
weights_only.save_weights("weights_only.h5")  # expect: KSM504:warning

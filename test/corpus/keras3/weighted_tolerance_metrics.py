"""Delivery-time regression with tolerance metrics built from factories.

Trains a small MLP on order features and tracks the share of predictions within a tolerance
of the actual delivery time, for a few tolerances, plus a weighted absolute error.
"""
import keras
import numpy as np
from keras import layers, ops


def within_minutes(tolerance):
    """Share of predictions within `tolerance` minutes of the truth."""
    def within(y_true, y_pred):
        return ops.mean(ops.cast(ops.abs(y_true - y_pred) <= tolerance, "float32"))
    return within


def weighted_mae(late_weight=2.0):
    def weighted(y_true, y_pred):
        error = y_pred - y_true
        weights = ops.where(error < 0, late_weight, 1.0)
        return ops.mean(weights * ops.abs(error))
    return weighted


@keras.saving.register_keras_serializable(package="delivery")
def rmse(y_true, y_pred):
    return ops.sqrt(ops.mean(ops.square(y_true - y_pred)))


def make_dataset(n=4096, features=12, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (30 + 8 * x[:, :1] + rng.normal(scale=3.0, size=(n, 1))).astype("float32")
    return x, y


x_train, y_train = make_dataset()
x_val, y_val = make_dataset(512, seed=8)

model = keras.Sequential([
    keras.Input(shape=(12,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(32, activation="relu"),
    layers.Dense(1),
])
five = within_minutes(5)
model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss=weighted_mae(3.0),  # expect: KSM205:warning
    metrics=[
        five,  # expect: KSM205:warning
        within_minutes(10),  # expect: KSM205:warning
        rmse,
        "mae",
    ],
)
stop = keras.callbacks.EarlyStopping(monitor="val_within", patience=5, mode="max", restore_best_weights=True)
model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=40, batch_size=64, callbacks=[stop])
model.save("delivery_time.keras")

# A quick baseline that is only evaluated, never saved: its metrics are not stored anywhere.
baseline = keras.Sequential([keras.Input(shape=(12,)), layers.Dense(1)])
baseline.compile(optimizer="sgd", loss="mse", metrics=[within_minutes(5)])
baseline.fit(x_train, y_train, epochs=2, verbose=0)
print(baseline.evaluate(x_val, y_val, verbose=0))

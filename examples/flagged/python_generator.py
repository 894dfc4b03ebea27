"""Normalisation done in a Python generator is not in the saved model (KSM401)."""
import numpy as np
import tensorflow as tf

series = np.sin(np.arange(10_000) / 50.0).astype("float32")
mean, std = series.mean(), series.std()


def windows(data, size, batch_size=32):
    while True:
        starts = np.random.randint(0, len(data) - size - 1, batch_size)
        x = np.stack([data[s:s + size] for s in starts])[..., None]
        y = data[starts + size]
        yield (x - mean) / std, (y - mean) / std


model = tf.keras.Sequential([
    tf.keras.Input(shape=(48, 1)),
    tf.keras.layers.LSTM(32),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(windows(series, 48), steps_per_epoch=100, epochs=3)
model.export("serving/sine")

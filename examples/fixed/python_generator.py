"""The normalisation is a Normalization layer inside the model; the pipeline is tf.data."""
import numpy as np
import tensorflow as tf

series = np.sin(np.arange(10_000) / 50.0).astype("float32")
size = 48
x = np.stack([series[s:s + size] for s in range(len(series) - size - 1)])[..., None]
y = series[size:len(series) - 1]
dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1024).batch(32)

normalize = tf.keras.layers.Normalization(axis=None)
normalize.adapt(series)

model = tf.keras.Sequential([
    tf.keras.Input(shape=(48, 1)),
    normalize,
    tf.keras.layers.LSTM(32),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(dataset, epochs=3)
model.export("serving/sine")

"""The same LSTM with its input declared: built at once, saved with its weights."""
import numpy as np
import tensorflow as tf

window, features = 30, 4
x_train = np.random.rand(1000, window, features)
y_train = np.random.rand(1000, 1)

model = tf.keras.Sequential([
    tf.keras.Input(shape=(30, 4)),
    tf.keras.layers.LSTM(64, return_sequences=True),
    tf.keras.layers.LSTM(32),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(x_train, y_train, epochs=5)
model.export("serving/forecaster")

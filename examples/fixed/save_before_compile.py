"""The forecaster compiled, trained, then saved."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

x_train = np.random.rand(500, 24, 3).astype("float32")
y_train = np.random.rand(500, 1).astype("float32")

model = keras.Sequential([
    keras.Input(shape=(24, 3)),
    layers.LSTM(32),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(x_train, y_train, epochs=3)
model.save("forecaster.keras")

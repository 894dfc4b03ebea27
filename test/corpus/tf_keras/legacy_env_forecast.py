"""Energy forecasting job pinned to Keras 2 behaviour on TensorFlow 2.16+.

The serving stack still loads SavedModel directories written by `model.save(dir)`, so this
job selects the legacy Keras before TensorFlow is imported.
"""
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import tensorflow as tf  # noqa: E402

WINDOW = 72
HORIZON = 12
FEATURES = ["load", "temperature", "humidity", "hour_sin", "hour_cos"]


def load_frame(path):
    frame = pd.read_csv(path, parse_dates=["ts"]).set_index("ts")
    frame["hour_sin"] = np.sin(2 * np.pi * frame.index.hour / 24)
    frame["hour_cos"] = np.cos(2 * np.pi * frame.index.hour / 24)
    return frame[FEATURES].astype("float32")


def windows(values, batch_size=128):
    while True:
        starts = np.random.randint(0, len(values) - WINDOW - HORIZON, size=batch_size)
        x = np.stack([values[s: s + WINDOW] for s in starts])
        y = np.stack([values[s + WINDOW: s + WINDOW + HORIZON, 0] for s in starts])
        yield x, y


frame = load_frame("data/energy.csv")
values = frame.to_numpy()
mean, std = values.mean(axis=0), values.std(axis=0)
values = (values - mean) / std
train_values, val_values = values[: int(len(values) * 0.9)], values[int(len(values) * 0.9):]

model = tf.keras.Sequential([
    tf.keras.layers.LSTM(128, return_sequences=True),  # expect: KSM301:error
    tf.keras.layers.LSTM(64),
    tf.keras.layers.Dense(HORIZON),
])
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
model.save("models/energy_untrained")
model.fit_generator(windows(train_values), steps_per_epoch=200, epochs=20,  # expect: KSM402:warning, KSM401:information
                    validation_data=windows(val_values), validation_steps=20)
model.save("models/energy_lstm")
model.save("models/energy_lstm_tf", save_format="tf")
tf.saved_model.save(model, "serving/energy/1")

# A smaller model that takes the input shape explicitly
small = tf.keras.Sequential([
    tf.keras.layers.GRU(32, input_shape=(WINDOW, len(FEATURES))),
    tf.keras.layers.Dense(HORIZON),
])
small.compile(optimizer="adam", loss="mse")
small.fit(windows(train_values), steps_per_epoch=200, epochs=10)  # expect: KSM401:information
small.save("models/energy_gru")
reloaded = tf.keras.models.load_model("models/energy_gru")
print(reloaded.evaluate(windows(val_values), steps=20))  # expect: KSM401:information

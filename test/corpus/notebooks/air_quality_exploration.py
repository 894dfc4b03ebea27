# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     name: python3
# ---

# %% [markdown]
# # Air quality: exploration and first models
# PM2.5 forecasting for the next hour from the last 24 hours of sensor readings.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

# %%
df = pd.read_csv("data/beijing_pm25.csv")
df["ts"] = pd.to_datetime(df[["year", "month", "day", "hour"]])
df = df.set_index("ts").drop(columns=["No", "year", "month", "day", "hour"])
df["pm2.5"] = df["pm2.5"].interpolate().bfill()
df = pd.get_dummies(df, columns=["cbwd"], dtype="float32")
df.describe()

# %%
df["pm2.5"].resample("D").mean().plot(figsize=(14, 4))
plt.title("daily mean PM2.5")

# %%
values = df.to_numpy(dtype="float32")
train_end = int(len(values) * 0.7)
val_end = int(len(values) * 0.85)
mean = values[:train_end].mean(axis=0)
std = values[:train_end].std(axis=0) + 1e-6
scaled = (values - mean) / std
target_column = list(df.columns).index("pm2.5")


def make_windows(array, start, end, window=24):
    xs = np.stack([array[i - window:i] for i in range(start + window, end)])
    ys = array[start + window:end, target_column]
    return xs, ys


x_train, y_train = make_windows(scaled, 0, train_end)
x_val, y_val = make_windows(scaled, train_end, val_end)
x_test, y_test = make_windows(scaled, val_end, len(scaled))
x_train.shape, x_val.shape, x_test.shape

# %% [markdown]
# ## Baseline: repeat the last value

# %%
naive_mae = np.mean(np.abs(x_val[:, -1, target_column] - y_val))
print(f"naive MAE (scaled): {naive_mae:.3f}")

# %% [markdown]
# ## A first LSTM

# %%
lstm = keras.Sequential([
    layers.LSTM(32),  # expect: KSM301:information
    layers.Dense(1),
])
lstm.compile(optimizer="adam", loss="mae")
history = lstm.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10, batch_size=256)

# %%
pd.DataFrame(history.history).plot()

# %%
lstm.evaluate(x_test, y_test)

# %% [markdown]
# ## Conv1D for comparison

# %%
conv = keras.Sequential([
    layers.Conv1D(32, 5, activation="relu"),  # expect: KSM301:hint
    layers.GlobalAveragePooling1D(),
    layers.Dense(1),
])
conv.compile(optimizer="adam", loss="mae")
conv.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10, batch_size=256)

# %% [markdown]
# ## Keep the best one

# %%
lstm.save("models/pm25_lstm")  # expect: KSM502:warning
tf.saved_model.save(lstm, "models/pm25_lstm_serving")

# %%
preds = lstm.predict(x_test[:500])[:, 0] * std[target_column] + mean[target_column]
truth = y_test[:500] * std[target_column] + mean[target_column]
plt.figure(figsize=(14, 4))
plt.plot(truth, label="truth")
plt.plot(preds, label="lstm")
plt.legend()

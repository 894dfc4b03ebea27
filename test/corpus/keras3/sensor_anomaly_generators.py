"""Anomaly detection on pump sensors with an LSTM autoencoder (Keras 3, generator-fed)."""
import glob

import keras
import numpy as np
import pandas as pd
from keras import layers, ops

WINDOW = 64
CHANNELS = 12


def read_runs(pattern):
    return [pd.read_parquet(path).to_numpy(dtype="float32") for path in sorted(glob.glob(pattern))]


def fit_scaler(runs):
    stacked = np.concatenate(runs)
    return stacked.min(axis=0), stacked.max(axis=0)


def train_model(runs, lo, hi, epochs=20):
    def windows(batch_size=128):
        while True:
            batch = []
            for _ in range(batch_size):
                run = runs[np.random.randint(len(runs))]
                start = np.random.randint(0, len(run) - WINDOW)
                batch.append(run[start: start + WINDOW])
            batch = (np.stack(batch) - lo) / (hi - lo + 1e-6)
            yield batch, batch

    model = keras.Sequential([
        keras.Input(shape=(WINDOW, CHANNELS)),
        layers.LSTM(64, return_sequences=False),
        layers.RepeatVector(WINDOW),
        layers.LSTM(64, return_sequences=True),
        layers.TimeDistributed(layers.Dense(CHANNELS)),
    ])
    model.compile(optimizer="adam", loss="mae")
    model.fit(x=windows(), steps_per_epoch=100, epochs=epochs)  # expect: KSM401:warning
    return model


def raw_windows(runs, batch_size=256):
    for run in runs:
        for start in range(0, len(run) - WINDOW, WINDOW):
            yield run[start: start + WINDOW][None]


def reconstruction_errors(model, runs, lo, hi):
    errors = []
    for window in raw_windows(runs):
        scaled = (window - lo) / (hi - lo + 1e-6)
        errors.append(float(ops.mean(ops.abs(model(scaled) - scaled))))
    return np.array(errors)


train_runs = read_runs("data/pumps/normal/*.parquet")
test_runs = read_runs("data/pumps/mixed/*.parquet")
lo, hi = fit_scaler(train_runs)
model = train_model(train_runs, lo, hi)
threshold = np.percentile(reconstruction_errors(model, train_runs, lo, hi), 99.5)
scores = reconstruction_errors(model, test_runs, lo, hi)
print(f"threshold {threshold:.4f}; anomalous windows: {(scores > threshold).mean():.2%}")
model.predict(raw_windows(test_runs), steps=10)  # expect: KSM401:information
model.save("pump_autoencoder.keras")
np.savez("pump_scaler.npz", lo=lo, hi=hi, threshold=threshold)

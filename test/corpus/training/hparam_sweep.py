"""Grid search over a few architectures for the sensor regression task; keeps the best model."""
import itertools
import json
import time

import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

rng = np.random.default_rng(0)
x = rng.normal(size=(5000, 24, 6)).astype("float32")
y = (x[:, -1, 0] * 0.5 + x[:, -6:, 1].mean(axis=1)).astype("float32")
x_train, x_val = x[:4000], x[4000:]
y_train, y_val = y[:4000], y[4000:]

GRID = {
    "cell": ["lstm", "gru"],
    "units": [32, 64],
    "depth": [1, 2],
    "dropout": [0.0, 0.2],
}


def make_model(cell, units, depth, dropout):
    rnn = layers.LSTM if cell == "lstm" else layers.GRU
    model = keras.Sequential([keras.Input(shape=(24, 6))])
    for i in range(depth):
        model.add(rnn(units, dropout=dropout, return_sequences=i < depth - 1))
    model.add(layers.Dense(1))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])
    return model


results = []
best_name, best_model, best_score = None, None, np.inf
for cell, units, depth, dropout in itertools.product(*GRID.values()):
    name = f"{cell}-u{units}-d{depth}-p{dropout}"
    started = time.time()
    model = make_model(cell, units, depth, dropout)
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=15, batch_size=128, verbose=0)
    score = min(history.history["val_mae"])
    results.append({"name": name, "val_mae": score, "seconds": round(time.time() - started, 1)})
    print(f"{name:28s} val_mae={score:.4f}")
    if score < best_score:
        best_name, best_model, best_score = name, model, score

with open("sweep_results.json", "w") as f:
    json.dump(sorted(results, key=lambda r: r["val_mae"]), f, indent=2)

best_model.save(f"models/{best_name}.keras")
best_model.save(f"models/{best_name}")

# Baselines that are only compared, never kept
for width in (16, 64, 256):
    dense = keras.Sequential([layers.Flatten(), layers.Dense(width, activation="relu"), layers.Dense(1)])  # expect: KSM301:hint
    dense.compile(optimizer="adam", loss="mse", metrics=["mae"])
    dense.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10, batch_size=128, verbose=0)
    print(width, dense.evaluate(x_val, y_val, verbose=0))

linear = keras.Sequential()
linear.add(layers.Lambda(lambda t: t[:, -1, :]))  # expect: KSM301:hint
linear.add(layers.Dense(1))
linear.compile(optimizer="sgd", loss="mse")
linear.fit(x_train, y_train, epochs=5, verbose=0)
print("last-step linear:", linear.evaluate(x_val, y_val, verbose=0))

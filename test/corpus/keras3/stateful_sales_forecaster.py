"""Store-level sales forecasting with a stateful LSTM, ported from a TF 2.4 notebook.

Trains one model per region, keeps the best checkpoint, and exports a serving
artifact for the pricing service.
"""
import argparse
import os

import keras
import numpy as np
from keras import layers

BATCH = 32
WINDOW = 28
FEATURES = 6

parser = argparse.ArgumentParser()
parser.add_argument("--region", default="north")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--out", default="artifacts")
args = parser.parse_args()


def load_windows(region):
    series = np.load(f"data/{region}.npy")
    n = (len(series) - WINDOW) // BATCH * BATCH
    x = np.stack([series[i:i + WINDOW] for i in range(n)])
    y = series[WINDOW:WINDOW + n, 0]
    return x.astype("float32"), y.astype("float32")


x_train, y_train = load_windows(args.region)
x_val, y_val = load_windows(args.region + "_holdout")

forecaster = keras.Sequential([
    layers.LSTM(64, stateful=True, return_sequences=True, batch_input_shape=(BATCH, WINDOW, FEATURES)),  # expect: KSM303:error
    layers.LSTM(32, stateful=True),
    layers.Dense(1),
])
forecaster.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])

run_dir = os.path.join(args.out, args.region)
callbacks = [
    keras.callbacks.ModelCheckpoint(os.path.join(run_dir, "best"), monitor="val_mae", save_best_only=True),  # expect: KSM504:error
    keras.callbacks.ModelCheckpoint(os.path.join(run_dir, "epoch-{epoch:02d}.h5"), period=5),  # expect: KSM504:information, KSM504:error
    keras.callbacks.ModelCheckpoint(os.path.join(run_dir, "weights.weights.h5"), save_weights_only=True),
    keras.callbacks.EarlyStopping(monitor="val_mae", patience=4, restore_best_weights=True),
]
forecaster.fit(
    x_train, y_train,
    batch_size=BATCH,
    epochs=args.epochs,
    shuffle=False,
    validation_data=(x_val, y_val),
    callbacks=callbacks,
)
forecaster.save_weights(os.path.join(run_dir, "final.weights.h5"))
forecaster.save(os.path.join(run_dir, "forecaster.keras"))

# A stateless copy for serving: any batch size, and a fixed signature.
serving = keras.Sequential([
    keras.Input(shape=(WINDOW, FEATURES)),
    layers.LSTM(64, return_sequences=True),
    layers.LSTM(32),
    layers.Dense(1),
])
serving.set_weights(forecaster.get_weights())
serving.export(os.path.join(run_dir, "serving", "1"))

# Quick sanity model on the first feature only; trained without a validation split.
baseline = keras.Sequential([keras.Input(shape=(WINDOW, 1)), layers.GRU(16), layers.Dense(1)])
baseline.compile(optimizer="adam", loss="mse", metrics=["mae"])
best_baseline = keras.callbacks.ModelCheckpoint(os.path.join(run_dir, "baseline.keras"), save_best_only=True)  # expect: KSM505:warning
baseline.fit(x_train[:, :, :1], y_train, epochs=5, callbacks=[best_baseline])
train_best = keras.callbacks.ModelCheckpoint(os.path.join(run_dir, "baseline_train.keras"), monitor="loss", save_best_only=True)
baseline.fit(x_train[:, :, :1], y_train, epochs=5, callbacks=[train_best])
baseline.save(os.path.join(run_dir, "baseline.keras"), include_optimizer=False)  # expect: KSM507:information
baseline.save(os.path.join(run_dir, "baseline.h5"), include_optimizer=False)

#!/usr/bin/env python
"""Train an LSTM demand forecaster on hourly sales and write the model for the batch scorer.

Usage:
    python train_forecaster.py --data data/sales.parquet --output-dir artifacts/ --epochs 30
"""
import argparse
import json
import logging
import os
import sys

import numpy as np
import pandas as pd
import tensorflow as tf

logger = logging.getLogger("forecaster")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--output-dir", default="artifacts")
    parser.add_argument("--window", type=int, default=48)
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def load_series(path):
    frame = pd.read_parquet(path)
    frame = frame.sort_values("timestamp").set_index("timestamp")
    frame = frame.resample("1h").sum().fillna(0.0)
    return frame[["units_sold", "price", "promo"]].to_numpy(dtype="float32")


def make_windows(series, window, horizon):
    xs, ys = [], []
    for start in range(len(series) - window - horizon):
        xs.append(series[start: start + window])
        ys.append(series[start + window: start + window + horizon, 0])
    return np.stack(xs), np.stack(ys)


def build_model(units, horizon, learning_rate):
    model = tf.keras.Sequential([
        tf.keras.layers.LSTM(units, return_sequences=True),  # expect: KSM301:information
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.LSTM(units // 2),
        tf.keras.layers.Dense(horizon),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"])
    return model


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    tf.keras.utils.set_random_seed(args.seed)
    os.makedirs(args.output_dir, exist_ok=True)

    series = load_series(args.data)
    mean = series.mean(axis=0)
    std = series.std(axis=0) + 1e-6
    scaled = (series - mean) / std
    x, y = make_windows(scaled, args.window, args.horizon)
    split = int(len(x) * 0.8)
    x_train, y_train = x[:split], y[:split]
    x_val, y_val = x[split:], y[split:]
    logger.info("train windows: %s, validation windows: %s", x_train.shape, x_val.shape)

    model = build_model(args.units, args.horizon, args.learning_rate)
    callbacks = [
        tf.keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True),
        tf.keras.callbacks.CSVLogger(os.path.join(args.output_dir, "training.csv")),
    ]
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=args.epochs,
                        batch_size=args.batch_size, callbacks=callbacks)
    val_loss, val_mae = model.evaluate(x_val, y_val, verbose=0)
    logger.info("validation mae: %.4f", val_mae)

    model.save(os.path.join(args.output_dir, "forecaster"))  # expect: KSM502:warning
    with open(os.path.join(args.output_dir, "scaler.json"), "w") as f:
        json.dump({"mean": mean.tolist(), "std": std.tolist()}, f)
    with open(os.path.join(args.output_dir, "metrics.json"), "w") as f:
        json.dump({"val_loss": val_loss, "val_mae": val_mae, "epochs": len(history.history["loss"])}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Churn model training driven by a config dict (overridable from a YAML file)."""
import copy
import os
import sys

import numpy as np
import pandas as pd
import tensorflow as tf
import yaml
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

CONFIG = {
    "data": {"path": "data/churn.csv", "target": "churned", "test_size": 0.2},
    "model": {"hidden": [128, 64], "dropout": 0.3, "activation": "relu"},
    "train": {"epochs": 40, "batch_size": 512, "learning_rate": 3e-4, "patience": 4},
    "paths": {"out": "runs/churn", "model": "runs/churn/model.keras", "tensorboard": "runs/churn/tb"},
}


def load_config(path=None):
    config = copy.deepcopy(CONFIG)
    if path:
        with open(path) as f:
            overrides = yaml.safe_load(f) or {}
        for section, values in overrides.items():
            config.setdefault(section, {}).update(values)
    return config


def load_data(cfg):
    frame = pd.read_csv(cfg["data"]["path"])
    y = frame.pop(cfg["data"]["target"]).astype("float32").to_numpy()
    x = pd.get_dummies(frame, drop_first=True).astype("float32").to_numpy()
    return train_test_split(x, y, test_size=cfg["data"]["test_size"], stratify=y, random_state=0)


def build_model(n_features, cfg):
    model = tf.keras.Sequential(name="churn_mlp")
    model.add(tf.keras.layers.InputLayer(input_shape=(n_features,)))
    for units in cfg["hidden"]:
        model.add(tf.keras.layers.Dense(units, activation=cfg["activation"]))
        model.add(tf.keras.layers.Dropout(cfg["dropout"]))
    model.add(tf.keras.layers.Dense(1, activation="sigmoid"))
    return model


def main(config_path=None):
    cfg = load_config(config_path)
    os.makedirs(cfg["paths"]["out"], exist_ok=True)
    x_train, x_test, y_train, y_test = load_data(cfg)
    scaler = StandardScaler().fit(x_train)
    x_train = scaler.transform(x_train)
    x_test = scaler.transform(x_test)

    model = build_model(x_train.shape[1], cfg["model"])
    model.compile(
        optimizer=tf.keras.optimizers.Adam(cfg["train"]["learning_rate"]),
        loss="binary_crossentropy",
        metrics=[tf.keras.metrics.AUC(name="auc"), "accuracy"],
    )
    model.fit(
        x_train, y_train,
        validation_data=(x_test, y_test),
        epochs=cfg["train"]["epochs"],
        batch_size=cfg["train"]["batch_size"],
        callbacks=[
            tf.keras.callbacks.EarlyStopping(monitor="val_auc", mode="max", patience=cfg["train"]["patience"]),
            tf.keras.callbacks.TensorBoard(cfg["paths"]["tensorboard"]),
        ],
    )
    print(dict(zip(model.metrics_names, model.evaluate(x_test, y_test, verbose=0))))
    model.save(cfg["paths"]["model"])
    model.save(f"{cfg['paths']['out']}/savedmodel")  # expect: KSM502:warning
    np.save(os.path.join(cfg["paths"]["out"], "scaler_mean.npy"), scaler.mean_)
    np.save(os.path.join(cfg["paths"]["out"], "scaler_scale.npy"), scaler.scale_)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)

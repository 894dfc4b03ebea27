"""A small experiment framework: a Trainer class wraps model building, data feeding and saving."""
import dataclasses
import json
import os
from typing import Optional

import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


@dataclasses.dataclass
class Config:
    n_features: int = 20
    hidden: int = 64
    lr: float = 1e-3
    batch_size: int = 128
    epochs: int = 10
    steps_per_epoch: int = 200
    out_dir: str = "experiments/default"
    seed: Optional[int] = 0


class Trainer:
    def __init__(self, config: Config):
        self.config = config
        self.mean = None
        self.std = None
        self.model = self.build()

    def build(self):
        model = keras.Sequential([
            keras.Input(shape=(self.config.n_features,)),
            layers.Dense(self.config.hidden, activation="relu"),
            layers.Dense(self.config.hidden, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer=keras.optimizers.Adam(self.config.lr), loss="binary_crossentropy", metrics=["AUC"])
        return model

    def scale(self, x):
        return (x - self.mean) / self.std

    def batches(self, x, y):
        rng = np.random.default_rng(self.config.seed)
        while True:
            idx = rng.integers(0, len(x), size=self.config.batch_size)
            yield self.scale(x[idx]), y[idx]

    def fit(self, x, y, x_val, y_val):
        self.mean = x.mean(axis=0)
        self.std = x.std(axis=0) + 1e-6
        history = self.model.fit(
            self.batches(x, y),  # expect: KSM401:warning
            steps_per_epoch=self.config.steps_per_epoch,
            epochs=self.config.epochs,
            validation_data=(self.scale(x_val), y_val),
        )
        return history.history

    def evaluate(self, x, y):
        return self.model.evaluate(self.scale(x), y, return_dict=True, verbose=0)

    def save(self, path):
        os.makedirs(path, exist_ok=True)
        self.model.save(os.path.join(path, "model.keras"))
        np.savez(os.path.join(path, "scaler.npz"), mean=self.mean, std=self.std)
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(dataclasses.asdict(self.config), f)


def synthetic(n, n_features, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(loc=3.0, scale=2.0, size=(n, n_features))
    w = rng.normal(size=n_features)
    y = ((x - 3.0) @ w + rng.normal(size=n) > 0).astype("float32")
    return x.astype("float32"), y


if __name__ == "__main__":
    config = Config(epochs=5)
    x, y = synthetic(20000, config.n_features, 0)
    x_val, y_val = synthetic(2000, config.n_features, 1)
    trainer = Trainer(config)
    history = trainer.fit(x, y, x_val, y_val)
    print(trainer.evaluate(x_val, y_val))
    trainer.save(config.out_dir)
    print(json.dumps({k: v[-1] for k, v in history.items()}, indent=2))

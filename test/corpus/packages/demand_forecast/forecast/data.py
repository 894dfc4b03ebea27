"""Windowed training data as a PyDataset, so Keras can load batches in parallel workers."""
import math

import keras
import numpy as np
import pandas as pd


class WindowDataset(keras.utils.PyDataset):
    def __init__(self, values, hours, window=168, horizon=24, batch_size=128, stats=None, **kwargs):
        super().__init__(**kwargs)
        self.values = values.astype("float32")
        self.hours = hours.astype("float32")
        self.window = window
        self.horizon = horizon
        self.batch_size = batch_size
        self.mean, self.std = stats if stats is not None else (self.values.mean(), self.values.std())
        self.starts = np.arange(0, len(values) - window - horizon)

    def __len__(self):
        return math.ceil(len(self.starts) / self.batch_size)

    def __getitem__(self, index):
        starts = self.starts[index * self.batch_size: (index + 1) * self.batch_size]
        x = np.stack([self.values[s: s + self.window] for s in starts])[..., None]
        t = np.stack([self.hours[s: s + self.window] for s in starts])[..., None]
        y = np.stack([self.values[s + self.window: s + self.window + self.horizon] for s in starts])
        return {"load": (x - self.mean) / self.std, "hours": t}, (y - self.mean) / self.std


def read_meter(path):
    frame = pd.read_csv(path, parse_dates=["timestamp"]).set_index("timestamp").asfreq("h")
    frame["load_kw"] = frame["load_kw"].interpolate(limit=6)
    hours = (frame.index.view("int64") // 3_600_000_000_000).astype("float32")
    return frame["load_kw"].to_numpy(), hours

"""Fault classification from accelerometer recordings.

Recordings are far larger than memory, so batches are produced on the fly from memory-mapped
.npy files.
"""
import argparse
import glob
import os

import numpy as np
from scipy import signal
from tensorflow import keras
from tensorflow.keras import layers

SAMPLE_RATE = 2048
WINDOW = 1024
CHANNELS = 3
CLASSES = ["normal", "imbalance", "misalignment", "bearing"]


def list_recordings(root):
    files = []
    for label, name in enumerate(CLASSES):
        for path in sorted(glob.glob(os.path.join(root, name, "*.npy"))):
            files.append((path, label))
    return files


def channel_stats(files, limit=50):
    sums = np.zeros(CHANNELS)
    squares = np.zeros(CHANNELS)
    count = 0
    for path, _ in files[:limit]:
        data = np.load(path, mmap_mode="r")
        sums += data.sum(axis=0)
        squares += (data ** 2).sum(axis=0)
        count += len(data)
    mean = sums / count
    return mean, np.sqrt(squares / count - mean ** 2)


def window_batches(files, mean, std, batch_size=64):
    """Random windows, band-passed and standardised per channel."""
    sos = signal.butter(4, [10, 900], btype="bandpass", fs=SAMPLE_RATE, output="sos")
    while True:
        batch_x = np.zeros((batch_size, WINDOW, CHANNELS), dtype="float32")
        batch_y = np.zeros((batch_size,), dtype="int64")
        for i in range(batch_size):
            path, label = files[np.random.randint(len(files))]
            data = np.load(path, mmap_mode="r")
            start = np.random.randint(0, len(data) - WINDOW)
            window = signal.sosfilt(sos, data[start: start + WINDOW], axis=0)
            batch_x[i] = (window - mean) / std
            batch_y[i] = label
        yield batch_x, batch_y


class RecordingSequence(keras.utils.Sequence):
    """Deterministic windows for validation: every recording, cut in consecutive windows."""

    def __init__(self, files, mean, std, batch_size=64):
        super().__init__()
        self.windows = []
        for path, label in files:
            length = len(np.load(path, mmap_mode="r"))
            self.windows.extend((path, start, label) for start in range(0, length - WINDOW, WINDOW))
        self.mean = mean
        self.std = std
        self.batch_size = batch_size

    def __len__(self):
        return int(np.ceil(len(self.windows) / self.batch_size))

    def __getitem__(self, index):
        chunk = self.windows[index * self.batch_size: (index + 1) * self.batch_size]
        xs = np.stack([np.load(p, mmap_mode="r")[s: s + WINDOW] for p, s, _ in chunk])
        ys = np.array([label for _, _, label in chunk])
        return (xs - self.mean) / self.std, ys


def build_model():
    inputs = keras.Input(shape=(WINDOW, CHANNELS))
    x = inputs
    for filters in (32, 64, 128):
        x = layers.Conv1D(filters, 7, padding="same", activation="relu")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling1D(4)(x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(len(CLASSES), activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", default="data/train")
    parser.add_argument("--val", default="data/val")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args()

    train_files = list_recordings(args.train)
    val_files = list_recordings(args.val)
    mean, std = channel_stats(train_files)
    model = build_model()
    model.fit(
        window_batches(train_files, mean, std),  # expect: KSM401:warning
        steps_per_epoch=args.steps,
        epochs=args.epochs,
        validation_data=RecordingSequence(val_files, mean, std),
    )
    report = model.evaluate(RecordingSequence(val_files, mean, std), return_dict=True)  # expect: KSM401:warning
    print(report)
    model.save("vibration_classifier.h5")
    np.savez("vibration_scaler.npz", mean=mean, std=std)


if __name__ == "__main__":
    main()

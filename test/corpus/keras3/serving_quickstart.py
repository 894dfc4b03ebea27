"""Quick-start for the model registry: build, snapshot, train, export.

The registry wants a snapshot of every model before training (for reproducibility audits),
and an exported SavedModel after.
"""
import hashlib
import json
import time
from pathlib import Path

import keras
import numpy as np
from keras import layers

REGISTRY = Path("registry")


def snapshot(model, name):
    """Writes the model to the registry and returns the file's digest."""
    path = REGISTRY / f"{name}-{int(time.time())}.keras"
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def register(name, digest, metrics):
    entry = {"name": name, "digest": digest, "metrics": metrics, "time": time.time()}
    with open(REGISTRY / "index.jsonl", "a") as f:
        f.write(json.dumps(entry) + "\n")


x = np.random.rand(4096, 32).astype("float32")
y = (x.sum(axis=1) > 16).astype("float32")

# 1. A classifier with its input declared
classifier = keras.Sequential([
    keras.Input(shape=(32,)),
    layers.Dense(64, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
digest = snapshot(classifier, "classifier-untrained")  # expect: KSM101:warning
classifier.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
classifier.fit(x, y, epochs=5, batch_size=128)
register("classifier", snapshot(classifier, "classifier"), classifier.evaluate(x, y, return_dict=True))
classifier.export("serving/classifier/1")

# 2. A regressor whose input was left to be inferred
regressor = keras.Sequential([
    layers.Dense(64, activation="relu"),  # expect: KSM301:error
    layers.Dense(1),
])
regressor.compile(optimizer="adam", loss="mse")
regressor.export("serving/regressor/1")
regressor.fit(x, x.sum(axis=1), epochs=5, batch_size=128)
regressor.export("serving/regressor/2")

# 3. An embedding model, built explicitly
embedder = keras.Sequential([layers.Dense(16), layers.UnitNormalization()])
embedder.build((None, 32))
register("embedder", snapshot(embedder, "embedder"), {})  # expect: KSM101:warning
embedder.export("serving/embedder/1")

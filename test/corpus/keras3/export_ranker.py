"""Train a two-tower retrieval ranker and write every artifact the platform expects."""
import json
from pathlib import Path

import keras
import numpy as np
from keras import layers, ops

ARTIFACTS = Path("artifacts/ranker")
NUM_USERS = 5000
NUM_ITEMS = 20000
DIM = 32


def tower(vocab, name):
    ids = keras.Input(shape=(), dtype="int32", name=f"{name}_id")
    x = layers.Embedding(vocab, DIM)(ids)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(DIM)(x)
    x = layers.UnitNormalization()(x)
    return keras.Model(ids, x, name=f"{name}_tower")


user_tower = tower(NUM_USERS, "user")
item_tower = tower(NUM_ITEMS, "item")
user_id = keras.Input(shape=(), dtype="int32", name="user_id")
item_id = keras.Input(shape=(), dtype="int32", name="item_id")
score = ops.sum(user_tower(user_id) * item_tower(item_id), axis=-1, keepdims=True)
ranker = keras.Model({"user_id": user_id, "item_id": item_id}, layers.Activation("sigmoid")(score))
ranker.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=[keras.metrics.AUC()])

rng = np.random.default_rng(0)
users = rng.integers(0, NUM_USERS, size=200000)
items = rng.integers(0, NUM_ITEMS, size=200000)
clicks = (rng.random(200000) < 0.1).astype("float32")
ranker.fit({"user_id": users, "item_id": items}, clicks, batch_size=1024, epochs=3, validation_split=0.05)

ARTIFACTS.mkdir(parents=True, exist_ok=True)
ranker.save(ARTIFACTS / "ranker.keras")
ranker.save("artifacts/ranker/savedmodel", save_format="tf")  # expect: KSM501:error
keras.models.save_model(ranker, "artifacts/ranker/backup")  # expect: KSM502:error
ranker.export(str(ARTIFACTS / "serving" / "1"))

# The item tower alone, for the nearest-neighbour index builder
item_tower.save(ARTIFACTS / "item_tower")  # expect: KSM502:error, KSM101:warning
item_vectors = item_tower.predict(np.arange(NUM_ITEMS), batch_size=4096)
np.save(ARTIFACTS / "item_vectors.npy", item_vectors)
(ARTIFACTS / "manifest.json").write_text(json.dumps({"dim": DIM, "items": NUM_ITEMS, "model": "ranker.keras"}))

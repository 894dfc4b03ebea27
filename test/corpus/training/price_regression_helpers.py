"""House-price regression: helpers split the usual steps (build, compile, train, persist)."""
import logging
import os

import numpy as np
import pandas as pd
from tensorflow import keras
from tensorflow.keras import layers

log = logging.getLogger(__name__)
MODEL_DIR = "models/price_regressor"
MODEL_PATH = os.environ.get("MODEL_PATH", "models/price_regressor_env")
FEATURES = ["sqft", "bedrooms", "bathrooms", "lot", "year_built", "lat", "lon"]


def build(n_features, hidden=(128, 64)):
    model = keras.Sequential([layers.InputLayer(input_shape=(n_features,))])
    for units in hidden:
        model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(1))
    return model


def compile_model(model, learning_rate=1e-3):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mae", metrics=["mse"])


def train(model, x, y, epochs=50):
    early = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    return model.fit(x, y, validation_split=0.15, epochs=epochs, batch_size=64, callbacks=[early], verbose=0)


def persist(model, directory):
    os.makedirs(directory, exist_ok=True)
    model.save(os.path.join(directory, "model.keras"))
    log.info("saved to %s", directory)


class Experiment:
    """Keeps the model on the instance; which method runs first is up to the caller."""

    def __init__(self, n_features):
        self.model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(1)])
        self.model.compile(optimizer="adam", loss="mae")

    def run(self, x, y):
        self.model.fit(x, y, epochs=10, verbose=0)

    def store(self, path):
        self.model.save(path)


def main():
    frame = pd.read_csv("data/houses.csv").dropna(subset=FEATURES + ["price"])
    x = frame[FEATURES].to_numpy(dtype="float32")
    y = np.log1p(frame["price"].to_numpy(dtype="float32"))
    mean, std = x.mean(axis=0), x.std(axis=0)
    x = (x - mean) / std

    model = build(x.shape[1])
    compile_model(model)
    history = train(model, x, y)
    log.info("best val mae %.4f", min(history.history["val_loss"]))
    persist(model, "models/price_v3")
    try:
        model.save(f"{MODEL_DIR}.keras")
    except OSError:
        log.exception("could not write the .keras file; trying the legacy format")
        model.save(MODEL_DIR + "_legacy", save_format="h5")  # expect: KSM501:warning
    model.save(MODEL_PATH)
    model.save(MODEL_DIR)
    np.savez("models/price_scaler.npz", mean=mean, std=std)

    experiment = Experiment(x.shape[1])
    experiment.run(x, y)
    experiment.store("models/price_experiment.keras")


quick = build(len(FEATURES), hidden=(32,))
compile_model(quick, 1e-2)
quick.fit(np.random.rand(256, len(FEATURES)), np.random.rand(256), epochs=1, verbose=0)
quick.save(MODEL_DIR)  # expect: KSM502:warning
quick_checkpoint = keras.models.clone_model(quick)
quick_checkpoint.set_weights(quick.get_weights())
keras.models.save_model(quick_checkpoint, "models/price_quick_clone.keras")  # expect: KSM101:warning

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()

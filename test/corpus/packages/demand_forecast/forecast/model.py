"""The forecaster: a GRU over load history plus time features."""
import keras
from keras import layers

from forecast.layers import Time2Vec, TimeEmbedding


def build_forecaster(window=168, horizon=24, units=64):
    load = keras.Input(shape=(window, 1), name="load")
    hours = keras.Input(shape=(window, 1), name="hours")
    time_features = layers.Concatenate()([TimeEmbedding()(hours), Time2Vec(8)(hours)])
    x = layers.Concatenate()([load, time_features])
    x = layers.GRU(units, return_sequences=True)(x)
    x = layers.GRU(units)(x)
    outputs = layers.Dense(horizon, name="forecast")(x)
    model = keras.Model({"load": load, "hours": hours}, outputs, name="forecaster")
    model.compile(optimizer=keras.optimizers.AdamW(1e-3), loss="huber", metrics=["mae"])
    return model


def save_artifacts(model, directory):
    model.save(f"{directory}/forecaster.keras")
    model.export(f"{directory}/serving")

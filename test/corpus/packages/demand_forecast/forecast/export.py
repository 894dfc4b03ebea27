"""Re-export a trained forecaster for TF Serving and check that the signature answers."""
import sys

import keras
import numpy as np

import forecast.layers  # noqa: F401  (registers TimeEmbedding)


def main(model_path="models/forecaster.keras", export_dir="serving/forecaster/1"):
    model = keras.models.load_model(model_path)
    model.export(export_dir)
    reloaded = keras.layers.TFSMLayer(export_dir, call_endpoint="serving_default")
    batch = {"load": np.zeros((2, 168, 1), "float32"), "hours": np.zeros((2, 168, 1), "float32")}
    print({name: value.shape for name, value in reloaded(batch).items()})


if __name__ == "__main__":
    main(*sys.argv[1:])

"""Customer churn model written as a subclassed Keras model (TF 2 style).

The older version of this script saved straight after construction, which only
worked because the export step was wrapped in a try/except that hid the error.
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import backend as K


class ChurnModel(keras.Model):  # expect: KSM203:information
    def __init__(self, hidden=64, dropout=0.2):
        super().__init__()
        self.hidden = keras.layers.Dense(hidden, activation="relu")
        self.dropout = keras.layers.Dropout(dropout)
        self.out = keras.layers.Dense(1, activation="sigmoid")

    def call(self, inputs, training=False):
        x = self.hidden(inputs)
        x = self.dropout(x, training=training)
        return self.out(x)

    def get_config(self):  # expect: KSM206:information
        return {"hidden": self.hidden.units, "dropout": self.dropout.rate}


features = np.load("data/churn_features.npy").astype("float32")
labels = np.load("data/churn_labels.npy").astype("float32")

# Snapshot of the untrained model, for the experiment tracker.
untrained = ChurnModel()
untrained.save("snapshots/churn_untrained.keras")  # expect: KSM302:warning, KSM101:warning

model = ChurnModel(hidden=128)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
best = keras.callbacks.ModelCheckpoint("checkpoints/churn_best.keras", monitor="val_acc", save_best_only=True, mode="max")  # expect: KSM505:warning
model.fit(features, labels, epochs=10, batch_size=256, validation_split=0.1, callbacks=[best])
model.save("models/churn.keras")

probe = ChurnModel()
try:
    probe.export("serving/churn_probe")
except ValueError as err:
    print("export needs a built model:", err)

serving = ChurnModel(hidden=128)
serving.export("serving/churn")  # expect: KSM302:warning
serving(features[:1])

# Priors for the score calibration layer, fed as a fixed tensor.
priors = K.constant(np.full((1, 4), 0.25, dtype="float32"))
prior_input = keras.Input(tensor=priors)  # expect: KSM303:warning
calibrator = keras.Model(prior_input, keras.layers.Dense(1)(prior_input))

# A calibration model whose input comes from another model's output is fine.
base = keras.Sequential([keras.Input(shape=(12,)), keras.layers.Dense(4)])
stacked_input = keras.Input(tensor=base.output)

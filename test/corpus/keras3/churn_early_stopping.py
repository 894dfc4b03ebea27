"""Customer churn classifier with early stopping and a saved model for the scoring job."""
import keras
import numpy as np
from keras import layers
from keras.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau

rng = np.random.default_rng(0)
features = rng.normal(size=(5000, 20)).astype("float32")
churned = (features[:, 0] + 0.5 * features[:, 3] + rng.normal(scale=0.5, size=5000) > 0.8).astype("float32")


def build_classifier():
    inputs = keras.Input(shape=(20,), name="features")
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="churn")


classifier = build_classifier()
classifier.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
callbacks = [
    # Copied from an older notebook: the metric is logged as `val_accuracy` now.
    EarlyStopping(monitor="val_acc", patience=4, restore_best_weights=True),  # expect: KSM505:information
    ReduceLROnPlateau(monitor="val_acc", factor=0.5, patience=2),
]
classifier.fit(features, churned, validation_split=0.2, epochs=30, batch_size=128, callbacks=callbacks)
classifier.save("churn_classifier.keras")

# The retrained model monitors what it logs; its best epoch is kept by the checkpoint.
retrained = build_classifier()
retrained.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
retrained.fit(
    features,
    churned,
    validation_split=0.2,
    epochs=30,
    callbacks=[
        EarlyStopping(monitor="val_accuracy", mode="max", patience=4, restore_best_weights=True),
        ModelCheckpoint("churn_best.keras", monitor="val_accuracy", mode="max", save_best_only=True),
    ],
)

# Exploration only: stops early on the training loss and is never saved.
probe = build_classifier()
probe.compile(optimizer="adam", loss="binary_crossentropy")
probe.fit(features, churned, epochs=10, callbacks=[EarlyStopping(monitor="val_loss", restore_best_weights=True)])

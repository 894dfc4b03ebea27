"""Image classifier with an augmentation block, a tower layer and per-epoch checkpoints."""
import argparse

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

IMAGE_SHAPE = (64, 64, 3)

augmentation = keras.Sequential([
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.05),
])


def conv_stage(filters):
    return keras.Sequential([
        layers.Conv2D(filters, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
    ])


class Tower(layers.Layer):  # expect: KSM203:information
    """A stack of conv stages kept on the layer."""

    def __init__(self, widths=(16, 32), **kwargs):
        super().__init__(**kwargs)
        self.widths = tuple(widths)
        self.stages = [conv_stage(w) for w in self.widths]
        self.pool = layers.GlobalAveragePooling2D()

    def call(self, x):
        for stage in self.stages:
            x = stage(x)
        return self.pool(x)

    def get_config(self):
        config = super().get_config()
        config.update({"widths": list(self.widths)})
        return config


class Brightness(layers.Layer):  # expect: KSM203:information
    def call(self, x):
        return tf.image.adjust_brightness(x, 0.1)


def build_classifier(num_classes):
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = augmentation(inputs)
    x = Brightness()(x)
    x = Tower()(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def build_baseline():
    return keras.Sequential([
        layers.Flatten(),  # expect: KSM301:information
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    images = np.random.rand(256, *IMAGE_SHAPE).astype("float32")
    labels = keras.utils.to_categorical(np.random.randint(0, 10, 256), 10)

    classifier = build_classifier(10)
    classifier.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    callbacks = [
        keras.callbacks.ModelCheckpoint("checkpoints/classifier.keras", save_best_only=True, monitor="loss"),
        keras.callbacks.EarlyStopping(monitor="loss", patience=2),
    ]
    classifier.fit(images, labels, epochs=args.epochs, callbacks=callbacks, workers=4, use_multiprocessing=True)  # expect: KSM402:warning

    baseline = build_baseline()
    baseline.compile(optimizer="adam", loss="categorical_crossentropy")
    baseline.fit(
        images,
        labels,
        epochs=args.epochs,
        callbacks=[keras.callbacks.ModelCheckpoint("checkpoints/baseline.keras")],
    )
    baseline.save_weights("baseline.weights.h5")
    scores = baseline.predict(images[:8], max_queue_size=4)  # expect: KSM402:warning
    print(scores.shape)


if __name__ == "__main__":
    main()

"""The v1 image classifier, kept on Keras 2 until its saved models are migrated."""
import tf_keras as keras


def build(num_classes=10):
    model = keras.Sequential([
        keras.Input(shape=(64, 64, 3)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def export(model, path="artifacts/classifier.keras"):
    model.save(path)

import keras
from keras import layers


def build_model(units):
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
<<<<<<< HEAD  # expect: KSM000
        layers.Dense(units, activation="relu"),
=======
        layers.Dense(units * 2, activation="relu"),
        layers.Dropout(0.5),
>>>>>>> feature/dropout
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


(x_train, y_train), _ = keras.datasets.mnist.load_data()
x_train = x_train[..., None] / 255.0
model = build_model(128)
model.fit(x_train, y_train, batch_size=128, epochs=3)
model.save("mnist_cnn.keras")

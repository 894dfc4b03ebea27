"""
Title: Simple MNIST convnet
Description: A simple convnet that achieves ~99% test accuracy on MNIST.
"""
import keras
import numpy as np
from keras import layers

num_classes = 10
input_shape = (28, 28, 1)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()

batch_size = 128
epochs = 15
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1)
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
model.save("mnist_convnet.keras")
model.export("mnist_convnet_savedmodel")

# A fully-connected baseline, built explicitly before saving its untrained weights
baseline = keras.Sequential([layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(num_classes, activation="softmax")])
baseline.build((None, 28, 28, 1))
baseline.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
baseline.save("mnist_dense_init.keras")
baseline.fit(x_train, y_train, batch_size=batch_size, epochs=3, validation_split=0.1)
baseline.save("mnist_dense.keras")

# Reload and check the predictions match
reloaded = keras.saving.load_model("mnist_convnet.keras")
np.testing.assert_allclose(model.predict(x_test[:8]), reloaded.predict(x_test[:8]), rtol=1e-5)
probabilities = keras.Sequential([reloaded, layers.Softmax()])
probabilities.save("mnist_probabilities.keras")  # expect: KSM101:warning

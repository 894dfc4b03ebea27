"""The classifier saved in the Keras format to resume from, and exported as a SavedModel to serve."""
import numpy as np
import tensorflow as tf

x_train = np.random.randint(0, 256, size=(1000, 28, 28)).astype("float32")
y_train = np.random.randint(0, 10, size=(1000,))

model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255.0),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=3, batch_size=32)

# A copy to resume training from, and a SavedModel for TF Serving.
model.save("checkpoints/digits.keras")
model.export("serving/digits/1")

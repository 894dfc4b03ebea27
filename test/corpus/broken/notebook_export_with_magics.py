# Exported by copying the cells of a notebook into a script.
import numpy as np
import tensorflow as tf
%matplotlib inline  # expect: KSM000
import matplotlib.pyplot as plt

x_train = np.random.rand(1000, 20).astype("float32")
y_train = (x_train.sum(axis=1) > 10).astype("float32")

model = tf.keras.Sequential([
    tf.keras.Input(shape=(20,)),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=5, validation_split=0.2)
plt.plot(history.history["loss"])
model.save("classifier.keras")

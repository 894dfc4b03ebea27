"""fit_generator, removed in Keras 3 (KSM402)."""
import numpy as np
import tensorflow as tf

x = np.random.rand(256, 8).astype("float32")
y = np.random.rand(256, 1).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32).repeat()

model = tf.keras.Sequential([tf.keras.Input(shape=(8,)), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit_generator(dataset, steps_per_epoch=8, epochs=2)
model.save("regressor.keras")

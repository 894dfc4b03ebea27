# Save and load models, following the TensorFlow 2.x tutorial of that name.
import os

import tensorflow as tf
from tensorflow import keras

print(tf.version.VERSION)

(train_images, train_labels), (test_images, test_labels) = tf.keras.datasets.mnist.load_data()
train_labels = train_labels[:1000]
test_labels = test_labels[:1000]
train_images = train_images[:1000].reshape(-1, 28 * 28) / 255.0
test_images = test_images[:1000].reshape(-1, 28 * 28) / 255.0


def create_model():
    model = tf.keras.models.Sequential([
        keras.layers.Dense(512, activation="relu", input_shape=(784,)),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer="adam",
                  loss=tf.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[tf.metrics.SparseCategoricalAccuracy()])
    return model


model = create_model()
model.summary()

# Checkpoints during training
checkpoint_path = "training_1/cp.ckpt"
checkpoint_dir = os.path.dirname(checkpoint_path)
cp_callback = tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, save_weights_only=True, verbose=1)
model.fit(train_images, train_labels, epochs=10, validation_data=(test_images, test_labels), callbacks=[cp_callback])

model = create_model()
loss, acc = model.evaluate(test_images, test_labels, verbose=2)
print("Untrained model, accuracy: {:5.2f}%".format(100 * acc))
model.load_weights(checkpoint_path)
loss, acc = model.evaluate(test_images, test_labels, verbose=2)
print("Restored model, accuracy: {:5.2f}%".format(100 * acc))

checkpoint_path = "training_2/cp-{epoch:04d}.ckpt"
batch_size = 32
cp_callback = tf.keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, verbose=1, save_weights_only=True, save_freq=5 * batch_size)
model = create_model()
model.save_weights(checkpoint_path.format(epoch=0))
model.fit(train_images, train_labels, epochs=50, batch_size=batch_size, callbacks=[cp_callback],
          validation_data=(test_images, test_labels), verbose=0)
latest = tf.train.latest_checkpoint(os.path.dirname(checkpoint_path))

# Manually save weights
model.save_weights("./checkpoints/my_checkpoint")  # expect: KSM504:warning
model = create_model()
model.load_weights("./checkpoints/my_checkpoint")  # expect: KSM504:warning

# Save the entire model: SavedModel format
model = create_model()
model.fit(train_images, train_labels, epochs=5)
os.makedirs("saved_model", exist_ok=True)
model.save("saved_model/my_model")  # expect: KSM502:warning
new_model = tf.keras.models.load_model("saved_model/my_model")  # expect: KSM506:warning
new_model.summary()
loss, acc = new_model.evaluate(test_images, test_labels, verbose=2)
print(new_model.predict(test_images).shape)

# HDF5 format
model = create_model()
model.fit(train_images, train_labels, epochs=5)
model.save("my_model.h5")
new_model = tf.keras.models.load_model("my_model.h5")

# Explicit format argument, as written for TF 2.4
model.save("saved_model/my_model_tf", save_format="tf")  # expect: KSM501:warning
model.save("my_model_explicit.h5", save_format="h5")  # expect: KSM501:warning

# Custom objects
class CustomModel(keras.Model):  # expect: KSM201:warning
    def __init__(self, hidden_units):  # expect: KSM202:warning
        super(CustomModel, self).__init__()
        self.hidden_units = hidden_units
        self.dense_layers = [keras.layers.Dense(u) for u in hidden_units]

    def call(self, inputs):
        x = inputs
        for layer in self.dense_layers:
            x = layer(x)
        return x


custom = CustomModel([16, 16, 10])
custom.compile(optimizer="adam", loss="mse")
custom(tf.ones((1, 5)))
custom.save("my_custom_model")  # expect: KSM502:warning
reloaded = tf.keras.models.load_model("my_custom_model")  # expect: KSM506:warning
tf.saved_model.save(custom, "exported_custom/1")

"""Movie review sentiment with a pretrained text embedding from TensorFlow Hub."""
import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds
import tensorflow_hub as hub

EMBEDDING = "https://tfhub.dev/google/nnlm-en-dim50/2"

train_data, validation_data, test_data = tfds.load(
    name="imdb_reviews",
    split=("train[:60%]", "train[60%:]", "test"),
    as_supervised=True,
)

hub_layer = hub.KerasLayer(EMBEDDING, input_shape=[], dtype=tf.string, trainable=True)

model = tf.keras.Sequential()
model.add(hub_layer)  # expect: KSM601:warning
model.add(tf.keras.layers.Dense(16, activation="relu"))
model.add(tf.keras.layers.Dense(1))

model.compile(
    optimizer="adam",
    loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=["accuracy"],
)

history = model.fit(
    train_data.shuffle(10000).batch(512),
    epochs=10,
    validation_data=validation_data.batch(512),
    verbose=1,
)

results = model.evaluate(test_data.batch(512), verbose=2)
for name, value in zip(model.metrics_names, results):
    print("%s: %.3f" % (name, value))

examples = np.array(["The movie was great!", "The movie was okay.", "The movie was terrible..."])
print(tf.sigmoid(model.predict(examples)))
model.save("sentiment.keras")


def image_feature_extractor(num_classes):
    """A second model from Hub, built functionally."""
    handle = "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/5"
    inputs = tf.keras.Input(shape=(224, 224, 3))
    features = hub.KerasLayer(handle, trainable=False)(inputs)  # expect: KSM601:warning
    outputs = tf.keras.layers.Dense(num_classes, activation="softmax")(features)
    return tf.keras.Model(inputs, outputs)


flowers = image_feature_extractor(5)
flowers.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
flowers.save("flowers.keras")

"""Chest X-ray pneumonia classifier: transfer learning from MobileNetV2 on grayscale images."""
import os

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

IMG_SIZE = (224, 224)
BATCH = 32
DATA = "chest_xray"

train_ds = keras.utils.image_dataset_from_directory(os.path.join(DATA, "train"), image_size=IMG_SIZE,
                                                    batch_size=BATCH, color_mode="grayscale")
val_ds = keras.utils.image_dataset_from_directory(os.path.join(DATA, "val"), image_size=IMG_SIZE,
                                                  batch_size=BATCH, color_mode="grayscale")
class_names = train_ds.class_names
counts = np.array([len(os.listdir(os.path.join(DATA, "train", c))) for c in class_names])
class_weight = {i: counts.sum() / (len(counts) * c) for i, c in enumerate(counts)}

to_rgb = layers.Lambda(lambda x: tf.image.grayscale_to_rgb(x), name="to_rgb")  # expect: KSM503:information
augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.05)], name="augment")
base = keras.applications.MobileNetV2(input_shape=IMG_SIZE + (3,), include_top=False, weights="imagenet")
base.trainable = False

inputs = keras.Input(shape=IMG_SIZE + (1,))
x = augment(inputs)
x = to_rgb(x)
x = keras.applications.mobilenet_v2.preprocess_input(x)
x = base(x, training=False)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dropout(0.2)(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
              metrics=[keras.metrics.AUC(name="auc"), "accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=10, class_weight=class_weight)

base.trainable = True
for layer in base.layers[:100]:
    layer.trainable = False
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="binary_crossentropy",
              metrics=[keras.metrics.AUC(name="auc"), "accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=10, class_weight=class_weight)
model.save("xray_mobilenet.h5")

# A from-scratch baseline, with the pixel scaling in a lambda
baseline = keras.Sequential([
    keras.Input(shape=IMG_SIZE + (1,)),
    layers.Lambda(lambda x: x / 127.5 - 1.0),
    layers.Conv2D(16, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Conv2D(32, 3, activation="relu"),
    layers.GlobalAveragePooling2D(),
    layers.Dense(1, activation="sigmoid"),
])
baseline.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
baseline.fit(train_ds, validation_data=val_ds, epochs=5)
baseline.save_weights("xray_baseline.weights.h5")
tf.saved_model.save(baseline, "xray_baseline_savedmodel")

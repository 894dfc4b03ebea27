"""Age estimation from face crops, driven by a CSV of file names (flow_from_dataframe), plus a
Sequence that reads resized crops for the held-out set."""
import math
import os

import numpy as np
import pandas as pd
import tensorflow as tf
from tensorflow.keras.applications import EfficientNetB0
from tensorflow.keras.layers import Dense, Dropout, GlobalAveragePooling2D
from tensorflow.keras.models import Sequential
from tensorflow.keras.preprocessing.image import ImageDataGenerator, img_to_array, load_img
from tensorflow.keras.utils import Sequence

IMAGE_DIR = "faces/crops"
SIZE = 224
frame = pd.read_csv("faces/labels.csv")
frame["filename"] = frame["id"].astype(str) + ".jpg"
holdout = frame.sample(frac=0.1, random_state=0)
frame = frame.drop(holdout.index)

datagen = ImageDataGenerator(rescale=1.0 / 255.0, validation_split=0.2, horizontal_flip=True)
train_generator = datagen.flow_from_dataframe(frame, directory=IMAGE_DIR, x_col="filename", y_col="age",
                                              class_mode="raw", target_size=(SIZE, SIZE), subset="training")
valid_generator = datagen.flow_from_dataframe(frame, directory=IMAGE_DIR, x_col="filename", y_col="age",
                                              class_mode="raw", target_size=(SIZE, SIZE), subset="validation")


class CropSequence(Sequence):
    def __init__(self, frame, batch_size=32):
        self.paths = [os.path.join(IMAGE_DIR, name) for name in frame["filename"]]
        self.ages = frame["age"].to_numpy(dtype="float32")
        self.batch_size = batch_size

    def __len__(self):
        return math.ceil(len(self.paths) / self.batch_size)

    def __getitem__(self, index):
        batch = slice(index * self.batch_size, (index + 1) * self.batch_size)
        images = [img_to_array(load_img(p, target_size=(SIZE, SIZE))) for p in self.paths[batch]]
        return np.stack(images), self.ages[batch]


backbone = EfficientNetB0(include_top=False, weights="imagenet", input_shape=(SIZE, SIZE, 3))
backbone.trainable = False
model = Sequential([backbone, GlobalAveragePooling2D(), Dropout(0.3), Dense(1)])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss="mae")
model.fit(train_generator, validation_data=valid_generator, epochs=15)  # expect: KSM401:warning
print("holdout MAE:", model.evaluate(CropSequence(holdout)))  # expect: KSM401:warning
model.save("age_regressor.h5")

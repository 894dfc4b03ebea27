"""Binary segmentation of road cracks with a small U-Net, a focal loss and a Dice metric.

Ported from a Keras 2 script; the data loading still uses the old generator.
"""
import glob
import os

import cv2
import keras
import numpy as np
from keras import layers, ops

IMG = 256


class FocalLoss(keras.losses.Loss):  # expect: KSM203:information
    def __init__(self, gamma=2.0, alpha=0.25, name="focal_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.gamma = gamma
        self.alpha = alpha

    def call(self, y_true, y_pred):
        y_pred = ops.clip(y_pred, 1e-7, 1 - 1e-7)
        pt = ops.where(ops.equal(y_true, 1), y_pred, 1 - y_pred)
        weight = ops.where(ops.equal(y_true, 1), self.alpha, 1 - self.alpha)
        return ops.mean(-weight * ops.power(1 - pt, self.gamma) * ops.log(pt))

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "alpha": self.alpha}


class DiceCoefficient(keras.metrics.Metric):  # expect: KSM203:information, KSM204:warning
    def __init__(self, threshold=0.5, name="dice", **kwargs):
        super().__init__(name=name, **kwargs)
        self.threshold = threshold
        self.intersection = self.add_variable(shape=(), initializer="zeros", name="intersection")
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(y_pred > self.threshold, "float32")
        self.intersection.assign_add(ops.sum(y_true * y_pred))
        self.total.assign_add(ops.sum(y_true) + ops.sum(y_pred))

    def result(self):
        return 2.0 * self.intersection / (self.total + 1e-7)

    def reset_state(self):
        self.intersection.assign(0.0)
        self.total.assign(0.0)


def conv_block(x, filters):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return layers.Conv2D(filters, 3, padding="same", activation="relu")(x)


def build_unet(filters=(16, 32, 64, 128)):
    inputs = keras.Input(shape=(IMG, IMG, 3))
    skips = []
    x = inputs
    for f in filters[:-1]:
        x = conv_block(x, f)
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    x = conv_block(x, filters[-1])
    for f, skip in zip(reversed(filters[:-1]), reversed(skips)):
        x = layers.Conv2DTranspose(f, 2, strides=2, padding="same")(x)
        x = conv_block(layers.Concatenate()([x, skip]), f)
    outputs = layers.Conv2D(1, 1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="unet")


def pairs(root):
    images = sorted(glob.glob(os.path.join(root, "images", "*.jpg")))
    return [(p, p.replace("images", "masks").replace(".jpg", ".png")) for p in images]


def batches(items, batch_size=8, augment=False):
    while True:
        np.random.shuffle(items)
        for i in range(0, len(items) - batch_size + 1, batch_size):
            xs, ys = [], []
            for image_path, mask_path in items[i: i + batch_size]:
                image = cv2.resize(cv2.imread(image_path), (IMG, IMG)).astype("float32") / 255.0
                mask = cv2.resize(cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE), (IMG, IMG))
                if augment and np.random.rand() < 0.5:
                    image, mask = image[:, ::-1], mask[:, ::-1]
                xs.append(image)
                ys.append((mask > 127).astype("float32")[..., None])
            yield np.stack(xs), np.stack(ys)


train_items = pairs("cracks/train")
val_items = pairs("cracks/val")
model = build_unet()
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=FocalLoss(), metrics=[DiceCoefficient()])
model.fit(batches(train_items, augment=True), steps_per_epoch=len(train_items) // 8, epochs=40,  # expect: KSM401:warning
          validation_data=batches(val_items), validation_steps=len(val_items) // 8)
scores = model.evaluate_generator(batches(val_items), steps=len(val_items) // 8)  # expect: KSM402:error, KSM401:warning
print(dict(zip(model.metrics_names, scores)))
model.save("crack_unet.keras")

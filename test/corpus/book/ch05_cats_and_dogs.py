# Chapter 5: training a convnet from scratch on a small dataset, then with a pretrained base.
import os
import shutil

import numpy as np
from keras import layers
from keras import models
from keras import optimizers
from keras.applications import VGG16
from keras.preprocessing.image import ImageDataGenerator

original_dataset_dir = "/data/kaggle/dogs-vs-cats/train"
base_dir = "/data/cats_and_dogs_small"
train_dir = os.path.join(base_dir, "train")
validation_dir = os.path.join(base_dir, "validation")
test_dir = os.path.join(base_dir, "test")

for split in (train_dir, validation_dir, test_dir):
    for label in ("cats", "dogs"):
        os.makedirs(os.path.join(split, label), exist_ok=True)

fnames = ["cat.{}.jpg".format(i) for i in range(1000)]
for fname in fnames:
    src = os.path.join(original_dataset_dir, fname)
    dst = os.path.join(train_dir, "cats", fname)
    if not os.path.exists(dst):
        shutil.copyfile(src, dst)

# 5.2.3 Building the network
model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation="relu", input_shape=(150, 150, 3)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation="relu"))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(128, (3, 3), activation="relu"))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Flatten())
model.add(layers.Dense(512, activation="relu"))
model.add(layers.Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(lr=1e-4), metrics=["acc"])

# 5.2.4 Data preprocessing
train_datagen = ImageDataGenerator(rescale=1.0 / 255)
test_datagen = ImageDataGenerator(rescale=1.0 / 255)
train_generator = train_datagen.flow_from_directory(train_dir, target_size=(150, 150), batch_size=20, class_mode="binary")
validation_generator = test_datagen.flow_from_directory(
    validation_dir, target_size=(150, 150), batch_size=20, class_mode="binary"
)

for data_batch, labels_batch in train_generator:
    print("data batch shape:", data_batch.shape)
    print("labels batch shape:", labels_batch.shape)
    break

history = model.fit_generator(  # expect: KSM402:warning
    train_generator,  # expect: KSM401:warning
    steps_per_epoch=100,
    epochs=30,
    validation_data=validation_generator,
    validation_steps=50,
)
model.save("cats_and_dogs_small_1.h5")

# 5.2.5 Using data augmentation
augmented_datagen = ImageDataGenerator(
    rescale=1.0 / 255,
    rotation_range=40,
    width_shift_range=0.2,
    height_shift_range=0.2,
    shear_range=0.2,
    zoom_range=0.2,
    horizontal_flip=True,
)
train_generator = augmented_datagen.flow_from_directory(train_dir, target_size=(150, 150), batch_size=32, class_mode="binary")
history = model.fit_generator(train_generator, steps_per_epoch=100, epochs=100,  # expect: KSM402:warning, KSM401:warning
                              validation_data=validation_generator, validation_steps=50)
model.save("cats_and_dogs_small_2.h5")

# 5.3.1 Feature extraction with a pretrained convolutional base
conv_base = VGG16(weights="imagenet", include_top=False, input_shape=(150, 150, 3))
datagen = ImageDataGenerator(rescale=1.0 / 255)
batch_size = 20


def extract_features(directory, sample_count):
    features = np.zeros(shape=(sample_count, 4, 4, 512))
    labels = np.zeros(shape=(sample_count))
    generator = datagen.flow_from_directory(directory, target_size=(150, 150), batch_size=batch_size, class_mode="binary")
    i = 0
    for inputs_batch, labels_batch in generator:
        features_batch = conv_base.predict(inputs_batch)
        features[i * batch_size: (i + 1) * batch_size] = features_batch
        labels[i * batch_size: (i + 1) * batch_size] = labels_batch
        i += 1
        if i * batch_size >= sample_count:
            break
    return features, labels


train_features, train_labels = extract_features(train_dir, 2000)
train_features = np.reshape(train_features, (2000, 4 * 4 * 512))

head = models.Sequential()
head.add(layers.Dense(256, activation="relu", input_dim=4 * 4 * 512))
head.add(layers.Dropout(0.5))
head.add(layers.Dense(1, activation="sigmoid"))
head.compile(optimizer=optimizers.RMSprop(lr=2e-5), loss="binary_crossentropy", metrics=["acc"])
head.fit(train_features, train_labels, epochs=30, batch_size=20)

# Feature extraction with augmentation: the base runs inside the model.
model = models.Sequential()
model.add(conv_base)
model.add(layers.Flatten())
model.add(layers.Dense(256, activation="relu"))
model.add(layers.Dense(1, activation="sigmoid"))
conv_base.trainable = False
model.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(lr=2e-5), metrics=["acc"])
history = model.fit_generator(train_generator, steps_per_epoch=100, epochs=30,  # expect: KSM402:warning, KSM401:warning
                              validation_data=validation_generator, validation_steps=50)

test_generator = test_datagen.flow_from_directory(test_dir, target_size=(150, 150), batch_size=20, class_mode="binary")
test_loss, test_acc = model.evaluate_generator(test_generator, steps=50)  # expect: KSM402:warning, KSM401:warning
print("test acc:", test_acc)
model.save("cats_and_dogs_small_3.h5")

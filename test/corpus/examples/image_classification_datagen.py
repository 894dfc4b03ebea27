# Flower classification with ImageDataGenerator and a small convnet (a classic blog-post layout).
import argparse
import os

import matplotlib.pyplot as plt
import numpy as np
from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint
from tensorflow.keras.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from tensorflow.keras.models import Sequential, load_model
from tensorflow.keras.preprocessing.image import ImageDataGenerator

img_width, img_height = 150, 150
train_data_dir = "data/flowers/train"
validation_data_dir = "data/flowers/validation"
test_data_dir = "data/flowers/test"
nb_train_samples = 2000
nb_validation_samples = 800
epochs = 50
batch_size = 16
input_shape = (img_width, img_height, 3)

model = Sequential()
model.add(Conv2D(32, (3, 3), activation="relu", input_shape=input_shape))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Conv2D(32, (3, 3), activation="relu"))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Conv2D(64, (3, 3), activation="relu"))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(64, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(5, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])

# Augmentation only: flips, shears and zooms belong to training.
train_datagen = ImageDataGenerator(shear_range=0.2, zoom_range=0.2, horizontal_flip=True, rescale=None)
test_datagen = ImageDataGenerator()
train_generator = train_datagen.flow_from_directory(
    train_data_dir, target_size=(img_width, img_height), batch_size=batch_size, class_mode="categorical"
)
validation_generator = test_datagen.flow_from_directory(
    validation_data_dir, target_size=(img_width, img_height), batch_size=batch_size, class_mode="categorical"
)
checkpoint = ModelCheckpoint("flowers_best.h5", monitor="val_accuracy", save_best_only=True)  # expect: KSM504:warning
early = EarlyStopping(monitor="val_accuracy", patience=10)
history = model.fit(
    train_generator,
    steps_per_epoch=nb_train_samples // batch_size,
    epochs=epochs,
    validation_data=validation_generator,
    validation_steps=nb_validation_samples // batch_size,
    callbacks=[checkpoint, early],
)
model.save("flowers_augmented_only.h5")

# The same network with the pixels scaled by the generator.
scaled_datagen = ImageDataGenerator(rescale=1.0 / 255, rotation_range=20, horizontal_flip=True)
scaled_test_datagen = ImageDataGenerator(rescale=1.0 / 255)
train_generator = scaled_datagen.flow_from_directory(
    train_data_dir, target_size=(img_width, img_height), batch_size=batch_size, class_mode="categorical"
)
validation_generator = scaled_test_datagen.flow_from_directory(
    validation_data_dir, target_size=(img_width, img_height), batch_size=batch_size, class_mode="categorical"
)
history = model.fit(
    train_generator,  # expect: KSM401:warning
    steps_per_epoch=nb_train_samples // batch_size,
    epochs=epochs,
    validation_data=validation_generator,
    validation_steps=nb_validation_samples // batch_size,
)
model.save("flowers_scaled.h5")

test_generator = scaled_test_datagen.flow_from_directory(
    test_data_dir, target_size=(img_width, img_height), batch_size=1, class_mode=None, shuffle=False
)
test_generator.reset()
predictions = model.predict(test_generator, steps=len(test_generator.filenames), verbose=1)  # expect: KSM401:warning
predicted_classes = np.argmax(predictions, axis=1)
labels = dict((v, k) for k, v in validation_generator.class_indices.items())
for filename, predicted in zip(test_generator.filenames[:10], predicted_classes[:10]):
    print(filename, labels[predicted])

# Standardisation fitted on a sample of the training images.
sample = np.random.rand(100, img_width, img_height, 3)
std_datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
std_datagen.fit(sample)
flow = std_datagen.flow(sample, np.eye(5)[np.random.randint(0, 5, size=100)], batch_size=batch_size)
model.fit(flow, epochs=2)  # expect: KSM401:warning


def plot_history(history):
    plt.plot(history.history["accuracy"])
    plt.plot(history.history["val_accuracy"])
    plt.title("model accuracy")
    plt.ylabel("accuracy")
    plt.xlabel("epoch")
    plt.legend(["train", "val"], loc="upper left")
    plt.show()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--plot", action="store_true")
    args = parser.parse_args()
    if args.plot:
        plot_history(history)
    reloaded = load_model("flowers_scaled.h5")
    print(reloaded.evaluate(validation_generator, steps=nb_validation_samples // batch_size))  # expect: KSM401:warning
    print(os.path.getsize("flowers_scaled.h5"))

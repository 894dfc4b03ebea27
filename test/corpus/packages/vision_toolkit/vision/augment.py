"""Augmentation and preprocessing, as Keras layers where possible."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
from tensorflow.keras.preprocessing.image import ImageDataGenerator

train_augmentation = keras.Sequential(
    [layers.RandomFlip("horizontal"), layers.RandomRotation(0.05), layers.RandomZoom(0.1)],  # expect: KSM301:hint
    name="train_augmentation",
)


def legacy_generators(train_dir, val_dir, image_size=(96, 96), batch_size=32):
    """The generators of the first version of the toolkit, still used by the notebooks."""
    train_gen = ImageDataGenerator(preprocessing_function=preprocess_input, horizontal_flip=True, rotation_range=10)
    val_gen = ImageDataGenerator(preprocessing_function=preprocess_input)
    train = train_gen.flow_from_directory(train_dir, target_size=image_size, batch_size=batch_size)
    val = val_gen.flow_from_directory(val_dir, target_size=image_size, batch_size=batch_size, shuffle=False)
    return train, val


def mixup(images, labels, alpha=0.2):
    lam = np.random.beta(alpha, alpha)
    order = np.random.permutation(len(images))
    return lam * images + (1 - lam) * images[order], lam * labels + (1 - lam) * labels[order]

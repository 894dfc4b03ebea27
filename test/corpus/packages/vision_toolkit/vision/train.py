"""Train a classifier head on one of the toolkit backbones."""
import argparse

from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
from tensorflow.keras.preprocessing.image import ImageDataGenerator

from vision.augment import legacy_generators, train_augmentation
from vision.backbones import small_resnet, tiny_mobilenet

BACKBONES = {"resnet": small_resnet, "mobilenet": tiny_mobilenet}


def build_classifier(backbone_name, num_classes, image_size):
    backbone = BACKBONES[backbone_name](input_shape=image_size + (3,))
    inputs = keras.Input(shape=image_size + (3,))
    x = train_augmentation(inputs)
    x = backbone(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train_dir")
    parser.add_argument("val_dir")
    parser.add_argument("--backbone", choices=sorted(BACKBONES), default="mobilenet")
    parser.add_argument("--classes", type=int, required=True)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--legacy-data", action="store_true")
    args = parser.parse_args()

    image_size = (96, 96)
    model = build_classifier(args.backbone, args.classes, image_size)
    if args.legacy_data:
        train, val = legacy_generators(args.train_dir, args.val_dir, image_size)
        model.fit(train, validation_data=val, epochs=args.epochs)
    else:
        datagen = ImageDataGenerator(preprocessing_function=preprocess_input)
        train = datagen.flow_from_directory(args.train_dir, target_size=image_size)
        val = datagen.flow_from_directory(args.val_dir, target_size=image_size, shuffle=False)
        model.fit(train, validation_data=val, epochs=args.epochs)  # expect: KSM401:warning
    model.save(f"{args.backbone}_classifier.keras")


if __name__ == "__main__":
    main()

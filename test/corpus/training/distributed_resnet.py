"""Multi-GPU fine-tuning of ResNet50 on a TFRecord image dataset."""
import argparse
import os

import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE
IMAGE_SIZE = 224


def parse_example(serialized):
    features = tf.io.parse_single_example(
        serialized,
        {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)},
    )
    image = tf.io.decode_jpeg(features["image"], channels=3)
    image = tf.image.resize(image, (IMAGE_SIZE, IMAGE_SIZE))
    return image, features["label"]


def augment(image, label):
    image = tf.image.random_flip_left_right(image)
    image = tf.image.random_brightness(image, 0.1)
    return image, label


def make_dataset(pattern, batch_size, training):
    files = tf.data.Dataset.list_files(pattern, shuffle=training)
    ds = files.interleave(tf.data.TFRecordDataset, num_parallel_calls=AUTOTUNE)
    ds = ds.map(parse_example, num_parallel_calls=AUTOTUNE)
    if training:
        ds = ds.shuffle(10000).map(augment, num_parallel_calls=AUTOTUNE)
    return ds.batch(batch_size).prefetch(AUTOTUNE)


def build_model(num_classes):
    base = tf.keras.applications.ResNet50(include_top=False, weights="imagenet", input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
    base.trainable = False
    inputs = tf.keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
    x = tf.keras.applications.resnet50.preprocess_input(inputs)
    x = base(x, training=False)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    x = tf.keras.layers.Dropout(0.2)(x)
    outputs = tf.keras.layers.Dense(num_classes, activation="softmax")(x)
    return tf.keras.Model(inputs, outputs), base


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", default="gs://my-bucket/tfrecords/train-*")
    parser.add_argument("--val", default="gs://my-bucket/tfrecords/val-*")
    parser.add_argument("--num-classes", type=int, default=120)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--fine-tune-epochs", type=int, default=5)
    args = parser.parse_args()

    strategy = tf.distribute.MirroredStrategy()
    global_batch = args.batch_size * strategy.num_replicas_in_sync
    train_ds = make_dataset(args.train, global_batch, training=True)
    val_ds = make_dataset(args.val, global_batch, training=False)

    with strategy.scope():
        model, base = build_model(args.num_classes)
        model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_ds, validation_data=val_ds, epochs=args.epochs)

    with strategy.scope():
        base.trainable = True
        for layer in base.layers[:-30]:
            layer.trainable = False
        model.compile(optimizer=tf.keras.optimizers.Adam(1e-5), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_ds, validation_data=val_ds, epochs=args.fine_tune_epochs)

    model.save("gs://my-bucket/models/dog_breeds/resnet50")  # expect: KSM502:warning
    tf.saved_model.save(model, os.path.join("exports", "dog_breeds", "1"))


if __name__ == "__main__":
    main()

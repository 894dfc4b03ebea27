"""Backbone builders shared by the classification and segmentation heads."""
from tensorflow import keras
from tensorflow.keras import layers


def conv_block(filters, kernel_size=3, strides=1, name=None):
    return keras.Sequential(
        [
            layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
        ],
        name=name,
    )


def residual_unit(x, filters, strides=1):
    shortcut = x
    x = conv_block(filters, strides=strides)(x)
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    if strides != 1 or shortcut.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False)(shortcut)
        shortcut = layers.BatchNormalization()(shortcut)
    x = layers.Add()([x, shortcut])
    return layers.ReLU()(x)


def small_resnet(input_shape=(96, 96, 3), widths=(32, 64, 128), units_per_stage=2):
    inputs = keras.Input(shape=input_shape)
    x = conv_block(widths[0], kernel_size=5, strides=2, name="stem")(inputs)
    for stage, width in enumerate(widths):
        for unit in range(units_per_stage):
            x = residual_unit(x, width, strides=2 if unit == 0 and stage > 0 else 1)
    features = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, features, name="small_resnet")


def mobile_block(filters, strides=1):
    block = keras.Sequential(name=f"mobile_{filters}_{strides}")
    block.add(layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False))
    block.add(layers.BatchNormalization())
    block.add(layers.ReLU(6.0))
    block.add(layers.Conv2D(filters, 1, use_bias=False))
    block.add(layers.BatchNormalization())
    return block


def tiny_mobilenet(input_shape=(96, 96, 3), widths=(32, 64, 128, 256)):
    inputs = keras.Input(shape=input_shape)
    x = conv_block(widths[0], strides=2)(inputs)
    for width in widths[1:]:
        x = mobile_block(width, strides=2)(x)
        x = mobile_block(width)(x)
    return keras.Model(inputs, layers.GlobalAveragePooling2D()(x), name="tiny_mobilenet")

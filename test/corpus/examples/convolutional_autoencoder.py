"""
Convolutional autoencoder for image denoising on MNIST, with the encoder and decoder kept as
separate models so the encoder can be reused for retrieval.
"""
import matplotlib.pyplot as plt
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.datasets import mnist


def preprocess(array):
    array = array.astype("float32") / 255.0
    return np.reshape(array, (len(array), 28, 28, 1))


def noise(array):
    noise_factor = 0.4
    noisy_array = array + noise_factor * np.random.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0)


def display(array1, array2):
    n = 10
    indices = np.random.randint(len(array1), size=n)
    images1 = array1[indices, :]
    images2 = array2[indices, :]
    plt.figure(figsize=(20, 4))
    for i, (image1, image2) in enumerate(zip(images1, images2)):
        ax = plt.subplot(2, n, i + 1)
        plt.imshow(image1.reshape(28, 28))
        plt.gray()
        ax = plt.subplot(2, n, i + 1 + n)
        plt.imshow(image2.reshape(28, 28))
    plt.show()


(train_data, _), (test_data, _) = mnist.load_data()
train_data = preprocess(train_data)
test_data = preprocess(test_data)
noisy_train_data = noise(train_data)
noisy_test_data = noise(test_data)
display(train_data, noisy_train_data)

# The functional autoencoder of the tutorial
input = layers.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
x = layers.MaxPooling2D((2, 2), padding="same")(x)
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
autoencoder = keras.Model(input, x)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
autoencoder.fit(x=train_data, y=train_data, epochs=50, batch_size=128, shuffle=True,
                validation_data=(test_data, test_data))
autoencoder.fit(x=noisy_train_data, y=train_data, epochs=100, batch_size=128, shuffle=True,
                validation_data=(noisy_test_data, test_data))
autoencoder.save("denoiser.keras")

# Encoder and decoder as blocks of one Sequential model
encoder = keras.Sequential([
    layers.Conv2D(32, 3, activation="relu", padding="same"),
    layers.MaxPooling2D(2, padding="same"),
    layers.Conv2D(16, 3, activation="relu", padding="same"),
    layers.MaxPooling2D(2, padding="same"),
], name="encoder")
decoder = keras.Sequential([
    layers.Conv2DTranspose(16, 3, strides=2, activation="relu", padding="same"),
    layers.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same"),
    layers.Conv2D(1, 3, activation="sigmoid", padding="same"),
], name="decoder")
stacked = keras.Sequential([keras.Input(shape=(28, 28, 1)), encoder, decoder])
stacked.compile(optimizer="adam", loss="binary_crossentropy")
stacked.fit(noisy_train_data, train_data, epochs=20, batch_size=128, validation_data=(noisy_test_data, test_data))
stacked.save("stacked_denoiser.keras")
encoder.save("mnist_encoder.keras")  # expect: KSM101:warning

codes = encoder.predict(test_data)
print(codes.shape)
predictions = stacked.predict(noisy_test_data)
display(noisy_test_data, predictions)

# A dense autoencoder on flattened digits, with the bottleneck exposed as its own model
flat_train = train_data.reshape((len(train_data), 784))
flat_test = test_data.reshape((len(test_data), 784))
encoding_dim = 32
input_img = keras.Input(shape=(784,))
encoded = layers.Dense(encoding_dim, activation="relu")(input_img)
decoded = layers.Dense(784, activation="sigmoid")(encoded)
dense_autoencoder = keras.Model(input_img, decoded)
bottleneck = keras.Model(input_img, encoded)
dense_autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
dense_autoencoder.fit(flat_train, flat_train, epochs=50, batch_size=256, shuffle=True, validation_data=(flat_test, flat_test))
bottleneck.save("dense_bottleneck.keras", include_optimizer=False)  # expect: KSM507:warning

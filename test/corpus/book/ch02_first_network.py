# Chapter 2: a first look at a neural network, and the tensor operations behind it.
import numpy as np
from keras import layers
from keras import models
from keras.datasets import mnist
from keras.utils import to_categorical

(train_images, train_labels), (test_images, test_labels) = mnist.load_data()
print(train_images.shape, len(train_labels))
print(test_images.shape, len(test_labels))

# 2.1 The network architecture
network = models.Sequential()
network.add(layers.Dense(512, activation="relu", input_shape=(28 * 28,)))
network.add(layers.Dense(10, activation="softmax"))

network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

# 2.2 Preparing the image data
train_images = train_images.reshape((60000, 28 * 28))
train_images = train_images.astype("float32") / 255
test_images = test_images.reshape((10000, 28 * 28))
test_images = test_images.astype("float32") / 255

train_labels = to_categorical(train_labels)
test_labels = to_categorical(test_labels)

network.fit(train_images, train_labels, epochs=5, batch_size=128)
test_loss, test_acc = network.evaluate(test_images, test_labels)
print("test_acc:", test_acc)


# 2.3 Tensor operations, written naively
def naive_relu(x):
    assert len(x.shape) == 2
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = max(x[i, j], 0)
    return x


def naive_add(x, y):
    assert len(x.shape) == 2
    assert x.shape == y.shape
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[i, j]
    return x


def naive_add_matrix_and_vector(x, y):
    assert len(x.shape) == 2
    assert len(y.shape) == 1
    assert x.shape[1] == y.shape[0]
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[j]
    return x


def naive_vector_dot(x, y):
    assert len(x.shape) == 1
    assert x.shape[0] == y.shape[0]
    z = 0.0
    for i in range(x.shape[0]):
        z += x[i] * y[i]
    return z


x = np.random.random((64, 3, 32, 10))
y = np.random.random((32, 10))
z = np.maximum(x, y)
print(z.shape, naive_vector_dot(np.ones(3), np.ones(3)))

# The shape of a layer's weights is only known once it sees data.
deferred = models.Sequential()
deferred.add(layers.Dense(32, activation="relu"))  # expect: KSM301:hint
deferred.add(layers.Dense(10, activation="softmax"))
deferred.compile(optimizer="rmsprop", loss="categorical_crossentropy")
print(len(deferred.weights))
deferred.fit(train_images[:1000], train_labels[:1000], epochs=1, batch_size=128)
print(len(deferred.weights))

# Gradient descent, by hand, on a one-parameter model.
w = 0.3
learning_rate = 0.01
for step in range(100):
    xs = np.random.uniform(-1, 1, size=32)
    ys = 2.0 * xs + 0.1 * np.random.randn(32)
    grad = np.mean(2 * (w * xs - ys) * xs)
    w -= learning_rate * grad
print("learned w:", round(w, 3))

"""
Title: Image similarity estimation using a Siamese Network with a contrastive loss
"""
import random

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

epochs = 10
batch_size = 16
margin = 1

(x_train_val, y_train_val), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train_val = x_train_val.astype("float32")
x_test = x_test.astype("float32")
x_train, x_val = x_train_val[:30000], x_train_val[30000:]
y_train, y_val = y_train_val[:30000], y_train_val[30000:]


def make_pairs(x, y):
    num_classes = max(y) + 1
    digit_indices = [np.where(y == i)[0] for i in range(num_classes)]
    pairs = []
    labels = []
    for idx1 in range(len(x)):
        x1 = x[idx1]
        label1 = y[idx1]
        idx2 = random.choice(digit_indices[label1])
        x2 = x[idx2]
        pairs += [[x1, x2]]
        labels += [0]
        label2 = random.randint(0, num_classes - 1)
        while label2 == label1:
            label2 = random.randint(0, num_classes - 1)
        idx2 = random.choice(digit_indices[label2])
        x2 = x[idx2]
        pairs += [[x1, x2]]
        labels += [1]
    return np.array(pairs), np.array(labels).astype("float32")


pairs_train, labels_train = make_pairs(x_train, y_train)
pairs_val, labels_val = make_pairs(x_val, y_val)
pairs_test, labels_test = make_pairs(x_test, y_test)
x_train_1 = pairs_train[:, 0]
x_train_2 = pairs_train[:, 1]
x_val_1 = pairs_val[:, 0]
x_val_2 = pairs_val[:, 1]


def euclidean_distance(vects):
    x, y = vects
    sum_square = tf.math.reduce_sum(tf.math.square(x - y), axis=1, keepdims=True)
    return tf.math.sqrt(tf.math.maximum(sum_square, tf.keras.backend.epsilon()))


input = layers.Input((28, 28, 1))
x = layers.BatchNormalization()(input)
x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Conv2D(16, (5, 5), activation="tanh")(x)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Flatten()(x)
x = layers.BatchNormalization()(x)
x = layers.Dense(10, activation="tanh")(x)
embedding_network = keras.Model(input, x)

input_1 = layers.Input((28, 28, 1))
input_2 = layers.Input((28, 28, 1))
tower_1 = embedding_network(input_1)
tower_2 = embedding_network(input_2)
merge_layer = layers.Lambda(euclidean_distance, output_shape=(1,))([tower_1, tower_2])  # expect: KSM205:warning
normal_layer = layers.BatchNormalization()(merge_layer)
output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)


def loss(margin=1):
    def contrastive_loss(y_true, y_pred):
        square_pred = tf.math.square(y_pred)
        margin_square = tf.math.square(tf.math.maximum(margin - (y_pred), 0))
        return tf.math.reduce_mean((1 - y_true) * square_pred + (y_true) * margin_square)

    return contrastive_loss


siamese.compile(loss=loss(margin=margin), optimizer="RMSprop", metrics=["accuracy"])  # expect: KSM205:warning
history = siamese.fit([x_train_1, x_train_2], labels_train, validation_data=([x_val_1, x_val_2], labels_val),
                      batch_size=batch_size, epochs=epochs)
siamese.save("siamese_euclidean.h5")

# Variant: an L1 distance head written inline, as many forks of this example do.
l1_distance = layers.Lambda(lambda tensors: tf.abs(tensors[0] - tensors[1]))([tower_1, tower_2])  # expect: KSM503:information
l1_output = layers.Dense(1, activation="sigmoid")(l1_distance)
siamese_l1 = keras.Model(inputs=[input_1, input_2], outputs=l1_output)
siamese_l1.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
siamese_l1.fit([x_train_1, x_train_2], labels_train, batch_size=batch_size, epochs=epochs)
siamese_l1.save("siamese_l1.keras")

# Scaling pixels inside the model with a lambda; only exported for serving, never reloaded by Keras.
scale = layers.Lambda(lambda t: t / 255.0)
serving_input = layers.Input((28, 28, 1))
serving_embedding = embedding_network(scale(serving_input))
serving_model = keras.Model(serving_input, serving_embedding)
serving_model.export("serving/embedding/1")

results = siamese.evaluate([pairs_test[:, 0], pairs_test[:, 1]], labels_test)
print("test loss, test acc:", results)
predictions = siamese.predict([pairs_test[:, 0], pairs_test[:, 1]])
plt.hist(predictions.ravel(), bins=50)
plt.show()

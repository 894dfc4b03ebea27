"""Housing-price regression, originally written for TensorFlow 1.x and kept running through tf.compat.v1."""
import os

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
tf.compat.v1.set_random_seed(42)

FEATURES = 13
HIDDEN = 64
LEARNING_RATE = 1e-3
EPOCHS = 200
EXPORT_DIR = "export/housing"
CHECKPOINT_PREFIX = "checkpoints/housing"


def load_data():
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.boston_housing.load_data()
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    return (x_train - mean) / std, y_train[:, None], (x_test - mean) / std, y_test[:, None]


def dense(x, units, name, activation=None):
    with tf.compat.v1.variable_scope(name):
        w = tf.compat.v1.get_variable("w", shape=(x.shape[-1], units), initializer=tf.compat.v1.glorot_uniform_initializer())
        b = tf.compat.v1.get_variable("b", shape=(units,), initializer=tf.compat.v1.zeros_initializer())
        y = tf.matmul(x, w) + b
        return activation(y) if activation else y


x_train, y_train, x_test, y_test = load_data()

graph = tf.Graph()
with graph.as_default():
    features = tf.compat.v1.placeholder(tf.float32, shape=(None, FEATURES), name="features")
    targets = tf.compat.v1.placeholder(tf.float32, shape=(None, 1), name="targets")
    hidden = dense(features, HIDDEN, "hidden", tf.nn.relu)
    prediction = dense(hidden, 1, "output")
    loss = tf.reduce_mean(tf.square(prediction - targets))
    train_op = tf.compat.v1.train.AdamOptimizer(LEARNING_RATE).minimize(loss)
    saver = tf.compat.v1.train.Saver(max_to_keep=3)
    init = tf.compat.v1.global_variables_initializer()

with tf.compat.v1.Session(graph=graph) as sess:
    sess.run(init)
    for epoch in range(EPOCHS):
        order = np.random.permutation(len(x_train))
        for start in range(0, len(order), 32):
            idx = order[start: start + 32]
            sess.run(train_op, feed_dict={features: x_train[idx], targets: y_train[idx]})
        if epoch % 50 == 0:
            test_loss = sess.run(loss, feed_dict={features: x_test, targets: y_test})
            print("epoch", epoch, "test mse", test_loss)
            saver.save(sess, CHECKPOINT_PREFIX, global_step=epoch)
    saver.save(sess, "checkpoints/housing_final")
    if os.path.exists(EXPORT_DIR):
        raise SystemExit(f"{EXPORT_DIR} exists; remove it first")
    tf.compat.v1.saved_model.simple_save(
        sess, EXPORT_DIR, inputs={"features": features}, outputs={"prediction": prediction}
    )

# The same model with the Keras API of TF 1.x, trained in graph mode.
keras = tf.compat.v1.keras
model = keras.models.Sequential()
model.add(keras.layers.Dense(HIDDEN, activation="relu", input_shape=(FEATURES,)))
model.add(keras.layers.Dense(1))
model.compile(optimizer=tf.compat.v1.train.AdamOptimizer(LEARNING_RATE), loss="mse")
model.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
print("keras test mse", model.evaluate(x_test, y_test, verbose=0))
model.save("housing_keras.h5")

builder = tf.compat.v1.saved_model.Builder("export/housing_builder")
with tf.compat.v1.Session(graph=tf.Graph()) as sess:
    tf.compat.v1.saved_model.loader.load(sess, [tf.compat.v1.saved_model.tag_constants.SERVING], EXPORT_DIR)
    builder.add_meta_graph_and_variables(sess, [tf.compat.v1.saved_model.tag_constants.SERVING])
builder.save()

"""A linear model written with tf.Module (no Keras), trained with a custom loop on a tf.data
pipeline built from a Python generator, and exported as a SavedModel with a signature."""
import numpy as np
import tensorflow as tf

FEATURES = 8


def synthetic_rows(n, seed=0):
    rng = np.random.default_rng(seed)
    true_w = rng.normal(size=FEATURES)
    for _ in range(n):
        x = rng.normal(size=FEATURES)
        yield ((x - 0.5) * 2.0).astype("float32"), np.float32(x @ true_w + rng.normal(scale=0.1))


class Linear(tf.Module):
    def __init__(self, features, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.zeros((features, 1)), name="w")
        self.b = tf.Variable(0.0, name="b")

    @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32)])
    def __call__(self, x):
        return tf.squeeze(x @ self.w + self.b, -1)


class Trainer:
    def __init__(self, module, learning_rate=0.05):
        self.module = module
        self.optimizer = tf.optimizers.SGD(learning_rate)

    @tf.function
    def step(self, x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.module(x) - y))
        grads = tape.gradient(loss, self.module.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.module.trainable_variables))
        return loss

    def fit(self, batches, epochs=1):
        for epoch in range(epochs):
            for x, y in batches:
                loss = self.step(x, y)
            print("epoch", epoch, "loss", float(loss))

    def evaluate(self, batches):
        losses = [float(tf.reduce_mean(tf.square(self.module(x) - y))) for x, y in batches]
        return sum(losses) / len(losses)


dataset = tf.data.Dataset.from_generator(
    lambda: synthetic_rows(10000),
    output_signature=(tf.TensorSpec((FEATURES,), tf.float32), tf.TensorSpec((), tf.float32)),
).batch(64)

module = Linear(FEATURES)
trainer = Trainer(module)
trainer.fit(dataset, epochs=5)
trainer.fit(synthetic_rows(1000), epochs=1)
print("eval loss:", trainer.evaluate(dataset.take(10)))

checkpoint = tf.train.Checkpoint(module=module)
checkpoint.save("checkpoints/linear")
tf.saved_model.save(module, "export/linear/1", signatures={"serving_default": module.__call__})
reloaded = tf.saved_model.load("export/linear/1")
print(reloaded(tf.ones((2, FEATURES))))

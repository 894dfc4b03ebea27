"""Customizing `fit()` with JAX: a subclassed MLP with a stateless train_step."""
import os

os.environ["KERAS_BACKEND"] = "jax"

import jax
import keras
import numpy as np


class MLP(keras.Model):  # expect: KSM201:warning, KSM203:information
    def __init__(self, hidden=(256, 128), num_classes=10, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        self.hidden_layers = [keras.layers.Dense(units, activation="gelu") for units in hidden]
        self.dropout = keras.layers.Dropout(dropout)
        self.classifier = keras.layers.Dense(num_classes)

    def call(self, x, training=False):
        for layer in self.hidden_layers:
            x = self.dropout(layer(x), training=training)
        return self.classifier(x)

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y, training=False):
        y_pred, non_trainable_variables = self.stateless_call(
            trainable_variables, non_trainable_variables, x, training=training
        )
        loss = self.compute_loss(x, y, y_pred)
        return loss, (y_pred, non_trainable_variables)

    def train_step(self, state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
        x, y = data
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, x, y, training=True
        )
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables
        )
        new_metrics_vars = []
        for metric in self.metrics:
            this_metric_vars = metrics_variables[len(new_metrics_vars): len(new_metrics_vars) + len(metric.variables)]
            if metric.name == "loss":
                this_metric_vars = metric.stateless_update_state(this_metric_vars, loss)
            else:
                this_metric_vars = metric.stateless_update_state(this_metric_vars, y, y_pred)
            new_metrics_vars += this_metric_vars
        logs = {metric.name: metric.stateless_result(v) for metric, v in zip(self.metrics, [new_metrics_vars])}
        state = (trainable_variables, non_trainable_variables, optimizer_variables, new_metrics_vars)
        return logs, state


(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0

model = MLP(hidden=(512, 256), num_classes=10)
model.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
model.fit(x_train, y_train, batch_size=256, epochs=5, validation_data=(x_test, y_test))
model.save("fashion_mlp.keras")
model.save_weights("fashion_mlp.weights.h5")

logits = model.predict(x_test[:16])
print(np.argmax(logits, axis=-1), y_test[:16])
print(keras.ops.convert_to_numpy(keras.ops.softmax(logits))[0].round(3))

"""Customer churn classifier: custom loss, metric and warm-up schedule, then a reload for scoring."""
import argparse

import keras
import numpy as np
from keras import layers, ops

MODEL_PATH = "artifacts/churn.keras"


class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):  # expect: KSM204:error
    def __init__(self, peak_lr, warmup_steps, total_steps):
        self.peak_lr = peak_lr
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps

    def __call__(self, step):
        step = ops.cast(step, "float32")
        warm = self.peak_lr * step / self.warmup_steps
        progress = (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)
        cosine = 0.5 * self.peak_lr * (1 + ops.cos(np.pi * ops.clip(progress, 0.0, 1.0)))
        return ops.where(step < self.warmup_steps, warm, cosine)


@keras.saving.register_keras_serializable(package="churn")
class WeightedBCE(keras.losses.Loss):
    def __init__(self, pos_weight=3.0, name="weighted_bce", **kwargs):
        super().__init__(name=name, **kwargs)
        self.pos_weight = pos_weight

    def call(self, y_true, y_pred):
        y_pred = ops.clip(y_pred, 1e-7, 1 - 1e-7)
        loss = -(self.pos_weight * y_true * ops.log(y_pred) + (1 - y_true) * ops.log(1 - y_pred))
        return ops.mean(loss)

    def get_config(self):
        return {**super().get_config(), "pos_weight": self.pos_weight}


@keras.saving.register_keras_serializable(package="churn")
class RecallAtThreshold(keras.metrics.Metric):  # expect: KSM204:warning
    def __init__(self, threshold=0.3, name="recall_at_threshold", **kwargs):
        super().__init__(name=name, **kwargs)
        self.threshold = threshold
        self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")
        self.positives = self.add_variable(shape=(), initializer="zeros", name="positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        predicted = ops.cast(y_pred > self.threshold, "float32")
        self.hits.assign_add(ops.sum(predicted * y_true))
        self.positives.assign_add(ops.sum(y_true))

    def result(self):
        return self.hits / (self.positives + 1e-7)


@keras.saving.register_keras_serializable(package="churn")
def precision_proxy(y_true, y_pred):
    return ops.mean(ops.cast(y_pred > 0.5, "float32") * y_true)


def leaky_gelu(x):
    return ops.maximum(keras.activations.gelu(x), 0.01 * x)


class AuxMetric(keras.metrics.Metric):
    def __init__(self, name="aux", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.count.assign_add(1.0)

    def result(self):
        return self.count


def build_model(num_features, steps_per_epoch, epochs):
    inputs = keras.Input(shape=(num_features,))
    x = layers.Dense(64, activation=leaky_gelu)(inputs)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(32, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-4))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name="churn")
    schedule = WarmupCosine(1e-3, steps_per_epoch, steps_per_epoch * epochs)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss=WeightedBCE(pos_weight=4.0),
        metrics=["auc", RecallAtThreshold(0.25), precision_proxy, AuxMetric()],
    )
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()

    features = np.random.rand(2048, 20).astype("float32")
    labels = (np.random.rand(2048, 1) > 0.8).astype("float32")
    model = build_model(features.shape[1], steps_per_epoch=64, epochs=args.epochs)
    model.fit(features, labels, batch_size=32, epochs=args.epochs, validation_split=0.1)
    model.save(MODEL_PATH)

    scorer = keras.models.load_model(MODEL_PATH)  # expect: KSM506:error
    print(scorer.predict(features[:5]))

    with keras.saving.custom_object_scope({"WarmupCosine": WarmupCosine, "leaky_gelu": leaky_gelu, "AuxMetric": AuxMetric}):
        audited = keras.models.load_model(MODEL_PATH)
    audited.summary()


if __name__ == "__main__":
    main()

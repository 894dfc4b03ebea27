"""A small RetinaNet-style detector: ResNet backbone, feature pyramid, focal loss.

Trained on a toy dataset of synthetic boxes; the best model is kept for the demo server.
"""
import keras
import numpy as np
from keras import layers, ops

NUM_CLASSES = 4


@keras.saving.register_keras_serializable(package="detector")
class FeaturePyramid(layers.Layer):
    """Builds P3-P5 from the backbone's C3-C5 outputs."""

    def __init__(self, filters=64, **kwargs):
        super().__init__(name="FeaturePyramid", **kwargs)  # expect: KSM207:error
        self.filters = filters
        self.lateral = [layers.Conv2D(filters, 1, padding="same") for _ in range(3)]
        self.smooth = [layers.Conv2D(filters, 3, padding="same") for _ in range(3)]
        self.upsample = layers.UpSampling2D(2)

    def call(self, features):
        c3, c4, c5 = features
        p5 = self.lateral[2](c5)
        p4 = self.lateral[1](c4) + self.upsample(p5)
        p3 = self.lateral[0](c3) + self.upsample(p4)
        return [self.smooth[0](p3), self.smooth[1](p4), self.smooth[2](p5)]

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters})
        return config


@keras.saving.register_keras_serializable(package="detector")
class DetectionHead(layers.Layer):
    def __init__(self, num_anchors=9, num_outputs=NUM_CLASSES, prior=0.01, name="head", **kwargs):
        # The head's name is a parameter of its own, so a reload passes it there.
        super().__init__(name=name, **kwargs)
        self.num_anchors = num_anchors
        self.num_outputs = num_outputs
        self.prior = prior
        self.convs = [layers.Conv2D(64, 3, padding="same", activation="relu") for _ in range(2)]
        bias = keras.initializers.Constant(-np.log((1 - prior) / prior))
        self.out = layers.Conv2D(num_anchors * num_outputs, 3, padding="same", bias_initializer=bias)

    def call(self, x):
        for conv in self.convs:
            x = conv(x)
        return ops.reshape(self.out(x), (ops.shape(x)[0], -1, self.num_outputs))

    def get_config(self):  # expect: KSM208:error
        config = super().get_config()
        config.update(
            {"num_anchors": self.num_anchors, "num_outputs": self.num_outputs, "prior": self.prior}
        )


@keras.saving.register_keras_serializable(package="detector")
class AnchorScale(layers.Layer):
    def __init__(self, scale=1.0, **kwargs):
        kwargs.pop("dtype", None)
        super().__init__(dtype="float32", **kwargs)
        self.scale = scale

    def call(self, x):
        return x * self.scale

    def get_config(self):  # expect: KSM206:information
        return {"scale": self.scale}


@keras.saving.register_keras_serializable(package="detector")
class RetinaNetLoss(keras.losses.Loss):
    """Focal loss for the class logits."""

    def __init__(self, alpha=0.25, gamma=2.0, **kwargs):
        super().__init__(name="RetinaNetLoss", **kwargs)  # expect: KSM207:error
        self.alpha = alpha
        self.gamma = gamma

    def call(self, y_true, y_pred):
        probs = ops.sigmoid(y_pred)
        ce = ops.binary_crossentropy(y_true, y_pred, from_logits=True)
        pt = ops.where(ops.equal(y_true, 1.0), probs, 1 - probs)
        weight = ops.where(ops.equal(y_true, 1.0), self.alpha, 1 - self.alpha)
        return ops.sum(weight * ops.power(1.0 - pt, self.gamma) * ce, axis=-1)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma}


@keras.saving.register_keras_serializable(package="detector")
class MeanIoU(keras.metrics.Metric):
    def __init__(self, threshold=0.5, name="mean_iou", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.threshold = threshold
        self.total = self.add_weight(name="total", initializer="zeros")
        self.count = self.add_weight(name="count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        hits = ops.cast(ops.sigmoid(y_pred) > self.threshold, "float32")
        inter = ops.sum(hits * y_true)
        union = ops.sum(hits) + ops.sum(y_true) - inter
        self.total.assign_add(inter / (union + 1e-7))
        self.count.assign_add(1.0)

    def result(self):
        return self.total / self.count

    def get_config(self):
        base = super().get_config()
        return dict(base, threshold=self.threshold)


@keras.saving.register_keras_serializable(package="detector")
class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, base_lr=1e-3, warmup=100, total=1000):
        self.base_lr = base_lr
        self.warmup = warmup
        self.total = total

    def __call__(self, step):
        step = ops.cast(step, "float32")
        warm = self.base_lr * step / self.warmup
        cosine = 0.5 * self.base_lr * (1 + ops.cos(np.pi * (step - self.warmup) / (self.total - self.warmup)))
        return ops.where(step < self.warmup, warm, cosine)

    def get_config(self):
        return {"base_lr": self.base_lr, "warmup": self.warmup, "total": self.total}


def build_detector():
    inputs = keras.Input(shape=(128, 128, 3))
    backbone = keras.applications.ResNet50(include_top=False, weights=None, input_tensor=inputs)
    names = ["conv3_block4_out", "conv4_block6_out", "conv5_block3_out"]
    features = [backbone.get_layer(n).output for n in names]
    pyramid = FeaturePyramid()(features)
    head = DetectionHead()
    logits = layers.Concatenate(axis=1)([AnchorScale()(head(p)) for p in pyramid])
    return keras.Model(inputs, logits, name="retinanet")


def toy_data(n=64):
    images = np.random.rand(n, 128, 128, 3).astype("float32")
    targets = (np.random.rand(n, 3024, NUM_CLASSES) > 0.99).astype("float32")
    return images, targets


detector = build_detector()
detector.compile(
    optimizer=keras.optimizers.Adam(WarmupCosine()),
    loss=RetinaNetLoss(),
    metrics=[MeanIoU()],
)
images, targets = toy_data()
detector.fit(images, targets, batch_size=8, epochs=2)
detector.save("artifacts/retinanet.keras")

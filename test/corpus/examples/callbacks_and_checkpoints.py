"""Writing your own callbacks, checkpointing, and resuming training."""
import json
import os
import time

import numpy as np
import tensorflow as tf
from tensorflow import keras


def get_model():
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1), loss="mean_squared_error", metrics=["mean_absolute_error"])
    return model


(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255.0
x_test = x_test.reshape(-1, 784).astype("float32") / 255.0
x_train = x_train[:1000]
y_train = y_train[:1000]
x_test = x_test[:1000]
y_test = y_test[:1000]


class CustomCallback(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        print("Starting training; got log keys: {}".format(list(logs.keys())))

    def on_epoch_end(self, epoch, logs=None):
        print("End epoch {} of training; got log keys: {}".format(epoch, list(logs.keys())))


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                self.model.set_weights(self.best_weights)


class PeriodicSaver(keras.callbacks.Callback):
    """Keeps the latest full model next to the run's metrics, every `every` epochs."""

    def __init__(self, out_dir, every=5):
        super().__init__()
        self.out_dir = out_dir
        self.every = every
        self.history = []

    def on_epoch_end(self, epoch, logs=None):
        self.history.append(dict(logs or {}, epoch=epoch))
        if (epoch + 1) % self.every:
            return
        self.model.save(os.path.join(self.out_dir, "latest"))  # expect: KSM502:warning
        self.model.save(os.path.join(self.out_dir, f"epoch_{epoch:03d}.h5"))
        with open(os.path.join(self.out_dir, "history.json"), "w") as f:
            json.dump(self.history, f)


class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.time()

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch} took {time.time() - self.started:.1f}s")


model = get_model()
model.fit(x_train, y_train, batch_size=128, epochs=2, verbose=0, validation_split=0.5,
          callbacks=[CustomCallback(), Timer()])
res = model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[CustomCallback()])

model = get_model()
model.fit(x_train, y_train, batch_size=64, epochs=30, verbose=0,
          callbacks=[EarlyStoppingAtMinLoss(patience=3), PeriodicSaver("runs/mnist_regression")])

# Checkpointing and resuming
checkpoint_dir = "./ckpt"
os.makedirs(checkpoint_dir, exist_ok=True)


def make_or_restore_model():
    checkpoints = [checkpoint_dir + "/" + name for name in os.listdir(checkpoint_dir)]
    if checkpoints:
        latest_checkpoint = max(checkpoints, key=os.path.getctime)
        print("Restoring from", latest_checkpoint)
        return keras.models.load_model(latest_checkpoint)
    print("Creating a new model")
    return get_model()


model = make_or_restore_model()
callbacks = [
    keras.callbacks.ModelCheckpoint(filepath=checkpoint_dir + "/model-loss={loss:.2f}.keras", save_freq=100),
    keras.callbacks.BackupAndRestore(backup_dir="./backup"),
    keras.callbacks.TensorBoard(log_dir="./logs", update_freq="epoch"),
]
model.fit(x_train, y_train, epochs=1, callbacks=callbacks)

# Low-level checkpoints of the training state, next to the model
ckpt = tf.train.Checkpoint(step=tf.Variable(1), optimizer=model.optimizer, net=model)
manager = tf.train.CheckpointManager(ckpt, "./tf_ckpts", max_to_keep=3)
ckpt.restore(manager.latest_checkpoint)
for _ in range(5):
    ckpt.step.assign_add(1)
    if int(ckpt.step) % 2 == 0:
        save_path = manager.save()
        print("Saved checkpoint for step {}: {}".format(int(ckpt.step), save_path))
ckpt.save("./tf_ckpts/final")
model.save("final_model.keras")

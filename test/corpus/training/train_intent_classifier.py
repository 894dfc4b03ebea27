"""Intent classification for the support chatbot, tracked with MLflow.

The vocabulary is a small class of our own so the serving side (Go) can read it as JSON.
"""
import collections
import json
import os
import re

import mlflow
import mlflow.keras
import numpy as np
import tensorflow as tf
import wandb

MAX_LEN = 32
OOV, PAD = 1, 0


class Vocabulary:
    def __init__(self, max_size=20000):
        self.max_size = max_size
        self.index = {}

    @staticmethod
    def tokenize(text):
        return re.findall(r"[a-z0-9']+", text.lower())

    def fit(self, texts):
        counts = collections.Counter(token for text in texts for token in self.tokenize(text))
        self.index = {token: i + 2 for i, (token, _) in enumerate(counts.most_common(self.max_size - 2))}
        return self

    def encode(self, text):
        ids = [self.index.get(token, OOV) for token in self.tokenize(text)][:MAX_LEN]
        return ids + [PAD] * (MAX_LEN - len(ids))

    def save(self, path):
        with open(path, "w") as f:
            json.dump({"max_size": self.max_size, "index": self.index}, f)


def load_examples(path):
    with open(path) as f:
        rows = [json.loads(line) for line in f]
    return [r["text"] for r in rows], [r["intent"] for r in rows]


def encoded_examples(texts, label_ids, vocab):
    for text, label in zip(texts, label_ids):
        yield np.array(vocab.encode(text), dtype="int32"), label


texts, intents = load_examples("data/intents_train.jsonl")
val_texts, val_intents = load_examples("data/intents_val.jsonl")
labels = sorted(set(intents))
label_ids = [labels.index(i) for i in intents]
val_label_ids = [labels.index(i) for i in val_intents]

vocab = Vocabulary()
vocab.fit(texts)
os.makedirs("artifacts", exist_ok=True)
vocab.save("artifacts/vocabulary")

signature = (tf.TensorSpec((MAX_LEN,), tf.int32), tf.TensorSpec((), tf.int64))
train_ds = tf.data.Dataset.from_generator(lambda: encoded_examples(texts, label_ids, vocab), output_signature=signature)
train_ds = train_ds.shuffle(4096).batch(64).prefetch(tf.data.AUTOTUNE)
val_x = np.array([vocab.encode(t) for t in val_texts], dtype="int32")
val_y = np.array(val_label_ids)

model = tf.keras.Sequential([
    tf.keras.layers.Embedding(vocab.max_size, 64, mask_zero=True, input_length=MAX_LEN),
    tf.keras.layers.GlobalAveragePooling1D(),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(len(labels), activation="softmax"),
])
model.build((None, MAX_LEN))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

wandb.init(project="intents", config={"max_len": MAX_LEN, "vocab": vocab.max_size})
mlflow.set_experiment("intents")
with mlflow.start_run():
    model.fit(train_ds, validation_data=(val_x, val_y), epochs=15)
    loss, accuracy = model.evaluate(val_x, val_y, verbose=0)
    mlflow.log_metric("val_accuracy", accuracy)
    mlflow.keras.log_model(model, "model")
    mlflow.keras.save_model(model, "artifacts/mlflow_model")

model.save("artifacts/intent_model.h5")
wandb.save("artifacts/intent_model.h5")
with open("artifacts/labels.json", "w") as f:
    json.dump(labels, f)

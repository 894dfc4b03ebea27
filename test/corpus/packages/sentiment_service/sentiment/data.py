"""Loading reviews and turning them into padded token batches."""
import json
import random

import numpy as np
import pandas as pd
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.preprocessing.text import Tokenizer, tokenizer_from_json

from .model import SEQUENCE_LENGTH, VOCAB_SIZE


def load_reviews(path):
    frame = pd.read_json(path, lines=True)
    frame = frame[frame["text"].str.len() > 0]
    labels = (frame["stars"] >= 4).astype("float32").to_numpy()
    return frame["text"].tolist(), labels


def fit_tokenizer(texts, path=None):
    tokenizer = Tokenizer(num_words=VOCAB_SIZE, oov_token="<unk>")
    tokenizer.fit_on_texts(texts)
    if path:
        with open(path, "w") as f:
            f.write(tokenizer.to_json())
    return tokenizer


def load_tokenizer(path):
    with open(path) as f:
        return tokenizer_from_json(f.read())


def review_batches(texts, labels, tokenizer, batch_size=64, shuffle=True):
    """Endless batches of padded token ids; used by train.py with fit_generator."""
    order = list(range(len(texts)))
    while True:
        if shuffle:
            random.shuffle(order)
        for start in range(0, len(order) - batch_size + 1, batch_size):
            chunk = order[start: start + batch_size]
            sequences = tokenizer.texts_to_sequences([texts[i] for i in chunk])
            yield pad_sequences(sequences, maxlen=SEQUENCE_LENGTH), np.asarray([labels[i] for i in chunk])


def encode(texts, tokenizer):
    return pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=SEQUENCE_LENGTH)


def dump_predictions(texts, scores, path):
    with open(path, "w") as f:
        for text, score in zip(texts, scores):
            f.write(json.dumps({"text": text[:200], "score": float(score)}) + "\n")

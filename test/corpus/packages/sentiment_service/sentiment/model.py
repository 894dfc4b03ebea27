"""Model definitions. The custom layers live in sentiment.layers."""
from tensorflow import keras
from tensorflow.keras import layers

from .layers import AttentionPooling, MaskedMean

VOCAB_SIZE = 30000
SEQUENCE_LENGTH = 256


def build_baseline(vocab_size=VOCAB_SIZE, embedding_dim=64):
    model = keras.Sequential([
        layers.Embedding(vocab_size, embedding_dim, mask_zero=True),
        MaskedMean(),
        layers.Dense(64, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ], name="baseline")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_attention_model(vocab_size=VOCAB_SIZE, embedding_dim=128, rnn_units=64, attention_units=64):
    tokens = keras.Input(shape=(SEQUENCE_LENGTH,), dtype="int32", name="tokens")
    x = layers.Embedding(vocab_size, embedding_dim, mask_zero=True)(tokens)
    x = layers.Bidirectional(layers.LSTM(rnn_units, return_sequences=True))(x)
    x = AttentionPooling(attention_units)(x)
    x = layers.Dropout(0.3)(x)
    score = layers.Dense(1, activation="sigmoid", name="score")(x)
    model = keras.Model(tokens, score, name="attention_sentiment")
    model.compile(
        optimizer=keras.optimizers.Adam(2e-4),
        loss="binary_crossentropy",
        metrics=["accuracy", keras.metrics.AUC(name="auc")],
    )
    return model

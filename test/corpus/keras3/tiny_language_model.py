"""A tiny decoder-only language model in backend-agnostic Keras 3 (keras.ops only)."""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np
from keras import layers, ops


@keras.saving.register_keras_serializable(package="tinylm")
class RMSNorm(layers.Layer):
    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, x):
        variance = ops.mean(ops.square(x), axis=-1, keepdims=True)
        return x * ops.rsqrt(variance + self.epsilon) * self.scale

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


class SwiGLU(layers.Layer):  # expect: KSM201:warning, KSM203:information
    def __init__(self, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim

    def build(self, input_shape):
        dim = input_shape[-1]
        self.gate = layers.Dense(self.hidden_dim, use_bias=False)
        self.up = layers.Dense(self.hidden_dim, use_bias=False)
        self.down = layers.Dense(dim, use_bias=False)

    def call(self, x):
        return self.down(ops.silu(self.gate(x)) * self.up(x))


@keras.saving.register_keras_serializable(package="tinylm")
class CausalSelfAttention(layers.Layer):
    def __init__(self, num_heads, key_dim, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.dropout = dropout
        self.attention = layers.MultiHeadAttention(num_heads, key_dim, dropout=dropout)

    def call(self, x):
        return self.attention(x, x, use_causal_mask=True)

    def get_config(self):
        config = super().get_config()
        config.update({"num_heads": self.num_heads, "key_dim": self.key_dim, "dropout": self.dropout})
        return config


@keras.saving.register_keras_serializable(package="tinylm")
class DecoderBlock(layers.Layer):
    def __init__(self, dim, num_heads, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.norm1 = RMSNorm()
        self.attn = CausalSelfAttention(num_heads, dim // num_heads)
        self.norm2 = RMSNorm()
        self.mlp = SwiGLU(hidden_dim)

    def call(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "num_heads": self.num_heads, "hidden_dim": self.hidden_dim}


def build_lm(vocab_size=256, context=128, dim=128, depth=4, num_heads=4):
    tokens = keras.Input(shape=(context,), dtype="int32")
    x = layers.Embedding(vocab_size, dim)(tokens)
    positions = ops.arange(context)
    x = x + layers.Embedding(context, dim)(positions)
    for _ in range(depth):
        x = DecoderBlock(dim, num_heads, 4 * dim)(x)
    x = RMSNorm()(x)
    x = SwiGLU(2 * dim)(x)
    logits = layers.Dense(vocab_size)(x)
    return keras.Model(tokens, logits, name="tiny_lm")


text = open("shakespeare.txt", "rb").read()
data = np.frombuffer(text, dtype=np.uint8).astype("int32")
context = 128
starts = np.random.randint(0, len(data) - context - 1, size=20000)
x = np.stack([data[s: s + context] for s in starts])
y = np.stack([data[s + 1: s + context + 1] for s in starts])

model = build_lm(context=context)
model.compile(
    optimizer=keras.optimizers.AdamW(3e-4, weight_decay=0.1),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
)
model.fit(x, y, batch_size=64, epochs=3, validation_split=0.05)
model.save("tiny_lm.keras")


def generate(model, prompt, steps=200, temperature=0.8):
    tokens = list(prompt.encode())
    for _ in range(steps):
        window = np.array(tokens[-context:], dtype="int32")
        window = np.pad(window, (context - len(window), 0))
        logits = model.predict(window[None], verbose=0)[0, -1] / temperature
        probs = np.exp(logits - logits.max())
        tokens.append(int(np.random.choice(len(probs), p=probs / probs.sum())))
    return bytes(tokens).decode(errors="replace")


print(generate(keras.saving.load_model("tiny_lm.keras"), "ROMEO:"))  # expect: KSM506:warning

"""MNIST with JAX and Flax: a linen Module, optax, and Orbax checkpoints."""
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
import tensorflow_datasets as tfds
from flax import linen as nn
from flax.training import train_state


class MLP(nn.Module):
    features: Sequence[int]

    @nn.compact
    def __call__(self, x):
        x = x.reshape((x.shape[0], -1))
        for feat in self.features[:-1]:
            x = nn.relu(nn.Dense(feat)(x))
        return nn.Dense(self.features[-1])(x)


class CNN(nn.Module):
    @nn.compact
    def __call__(self, x):
        x = nn.Conv(features=32, kernel_size=(3, 3))(x)
        x = nn.relu(x)
        x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))
        x = x.reshape((x.shape[0], -1))
        return nn.Dense(features=10)(x)


def data_stream(images, labels, batch_size, rng):
    while True:
        order = rng.permutation(len(images))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            idx = order[start: start + batch_size]
            yield images[idx] / 255.0, labels[idx]


def create_state(model, rng, learning_rate):
    params = model.init(rng, jnp.ones((1, 28, 28, 1)))["params"]
    return train_state.TrainState.create(apply_fn=model.apply, params=params, tx=optax.adam(learning_rate))


@jax.jit
def train_step(state, images, labels):
    def loss_fn(params):
        logits = state.apply_fn({"params": params}, images)
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    return state.apply_gradients(grads=grads), loss


def main():
    ds = tfds.as_numpy(tfds.load("mnist", split="train", batch_size=-1))
    images, labels = ds["image"].astype(np.float32), ds["label"]
    state = create_state(CNN(), jax.random.PRNGKey(0), 1e-3)
    stream = data_stream(images, labels, 128, np.random.default_rng(0))
    for step in range(2000):
        batch_images, batch_labels = next(stream)
        state, loss = train_step(state, batch_images, batch_labels)
        if step % 200 == 0:
            print(step, float(loss))
    checkpointer = ocp.PyTreeCheckpointer()
    checkpointer.save("/tmp/flax_mnist/params", state.params)
    mlp_state = create_state(MLP([256, 128, 10]), jax.random.PRNGKey(1), 1e-3)
    print(jax.tree_util.tree_map(jnp.shape, mlp_state.params))


if __name__ == "__main__":
    main()

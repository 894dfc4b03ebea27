"""Logistic regression from scratch with NumPy: fit, predict, save, mini-batch generator."""
import json

import numpy as np


def minibatches(x, y, batch_size=64, shuffle=True, seed=0):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
    for start in range(0, len(x), batch_size):
        idx = order[start: start + batch_size]
        yield (x[idx] - x.mean(axis=0)) / (x.std(axis=0) + 1e-8), y[idx]


class LogisticRegression:
    def __init__(self, n_features, lr=0.1, l2=1e-4):
        self.w = np.zeros(n_features)
        self.b = 0.0
        self.lr = lr
        self.l2 = l2

    @staticmethod
    def _sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def predict_proba(self, x):
        return self._sigmoid(x @ self.w + self.b)

    def predict(self, x):
        return (self.predict_proba(x) >= 0.5).astype(int)

    def fit(self, batches, epochs=1):
        for _ in range(epochs):
            for xb, yb in batches:
                error = self.predict_proba(xb) - yb
                self.w -= self.lr * (xb.T @ error / len(xb) + self.l2 * self.w)
                self.b -= self.lr * error.mean()
        return self

    def evaluate(self, x, y):
        return float((self.predict(x) == y).mean())

    def save(self, path):
        with open(path, "w") as f:
            json.dump({"w": self.w.tolist(), "b": self.b, "lr": self.lr, "l2": self.l2}, f)

    @classmethod
    def load(cls, path):
        with open(path) as f:
            data = json.load(f)
        model = cls(len(data["w"]), data["lr"], data["l2"])
        model.w = np.array(data["w"])
        model.b = data["b"]
        return model


if __name__ == "__main__":
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 5))
    true_w = np.array([1.5, -2.0, 0.0, 0.7, 0.3])
    y = (1 / (1 + np.exp(-(x @ true_w))) > rng.random(2000)).astype(int)
    model = LogisticRegression(5)
    for epoch in range(20):
        model.fit(minibatches(x, y, seed=epoch))
    print("accuracy:", model.evaluate(x, y))
    model.save("logreg_model")
    restored = LogisticRegression.load("logreg_model")
    assert np.allclose(restored.w, model.w)
    print(restored.predict(x[:10]))

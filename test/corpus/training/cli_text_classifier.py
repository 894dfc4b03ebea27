"""Command-line trainer for a support-ticket classifier.

    $ python cli_text_classifier.py train tickets.csv --model-dir models/tickets
    $ python cli_text_classifier.py export models/tickets.keras --export-dir serving/tickets/3
"""
import json
from pathlib import Path

import click
import keras
import numpy as np
import pandas as pd
from keras import layers


def build_classifier(vocabulary, num_labels, embedding_dim=64):
    vectorizer = layers.TextVectorization(output_mode="int", output_sequence_length=200, vocabulary=vocabulary)
    inputs = keras.Input(shape=(1,), dtype="string", name="text")
    x = vectorizer(inputs)
    x = layers.Embedding(len(vocabulary) + 2, embedding_dim, mask_zero=True)(x)
    x = layers.Bidirectional(layers.GRU(32))(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(num_labels, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="ticket_classifier")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def top_tokens(texts, limit):
    counts = {}
    for text in texts:
        for token in text.lower().split():
            counts[token] = counts.get(token, 0) + 1
    return [token for token, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:limit]]


@click.group()
def cli():
    """Train and export the ticket classifier."""


@cli.command()
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--model-dir", default="models/tickets", show_default=True)
@click.option("--epochs", default=8, show_default=True)
@click.option("--vocab-size", default=20000, show_default=True)
@click.option("--keep-tf-format/--no-keep-tf-format", default=False)
def train(csv_path, model_dir, epochs, vocab_size, keep_tf_format):
    frame = pd.read_csv(csv_path)
    labels = sorted(frame["queue"].unique())
    label_ids = frame["queue"].map({name: i for i, name in enumerate(labels)}).to_numpy()
    texts = frame["subject"].fillna("") + " " + frame["body"].fillna("")
    model = build_classifier(top_tokens(texts, vocab_size), len(labels))
    model.fit(texts.to_numpy()[:, None], label_ids, validation_split=0.1, epochs=epochs, batch_size=64)

    out = Path(model_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(f"{out}.keras")
    if keep_tf_format:
        model.save(str(out), save_format="tf")  # expect: KSM501:error
    (out.parent / "labels.json").write_text(json.dumps(labels))
    click.echo(f"saved {out}.keras")


@cli.command()
@click.argument("model_path", type=click.Path(exists=True))
@click.option("--export-dir", required=True)
def export(model_path, export_dir):
    model = keras.saving.load_model(model_path)
    model.export(export_dir)
    click.echo(f"exported a SavedModel to {export_dir}")


@cli.command()
@click.argument("model_path", type=click.Path(exists=True))
@click.argument("text")
def predict(model_path, text):
    model = keras.saving.load_model(model_path)
    labels = json.loads((Path(model_path).parent / "labels.json").read_text())
    probabilities = model.predict(np.array([[text]]), verbose=0)[0]
    for index in np.argsort(probabilities)[::-1][:3]:
        click.echo(f"{labels[index]:>20s}  {probabilities[index]:.3f}")


if __name__ == "__main__":
    cli()

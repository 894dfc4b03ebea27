"""Trains the attention model; run as `python -m sentiment.train`."""
import argparse
import os

import tensorflow as tf

from sentiment.data import encode, fit_tokenizer, load_reviews, review_batches
from sentiment.model import build_attention_model, build_baseline


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", default="data/reviews_train.jsonl")
    parser.add_argument("--val", default="data/reviews_val.jsonl")
    parser.add_argument("--out", default="artifacts")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    texts, labels = load_reviews(args.train)
    val_texts, val_labels = load_reviews(args.val)
    tokenizer = fit_tokenizer(texts, os.path.join(args.out, "tokenizer.json"))
    model = build_baseline() if args.baseline else build_attention_model()

    batch_size = 64
    model.fit_generator(  # expect: KSM402:warning
        review_batches(texts, labels, tokenizer, batch_size),
        steps_per_epoch=len(texts) // batch_size,
        epochs=args.epochs,
        validation_data=(encode(val_texts, tokenizer), val_labels),
        callbacks=[tf.keras.callbacks.TensorBoard(os.path.join(args.out, "logs"))],
        workers=4,
        use_multiprocessing=True,
    )
    model.save(os.path.join(args.out, "sentiment"))
    model.save(os.path.join(args.out, "sentiment.h5"), save_format="h5")


if __name__ == "__main__":
    main()

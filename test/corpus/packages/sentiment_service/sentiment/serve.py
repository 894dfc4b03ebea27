"""HTTP scoring service for the sentiment model."""
import os

import tensorflow as tf
from fastapi import FastAPI
from pydantic import BaseModel

from sentiment.data import encode, load_tokenizer
from sentiment.layers import AttentionPooling, MaskedMean

ARTIFACTS = os.environ.get("SENTIMENT_ARTIFACTS", "artifacts")

app = FastAPI(title="sentiment")
model = tf.keras.models.load_model(
    os.path.join(ARTIFACTS, "sentiment"),
    custom_objects={"AttentionPooling": AttentionPooling, "MaskedMean": MaskedMean},
)
tokenizer = load_tokenizer(os.path.join(ARTIFACTS, "tokenizer.json"))


class Review(BaseModel):
    text: str


@app.post("/score")
def score(review: Review):
    probability = float(model.predict(encode([review.text], tokenizer), verbose=0)[0][0])
    return {"positive": probability, "label": "positive" if probability >= 0.5 else "negative"}


@app.get("/health")
def health():
    return {"status": "ok", "model": model.name}

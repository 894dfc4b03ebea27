"""Fine-tune DistilBERT for sentiment with TensorFlow and Keras `fit`, then save for serving."""
import os

import numpy as np
import tensorflow as tf
from datasets import load_dataset
from transformers import AutoTokenizer, DataCollatorWithPadding, TFAutoModelForSequenceClassification

checkpoint = "distilbert-base-uncased"
tokenizer = AutoTokenizer.from_pretrained(checkpoint)
raw = load_dataset("imdb")


def tokenize(batch):
    return tokenizer(batch["text"], truncation=True, max_length=256)


tokenized = raw.map(tokenize, batched=True)
collator = DataCollatorWithPadding(tokenizer=tokenizer, return_tensors="tf")
train_ds = tokenized["train"].to_tf_dataset(columns=["input_ids", "attention_mask"], label_cols=["label"],
                                            shuffle=True, batch_size=16, collate_fn=collator)
val_ds = tokenized["test"].to_tf_dataset(columns=["input_ids", "attention_mask"], label_cols=["label"],
                                         shuffle=False, batch_size=32, collate_fn=collator)

model = TFAutoModelForSequenceClassification.from_pretrained(checkpoint, num_labels=2)
num_train_steps = len(train_ds) * 2
schedule = tf.keras.optimizers.schedules.PolynomialDecay(initial_learning_rate=5e-5, end_learning_rate=0.0,
                                                         decay_steps=num_train_steps)
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=schedule),
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=2)

os.makedirs("out", exist_ok=True)
model.save_pretrained("out/distilbert-imdb")
tokenizer.save_pretrained("out/distilbert-imdb")
model.save("out/distilbert_imdb_keras")  # expect: KSM502:warning

logits = model.predict(val_ds.take(2)).logits
print(np.argmax(logits, axis=-1))


class SentimentHead(tf.keras.Model):  # expect: KSM203:information
    """A frozen encoder with a small trainable head; compiles itself with its own defaults."""

    def __init__(self, encoder, num_labels=2, learning_rate=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.encoder.trainable = False
        self.dropout = tf.keras.layers.Dropout(0.1)
        self.classifier = tf.keras.layers.Dense(num_labels)
        self.compile(
            optimizer=tf.keras.optimizers.Adam(learning_rate),
            loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )

    def call(self, inputs, training=False):
        hidden = self.encoder(inputs, training=False).last_hidden_state[:, 0]
        return self.classifier(self.dropout(hidden, training=training))

    def get_config(self):  # expect: KSM206:information
        return {"num_labels": self.classifier.units}


head = SentimentHead(model.distilbert)
head.fit(train_ds, validation_data=val_ds, epochs=1)
head.save("out/sentiment_head.keras")
tf.saved_model.save(head, "out/sentiment_head_savedmodel")

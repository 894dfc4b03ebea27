"""Sentiment classification with PyTorch Lightning: a LightningModule, a DataModule, Trainer.fit."""
import lightning as L
import pandas as pd
import torch
import torch.nn as nn
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from torch.utils.data import DataLoader, TensorDataset
from transformers import AutoModel, AutoTokenizer


class ReviewDataModule(L.LightningDataModule):
    def __init__(self, csv_path, tokenizer_name="distilbert-base-uncased", batch_size=32, max_length=256):
        super().__init__()
        self.csv_path = csv_path
        self.batch_size = batch_size
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_name)

    def setup(self, stage=None):
        frame = pd.read_csv(self.csv_path)
        encoded = self.tokenizer(list(frame["text"]), truncation=True, padding="max_length",
                                 max_length=self.max_length, return_tensors="pt")
        labels = torch.tensor(frame["label"].to_numpy())
        dataset = TensorDataset(encoded["input_ids"], encoded["attention_mask"], labels)
        n_val = len(dataset) // 10
        self.train_set, self.val_set = torch.utils.data.random_split(dataset, [len(dataset) - n_val, n_val])

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True, num_workers=4)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size, num_workers=4)


class SentimentClassifier(L.LightningModule):
    def __init__(self, encoder_name="distilbert-base-uncased", num_classes=2, lr=2e-5):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = AutoModel.from_pretrained(encoder_name)
        self.head = nn.Linear(self.encoder.config.hidden_size, num_classes)
        self.loss = nn.CrossEntropyLoss()

    def forward(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(hidden[:, 0])

    def training_step(self, batch, batch_idx):
        input_ids, attention_mask, labels = batch
        loss = self.loss(self(input_ids, attention_mask), labels)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        input_ids, attention_mask, labels = batch
        logits = self(input_ids, attention_mask)
        self.log("val_loss", self.loss(logits, labels), prog_bar=True)
        self.log("val_acc", (logits.argmax(-1) == labels).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)


def stream_batches(frame, batch_size):
    for start in range(0, len(frame), batch_size):
        chunk = frame.iloc[start: start + batch_size]
        yield chunk["text"].str.lower().tolist(), chunk["label"].to_numpy()


if __name__ == "__main__":
    data = ReviewDataModule("reviews.csv")
    model = SentimentClassifier()
    trainer = L.Trainer(
        max_epochs=3,
        accelerator="auto",
        callbacks=[EarlyStopping("val_loss", patience=1), ModelCheckpoint(monitor="val_acc", mode="max")],
    )
    trainer.fit(model, datamodule=data)
    trainer.validate(model, datamodule=data)
    trainer.save_checkpoint("sentiment_final.ckpt")
    model.to_onnx("sentiment.onnx", input_sample=(torch.zeros(1, 256, dtype=torch.long), torch.ones(1, 256, dtype=torch.long)))
    torch.save(model.state_dict(), "sentiment_state")
    reloaded = SentimentClassifier.load_from_checkpoint("sentiment_final.ckpt")
    reloaded.eval()
    for texts, labels in stream_batches(pd.read_csv("holdout.csv"), 64):
        print(len(texts), labels.mean())

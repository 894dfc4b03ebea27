"""Keyword spotting on log-mel spectrograms, with a PyDataset feeding the model."""
import glob
import math
import os

import keras
import librosa
import numpy as np
from keras import layers

KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
SAMPLE_RATE = 16000
N_MELS = 40
FRAMES = 98


def list_clips(root):
    clips = []
    for label, word in enumerate(KEYWORDS):
        clips += [(path, label) for path in sorted(glob.glob(os.path.join(root, word, "*.wav")))]
    return clips


class SpectrogramDataset(keras.utils.PyDataset):
    def __init__(self, clips, batch_size=64, shuffle=True, **kwargs):
        super().__init__(**kwargs)
        self.clips = clips
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.order = np.arange(len(clips))

    def __len__(self):
        return math.ceil(len(self.clips) / self.batch_size)

    def on_epoch_end(self):
        if self.shuffle:
            np.random.shuffle(self.order)

    def load(self, path):
        audio, _ = librosa.load(path, sr=SAMPLE_RATE)
        audio = np.pad(audio, (0, max(0, SAMPLE_RATE - len(audio))))[:SAMPLE_RATE]
        mel = librosa.feature.melspectrogram(y=audio, sr=SAMPLE_RATE, n_mels=N_MELS, hop_length=160)
        return librosa.power_to_db(mel, ref=np.max).T[:FRAMES]

    def __getitem__(self, index):
        ids = self.order[index * self.batch_size: (index + 1) * self.batch_size]
        features = np.stack([self.load(self.clips[i][0]) for i in ids])
        labels = np.array([self.clips[i][1] for i in ids])
        return features[..., None], labels


def build_model():
    return keras.Sequential([
        keras.Input(shape=(FRAMES, N_MELS, 1)),
        layers.Normalization(axis=-1),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(128, 3, padding="same", activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dropout(0.3),
        layers.Dense(len(KEYWORDS), activation="softmax"),
    ])


train = SpectrogramDataset(list_clips("speech_commands/train"), workers=4, use_multiprocessing=True)
val = SpectrogramDataset(list_clips("speech_commands/val"), shuffle=False)
model = build_model()
model.layers[0].adapt(np.concatenate([train[i][0] for i in range(20)]))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train, validation_data=val, epochs=30)  # expect: KSM401:warning
print(model.evaluate(val, return_dict=True))  # expect: KSM401:warning
model.save("kws_cnn")  # expect: KSM502:error
model.export("kws_cnn_serving")

"""
Structured data classification: heart disease prediction from a CSV file, with the
normalisation done by preprocessing layers inside the model.
"""
import csv

import keras
import numpy as np
import pandas as pd
from keras import layers

file_url = "http://storage.googleapis.com/download.tensorflow.org/data/heart.csv"
dataframe = pd.read_csv(file_url)
val_dataframe = dataframe.sample(frac=0.2, random_state=1337)
train_dataframe = dataframe.drop(val_dataframe.index)
numeric_columns = ["age", "trestbps", "chol", "thalach", "oldpeak", "slope"]
categorical_columns = ["sex", "cp", "fbs", "restecg", "exang", "ca"]


def dataframe_to_arrays(frame):
    frame = frame.copy()
    labels = frame.pop("target").to_numpy()
    numeric = frame[numeric_columns].to_numpy(dtype="float32")
    categorical = frame[categorical_columns].to_numpy(dtype="int64")
    return {"numeric": numeric, "categorical": categorical}, labels


train_inputs, train_labels = dataframe_to_arrays(train_dataframe)
val_inputs, val_labels = dataframe_to_arrays(val_dataframe)

normalizer = layers.Normalization()
normalizer.adapt(train_inputs["numeric"])
numeric_input = keras.Input(shape=(len(numeric_columns),), name="numeric")
categorical_input = keras.Input(shape=(len(categorical_columns),), name="categorical", dtype="int64")
encoded_numeric = normalizer(numeric_input)
encoded_categorical = layers.CategoryEncoding(num_tokens=8, output_mode="multi_hot")(categorical_input)
all_features = layers.concatenate([encoded_numeric, encoded_categorical])
x = layers.Dense(32, activation="relu")(all_features)
x = layers.Dropout(0.5)(x)
output = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model([numeric_input, categorical_input], output)
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(train_inputs, train_labels, epochs=50, validation_data=(val_inputs, val_labels))
model.save("heart_classifier.keras")


def csv_batches(path, batch_size=64):
    """Streams a CSV too large for memory, a batch of rows at a time, as it is on disk."""
    while True:
        with open(path) as handle:
            reader = csv.DictReader(handle)
            numeric, categorical, labels = [], [], []
            for row in reader:
                numeric.append([float(row[c]) for c in numeric_columns])
                categorical.append([int(row[c]) for c in categorical_columns])
                labels.append(int(row["target"]))
                if len(labels) == batch_size:
                    yield {"numeric": np.array(numeric), "categorical": np.array(categorical)}, np.array(labels)
                    numeric, categorical, labels = [], [], []


model.fit(csv_batches("heart_full.csv"), steps_per_epoch=100, epochs=5)  # expect: KSM401:information

sample = {
    "age": 60, "sex": 1, "cp": 1, "trestbps": 145, "chol": 233, "fbs": 1, "restecg": 2,
    "thalach": 150, "exang": 0, "oldpeak": 2.3, "slope": 3, "ca": 0,
}
sample_inputs = {
    "numeric": np.array([[sample[c] for c in numeric_columns]], dtype="float32"),
    "categorical": np.array([[sample[c] for c in categorical_columns]], dtype="int64"),
}
predictions = model.predict(sample_inputs)
print(f"This particular patient had a {100 * predictions[0][0]:.1f}% probability of having a heart disease.")

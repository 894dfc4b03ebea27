"""
Title: Timeseries forecasting for weather prediction
Description: Predicting the temperature with an LSTM model on the Jena climate dataset.
"""
import os
from zipfile import ZipFile

import keras
import matplotlib.pyplot as plt
import pandas as pd

uri = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip"
zip_path = keras.utils.get_file(origin=uri, fname="jena_climate_2009_2016.csv.zip")
with ZipFile(zip_path) as zip_file:
    zip_file.extractall()
csv_path = "jena_climate_2009_2016.csv"
df = pd.read_csv(csv_path)

titles = ["Pressure", "Temperature", "Saturation vapor pressure", "Vapor pressure deficit", "Specific humidity"]
feature_keys = ["p (mbar)", "T (degC)", "VPmax (mbar)", "VPdef (mbar)", "sh (g/kg)"]
date_time_key = "Date Time"

split_fraction = 0.715
train_split = int(split_fraction * int(df.shape[0]))
step = 6
past = 720
future = 72
learning_rate = 0.001
batch_size = 256
epochs = 10


def normalize(data, train_split):
    data_mean = data[:train_split].mean(axis=0)
    data_std = data[:train_split].std(axis=0)
    return (data - data_mean) / data_std


def show_raw_visualization(data):
    time_data = data[date_time_key]
    fig, axes = plt.subplots(nrows=3, ncols=2, figsize=(15, 20), dpi=80, facecolor="w", edgecolor="k")
    for i in range(len(feature_keys)):
        key = feature_keys[i]
        t_data = data[key]
        t_data.index = time_data
        ax = t_data.plot(ax=axes[i // 2, i % 2], title=f"{titles[i]} - {key}", rot=25)
        ax.legend([titles[i]])
    plt.tight_layout()


show_raw_visualization(df)

features = df[feature_keys]
features.index = df[date_time_key]
features = normalize(features.values, train_split)
features = pd.DataFrame(features)
train_data = features.loc[0: train_split - 1]
val_data = features.loc[train_split:]

start = past + future
end = start + train_split
x_train = train_data[[i for i in range(5)]].values
y_train = features.iloc[start:end][[1]]
sequence_length = int(past / step)

dataset_train = keras.preprocessing.timeseries_dataset_from_array(
    x_train, y_train, sequence_length=sequence_length, sampling_rate=step, batch_size=batch_size,
)
x_end = len(val_data) - past - future
label_start = train_split + past + future
x_val = val_data.iloc[:x_end][[i for i in range(5)]].values
y_val = features.iloc[label_start:][[1]]
dataset_val = keras.preprocessing.timeseries_dataset_from_array(
    x_val, y_val, sequence_length=sequence_length, sampling_rate=step, batch_size=batch_size,
)

for batch in dataset_train.take(1):
    inputs, targets = batch

# Training
inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
lstm_out = keras.layers.LSTM(32)(inputs)
outputs = keras.layers.Dense(1)(lstm_out)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
model.summary()

path_checkpoint = "model_checkpoint.weights.h5"
es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=5)
modelckpt_callback = keras.callbacks.ModelCheckpoint(
    monitor="val_loss", filepath=path_checkpoint, verbose=1, save_weights_only=True, save_best_only=True,
)
history = model.fit(dataset_train, epochs=epochs, validation_data=dataset_val, callbacks=[es_callback, modelckpt_callback])
model.save("weather_lstm.keras")

# A deeper variant written with Sequential, for comparison.
stacked = keras.Sequential([
    keras.layers.LSTM(64, return_sequences=True),  # expect: KSM301:information
    keras.layers.LSTM(32),
    keras.layers.Dense(1),
])
stacked.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
stacked.fit(dataset_train, epochs=epochs, validation_data=dataset_val)
stacked.save("weather_stacked_lstm.keras")


def visualize_loss(history, title):
    loss = history.history["loss"]
    val_loss = history.history["val_loss"]
    epochs = range(len(loss))
    plt.figure()
    plt.plot(epochs, loss, "b", label="Training loss")
    plt.plot(epochs, val_loss, "r", label="Validation loss")
    plt.title(title)
    plt.legend()
    plt.show()


visualize_loss(history, "Training and Validation Loss")
for x, y in dataset_val.take(5):
    prediction = model.predict(x)[0]
    print(float(y[0].numpy()), float(prediction))

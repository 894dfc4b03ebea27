# Chapter 6.3: advanced use of recurrent networks, temperature forecasting on the Jena dataset.
import os

import numpy as np
from keras import layers
from keras.models import Sequential
from keras.optimizers import RMSprop

data_dir = "/data/jena_climate"
fname = os.path.join(data_dir, "jena_climate_2009_2016.csv")

with open(fname) as f:
    data = f.read()
lines = data.split("\n")
header = lines[0].split(",")
lines = lines[1:]

float_data = np.zeros((len(lines), len(header) - 1))
for i, line in enumerate(lines):
    values = [float(x) for x in line.split(",")[1:]]
    float_data[i, :] = values

# Normalise with the statistics of the training part only.
mean = float_data[:200000].mean(axis=0)
float_data -= mean
std = float_data[:200000].std(axis=0)
float_data /= std


def generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6):
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while 1:
        if shuffle:
            rows = np.random.randint(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = np.zeros((len(rows), lookback // step, data.shape[-1]))
        targets = np.zeros((len(rows),))
        for j, row in enumerate(rows):
            indices = range(rows[j] - lookback, rows[j], step)
            samples[j] = data[indices]
            targets[j] = data[rows[j] + delay][1]
        yield samples, targets


lookback = 1440
step = 6
delay = 144
batch_size = 128

train_gen = generator(float_data, lookback=lookback, delay=delay, min_index=0, max_index=200000,
                      shuffle=True, step=step, batch_size=batch_size)
val_gen = generator(float_data, lookback=lookback, delay=delay, min_index=200001, max_index=300000,
                    step=step, batch_size=batch_size)
test_gen = generator(float_data, lookback=lookback, delay=delay, min_index=300001, max_index=None,
                     step=step, batch_size=batch_size)
val_steps = (300000 - 200001 - lookback) // batch_size
test_steps = (len(float_data) - 300001 - lookback) // batch_size


def evaluate_naive_method():
    batch_maes = []
    for step_index in range(val_steps):
        samples, targets = next(val_gen)
        preds = samples[:, -1, 1]
        mae = np.mean(np.abs(preds - targets))
        batch_maes.append(mae)
    print(np.mean(batch_maes))


evaluate_naive_method()

# A densely connected baseline
model = Sequential()
model.add(layers.Flatten(input_shape=(lookback // step, float_data.shape[-1])))
model.add(layers.Dense(32, activation="relu"))
model.add(layers.Dense(1))
model.compile(optimizer=RMSprop(), loss="mae")
history = model.fit_generator(train_gen, steps_per_epoch=500, epochs=20,  # expect: KSM402:warning, KSM401:information
                              validation_data=val_gen, validation_steps=val_steps)

# A first recurrent baseline
model = Sequential()
model.add(layers.GRU(32, input_shape=(None, float_data.shape[-1])))
model.add(layers.Dense(1))
model.compile(optimizer=RMSprop(), loss="mae")
history = model.fit_generator(train_gen, steps_per_epoch=500, epochs=20,  # expect: KSM402:warning, KSM401:information
                              validation_data=val_gen, validation_steps=val_steps)

# Stacking recurrent layers, with dropout
model = Sequential()
model.add(layers.GRU(32, dropout=0.1, recurrent_dropout=0.5, return_sequences=True))  # expect: KSM301:information
model.add(layers.GRU(64, activation="relu", dropout=0.1, recurrent_dropout=0.5))
model.add(layers.Dense(1))
model.compile(optimizer=RMSprop(), loss="mae")
history = model.fit_generator(train_gen, steps_per_epoch=500, epochs=40,  # expect: KSM402:warning, KSM401:information
                              validation_data=val_gen, validation_steps=val_steps)
model.save("jena_stacked_gru.h5")

# Combining a 1D convnet and an RNN for long sequences
model = Sequential()
model.add(layers.Conv1D(32, 5, activation="relu", input_shape=(None, float_data.shape[-1])))
model.add(layers.MaxPooling1D(3))
model.add(layers.Conv1D(32, 5, activation="relu"))
model.add(layers.GRU(32, dropout=0.1, recurrent_dropout=0.5))
model.add(layers.Dense(1))
model.compile(optimizer=RMSprop(), loss="mae")
history = model.fit_generator(train_gen, steps_per_epoch=500, epochs=20,  # expect: KSM402:warning, KSM401:information
                              validation_data=val_gen, validation_steps=val_steps)
test_mae = model.evaluate_generator(test_gen, steps=test_steps)  # expect: KSM402:warning, KSM401:information
print(test_mae)

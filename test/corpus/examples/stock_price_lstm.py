# Stock price prediction with an LSTM (the common blog-post recipe), plus a walk-forward check.
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import mean_squared_error
from sklearn.preprocessing import MinMaxScaler
from tensorflow.keras.callbacks import EarlyStopping
from tensorflow.keras.layers import LSTM, Dense, Dropout
from tensorflow.keras.models import Sequential, load_model

df = pd.read_csv("AAPL.csv", parse_dates=["Date"], index_col="Date")
data = df.filter(["Close"])
dataset = data.values
training_data_len = math.ceil(len(dataset) * 0.8)

scaler = MinMaxScaler(feature_range=(0, 1))
scaled_data = scaler.fit_transform(dataset)

train_data = scaled_data[0:training_data_len, :]
x_train = []
y_train = []
for i in range(60, len(train_data)):
    x_train.append(train_data[i - 60:i, 0])
    y_train.append(train_data[i, 0])
x_train, y_train = np.array(x_train), np.array(y_train)
x_train = np.reshape(x_train, (x_train.shape[0], x_train.shape[1], 1))

model = Sequential()
model.add(LSTM(50, return_sequences=True, input_shape=(x_train.shape[1], 1)))
model.add(Dropout(0.2))
model.add(LSTM(50, return_sequences=False))
model.add(Dense(25))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mean_squared_error")
model.fit(x_train, y_train, batch_size=1, epochs=1)

test_data = scaled_data[training_data_len - 60:, :]
x_test = []
y_test = dataset[training_data_len:, :]
for i in range(60, len(test_data)):
    x_test.append(test_data[i - 60:i, 0])
x_test = np.array(x_test)
x_test = np.reshape(x_test, (x_test.shape[0], x_test.shape[1], 1))
predictions = model.predict(x_test)
predictions = scaler.inverse_transform(predictions)
rmse = np.sqrt(np.mean(((predictions - y_test) ** 2)))
print("RMSE:", rmse)
model.save("stock_lstm_model")  # expect: KSM502:warning

train = data[:training_data_len]
valid = data[training_data_len:].copy()
valid["Predictions"] = predictions
plt.figure(figsize=(16, 8))
plt.plot(train["Close"])
plt.plot(valid[["Close", "Predictions"]])
plt.legend(["Train", "Val", "Predictions"], loc="lower right")
plt.show()


# Walk-forward validation with a fresh model per fold
def build(n_steps, units=64):
    net = Sequential()
    net.add(LSTM(units, input_shape=(n_steps, 1)))
    net.add(Dense(1))
    net.compile(optimizer="adam", loss="mse")
    return net


def windows(series, n_steps):
    xs = np.stack([series[i - n_steps:i] for i in range(n_steps, len(series))])
    return xs[..., None], series[n_steps:]


errors = []
series = scaled_data[:, 0]
fold_size = len(series) // 6
for fold in range(1, 5):
    train_part = series[: fold * fold_size]
    test_part = series[fold * fold_size - 30: (fold + 1) * fold_size]
    fx, fy = windows(train_part, 30)
    tx, ty = windows(test_part, 30)
    net = build(30)
    net.fit(fx, fy, epochs=20, batch_size=32, verbose=0, callbacks=[EarlyStopping(patience=3)])
    errors.append(mean_squared_error(ty, net.predict(tx, verbose=0)[:, 0]))
    net.save(f"walk_forward/fold_{fold}.h5")
print("walk-forward mse:", np.mean(errors), np.std(errors))

best = load_model("walk_forward/fold_4.h5")
future = best.predict(x_test[-1:])
print("next close:", scaler.inverse_transform(future)[0, 0])

# Univariate LSTM models for time series forecasting: vanilla, stacked, bidirectional, CNN-LSTM.
import numpy as np
from numpy import array
from tensorflow.keras.layers import LSTM, Bidirectional, Conv1D, Dense, Flatten, MaxPooling1D, TimeDistributed
from tensorflow.keras.models import Sequential


def split_sequence(sequence, n_steps):
    X, y = list(), list()
    for i in range(len(sequence)):
        end_ix = i + n_steps
        if end_ix > len(sequence) - 1:
            break
        seq_x, seq_y = sequence[i:end_ix], sequence[end_ix]
        X.append(seq_x)
        y.append(seq_y)
    return array(X), array(y)


raw_seq = [10, 20, 30, 40, 50, 60, 70, 80, 90]
n_steps = 3
n_features = 1
X, y = split_sequence(raw_seq, n_steps)
X = X.reshape((X.shape[0], X.shape[1], n_features))

# Vanilla LSTM
model = Sequential()
model.add(LSTM(50, activation="relu", input_shape=(n_steps, n_features)))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=200, verbose=0)
x_input = array([70, 80, 90]).reshape((1, n_steps, n_features))
yhat = model.predict(x_input, verbose=0)
print(yhat)
model.save("vanilla_lstm.h5")

# Stacked LSTM: the input shape was lost when the first layer was copied from a notebook cell.
model = Sequential()
model.add(LSTM(50, activation="relu", return_sequences=True))  # expect: KSM301:error
model.add(LSTM(50, activation="relu"))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")
model.save("stacked_lstm_untrained.h5")
model.fit(X, y, epochs=200, verbose=0)
print(model.predict(x_input, verbose=0))

# Bidirectional LSTM
model = Sequential()
model.add(Bidirectional(LSTM(50, activation="relu")))  # expect: KSM301:information
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=200, verbose=0)
model.save("bidirectional_lstm.h5")

# CNN-LSTM: each sample is split into subsequences read by a 1D convnet.
n_features = 1
n_seq = 2
n_steps = 2
X, y = split_sequence([10, 20, 30, 40, 50, 60, 70, 80, 90], 4)
X = X.reshape((X.shape[0], n_seq, n_steps, n_features))
model = Sequential()
model.add(TimeDistributed(Conv1D(filters=64, kernel_size=1, activation="relu"), input_shape=(None, n_steps, n_features)))
model.add(TimeDistributed(MaxPooling1D(pool_size=2)))
model.add(TimeDistributed(Flatten()))
model.add(LSTM(50, activation="relu"))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=500, verbose=0)
model.save("cnn_lstm.h5")

# Multi-step forecasting with a vector output
raw_seq = [10, 20, 30, 40, 50, 60, 70, 80, 90]
n_steps_in, n_steps_out = 3, 2


def split_sequence_multistep(sequence, n_steps_in, n_steps_out):
    X, y = list(), list()
    for i in range(len(sequence)):
        end_ix = i + n_steps_in
        out_end_ix = end_ix + n_steps_out
        if out_end_ix > len(sequence):
            break
        X.append(sequence[i:end_ix])
        y.append(sequence[end_ix:out_end_ix])
    return array(X), array(y)


X, y = split_sequence_multistep(raw_seq, n_steps_in, n_steps_out)
X = X.reshape((X.shape[0], X.shape[1], n_features))
train_x = np.random.rand(200, 3, 1)
train_y = np.random.rand(200, 2)
model = Sequential()
model.add(LSTM(100, activation="relu", return_sequences=True))  # expect: KSM301:information
model.add(LSTM(100, activation="relu"))
model.add(Dense(n_steps_out))
model.compile(optimizer="adam", loss="mse")
model.fit(train_x, train_y, epochs=50, verbose=0)
model.save("multistep_lstm")  # expect: KSM502:warning

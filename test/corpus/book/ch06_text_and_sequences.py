# Chapter 6: deep learning for text and sequences.
import os

import numpy as np
from keras.datasets import imdb
from keras.layers import LSTM, Dense, Embedding, Flatten, SimpleRNN
from keras.models import Sequential
from keras.preprocessing import sequence
from keras.preprocessing.text import Tokenizer

# 6.1.1 One-hot encoding of words, by hand
samples = ["The cat sat on the mat.", "The dog ate my homework."]
token_index = {}
for sample in samples:
    for word in sample.split():
        if word not in token_index:
            token_index[word] = len(token_index) + 1
max_length = 10
results = np.zeros(shape=(len(samples), max_length, max(token_index.values()) + 1))
for i, sample in enumerate(samples):
    for j, word in list(enumerate(sample.split()))[:max_length]:
        results[i, j, token_index.get(word)] = 1.0

tokenizer = Tokenizer(num_words=1000)
tokenizer.fit_on_texts(samples)
one_hot_results = tokenizer.texts_to_matrix(samples, mode="binary")
print("Found %s unique tokens." % len(tokenizer.word_index))

# 6.1.2 Word embeddings learned with the model
max_features = 10000
maxlen = 20
(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=max_features)
x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
x_test = sequence.pad_sequences(x_test, maxlen=maxlen)

model = Sequential()
model.add(Embedding(10000, 8, input_length=maxlen))  # expect: KSM301:hint
model.add(Flatten())
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
history = model.fit(x_train, y_train, epochs=10, batch_size=32, validation_split=0.2)

# 6.1.3 Pretrained GloVe embeddings
glove_dir = "/data/glove.6B"
embeddings_index = {}
with open(os.path.join(glove_dir, "glove.6B.100d.txt")) as f:
    for line in f:
        values = line.split()
        word = values[0]
        coefs = np.asarray(values[1:], dtype="float32")
        embeddings_index[word] = coefs

embedding_dim = 100
embedding_matrix = np.zeros((max_features, embedding_dim))
for word, i in tokenizer.word_index.items():
    if i < max_features:
        embedding_vector = embeddings_index.get(word)
        if embedding_vector is not None:
            embedding_matrix[i] = embedding_vector

model = Sequential()
model.add(Embedding(max_features, embedding_dim, input_length=maxlen))  # expect: KSM301:hint
model.add(Flatten())
model.add(Dense(32, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.layers[0].set_weights([embedding_matrix])
model.layers[0].trainable = False
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
model.fit(x_train, y_train, epochs=10, batch_size=32, validation_data=(x_test, y_test))
model.save_weights("pre_trained_glove_model.h5")  # expect: KSM504:warning


# 6.2.1 A recurrent layer in numpy
def simple_rnn_forward(inputs, state_size=64):
    timesteps, input_features = inputs.shape
    state_t = np.zeros((state_size,))
    W = np.random.random((state_size, input_features))
    U = np.random.random((state_size, state_size))
    b = np.random.random((state_size,))
    successive_outputs = []
    for input_t in inputs:
        output_t = np.tanh(np.dot(W, input_t) + np.dot(U, state_t) + b)
        successive_outputs.append(output_t)
        state_t = output_t
    return np.stack(successive_outputs, axis=0)


print(simple_rnn_forward(np.random.random((100, 32))).shape)

# 6.2.2 SimpleRNN and LSTM on IMDB
maxlen = 500
batch_size = 32
(input_train, y_train), (input_test, y_test) = imdb.load_data(num_words=max_features)
input_train = sequence.pad_sequences(input_train, maxlen=maxlen)
input_test = sequence.pad_sequences(input_test, maxlen=maxlen)

stacked = Sequential()
stacked.add(Embedding(10000, 32))  # expect: KSM301:hint
stacked.add(SimpleRNN(32, return_sequences=True))
stacked.add(SimpleRNN(32))
stacked.summary()

model = Sequential()
model.add(Embedding(max_features, 32))  # expect: KSM301:hint
model.add(SimpleRNN(32))
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
history = model.fit(input_train, y_train, epochs=10, batch_size=128, validation_split=0.2)

model = Sequential()
model.add(Embedding(max_features, 32))  # expect: KSM301:information
model.add(LSTM(32))
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
history = model.fit(input_train, y_train, epochs=10, batch_size=128, validation_split=0.2)
model.save("imdb_lstm.h5")

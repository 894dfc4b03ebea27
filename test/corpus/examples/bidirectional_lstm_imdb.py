"""Bidirectional LSTM on IMDB sentiment classification, functional and Sequential versions."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

max_features = 20000
maxlen = 200

(x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=max_features)
print(len(x_train), "Training sequences")
print(len(x_val), "Validation sequences")
x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.preprocessing.sequence.pad_sequences(x_val, maxlen=maxlen)

# Functional version, as in the Keras examples
inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(max_features, 128)(inputs)
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(64))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val))
model.save("bilstm_imdb.keras")

# Sequential version from an older tutorial
seq = keras.models.Sequential()
seq.add(layers.Embedding(max_features, 128, input_length=maxlen))  # expect: KSM301:information
seq.add(layers.Bidirectional(layers.LSTM(64)))
seq.add(layers.Dropout(0.5))
seq.add(layers.Dense(1, activation="sigmoid"))
seq.compile("adam", "binary_crossentropy", metrics=["accuracy"])
seq.fit(x_train, y_train, batch_size=32, epochs=4, validation_data=[x_val, y_val])
seq.save("bilstm_sequential.h5")

# Pre-trained word vectors, frozen
embedding_matrix = np.random.normal(size=(max_features, 100)).astype("float32")
frozen = keras.Sequential(
    [
        keras.layers.InputLayer(input_shape=(maxlen,)),
        layers.Embedding(max_features, 100, embeddings_initializer=keras.initializers.Constant(embedding_matrix), trainable=False),
        layers.Bidirectional(layers.GRU(32)),
        layers.Dense(1, activation="sigmoid"),
    ]
)
frozen.compile("adam", "binary_crossentropy", metrics=["accuracy"])
frozen.fit(x_train, y_train, batch_size=64, epochs=2, validation_data=(x_val, y_val))
frozen.save("bigru_frozen_vectors.h5")

# Character-level stacked model, saved right after it is built for a quick size check
char_model = keras.Sequential()
char_model.add(layers.Bidirectional(layers.LSTM(32, return_sequences=True), input_shape=(maxlen, 64)))
char_model.add(layers.Bidirectional(layers.LSTM(32)))
char_model.add(layers.Dense(1, activation="sigmoid"))
char_model.compile("adam", "binary_crossentropy")
char_model.save("char_bilstm_init.h5")

"""Model definitions for the activity-recognition experiments (imported by the run scripts)."""
from tensorflow import keras
from tensorflow.keras import layers, regularizers

N_TIMESTEPS = 128
N_FEATURES = 9
N_CLASSES = 6


def lstm_baseline(units=100, dropout=0.5):
    model = keras.Sequential()
    model.add(layers.LSTM(units, input_shape=(N_TIMESTEPS, N_FEATURES)))
    model.add(layers.Dropout(dropout))
    model.add(layers.Dense(100, activation="relu"))
    model.add(layers.Dense(N_CLASSES, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def cnn_lstm(n_steps=4, n_length=32):
    model = keras.Sequential()
    model.add(layers.TimeDistributed(layers.Conv1D(64, 3, activation="relu"), input_shape=(None, n_length, N_FEATURES)))
    model.add(layers.TimeDistributed(layers.Conv1D(64, 3, activation="relu")))
    model.add(layers.TimeDistributed(layers.Dropout(0.5)))
    model.add(layers.TimeDistributed(layers.MaxPooling1D(pool_size=2)))
    model.add(layers.TimeDistributed(layers.Flatten()))
    model.add(layers.LSTM(100))
    model.add(layers.Dense(N_CLASSES, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def conv_lstm(n_steps=4, n_length=32):
    model = keras.Sequential([
        layers.ConvLSTM2D(64, (1, 3), activation="relu"),  # expect: KSM301:hint
        layers.Dropout(0.5),
        layers.Flatten(),
        layers.Dense(100, activation="relu"),
        layers.Dense(N_CLASSES, activation="softmax"),
    ])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def gru_stack(units=(64, 32), l2=1e-4):
    model = keras.Sequential(name="gru_stack")
    for i, u in enumerate(units):
        model.add(layers.GRU(u, return_sequences=i < len(units) - 1, kernel_regularizer=regularizers.l2(l2)))  # expect: KSM301:hint
    model.add(layers.Dense(N_CLASSES, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"])
    return model


def bidirectional(units=64):
    layer = layers.Bidirectional(layers.LSTM(units))
    model = keras.Sequential([layer, layers.Dense(N_CLASSES, activation="softmax")])  # expect: KSM301:hint
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def mlp(hidden=(256, 128)):
    model = keras.Sequential([layers.Input(shape=(N_TIMESTEPS, N_FEATURES)), layers.Flatten()])
    for units in hidden:
        model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(N_CLASSES, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def resnet_1d(filters=64):
    inputs = keras.Input(shape=(N_TIMESTEPS, N_FEATURES))
    x = inputs
    for _ in range(3):
        shortcut = layers.Conv1D(filters, 1, padding="same")(x)
        x = layers.Conv1D(filters, 8, padding="same", activation="relu")(x)
        x = layers.Conv1D(filters, 5, padding="same", activation="relu")(x)
        x = layers.Conv1D(filters, 3, padding="same")(x)
        x = layers.Activation("relu")(layers.add([x, shortcut]))
    outputs = layers.Dense(N_CLASSES, activation="softmax")(layers.GlobalAveragePooling1D()(x))
    model = keras.Model(inputs, outputs)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


MODELS = {
    "lstm": lstm_baseline,
    "cnn_lstm": cnn_lstm,
    "conv_lstm": conv_lstm,
    "gru": gru_stack,
    "bilstm": bidirectional,
    "mlp": mlp,
    "resnet": resnet_1d,
}


def get_model(name, **kwargs):
    try:
        factory = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose from {sorted(MODELS)}") from None
    return factory(**kwargs)

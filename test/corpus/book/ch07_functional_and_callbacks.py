# Chapter 7: advanced deep-learning best practices: the functional API, callbacks, TensorBoard.
import keras
import numpy as np
from keras import Input, layers
from keras.models import Model, Sequential

# 7.1.1 Sequential and its functional equivalent
seq_model = Sequential()
seq_model.add(layers.Dense(32, activation="relu", input_shape=(64,)))
seq_model.add(layers.Dense(32, activation="relu"))
seq_model.add(layers.Dense(10, activation="softmax"))

input_tensor = Input(shape=(64,))
x = layers.Dense(32, activation="relu")(input_tensor)
x = layers.Dense(32, activation="relu")(x)
output_tensor = layers.Dense(10, activation="softmax")(x)
model = Model(input_tensor, output_tensor)
model.summary()
model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
x_train = np.random.random((1000, 64))
y_train = np.random.random((1000, 10))
model.fit(x_train, y_train, epochs=10, batch_size=128)
score = model.evaluate(x_train, y_train)

# 7.1.2 A question-answering model with two inputs
text_vocabulary_size = 10000
question_vocabulary_size = 10000
answer_vocabulary_size = 500

text_input = Input(shape=(None,), dtype="int32", name="text")
embedded_text = layers.Embedding(text_vocabulary_size, 64)(text_input)
encoded_text = layers.LSTM(32)(embedded_text)
question_input = Input(shape=(None,), dtype="int32", name="question")
embedded_question = layers.Embedding(question_vocabulary_size, 32)(question_input)
encoded_question = layers.LSTM(16)(embedded_question)
concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
answer = layers.Dense(answer_vocabulary_size, activation="softmax")(concatenated)
qa_model = Model([text_input, question_input], answer)
qa_model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])

num_samples = 1000
max_length = 100
text = np.random.randint(1, text_vocabulary_size, size=(num_samples, max_length))
question = np.random.randint(1, question_vocabulary_size, size=(num_samples, max_length))
answers = np.random.randint(0, answer_vocabulary_size, size=(num_samples,))
answers = keras.utils.to_categorical(answers, answer_vocabulary_size)
qa_model.fit({"text": text, "question": question}, answers, epochs=10, batch_size=128)
qa_model.save("question_answering.h5")

# 7.1.4 Layer weight sharing: a siamese LSTM
lstm = layers.LSTM(32)
left_input = Input(shape=(None, 128))
left_output = lstm(left_input)
right_input = Input(shape=(None, 128))
right_output = lstm(right_input)
merged = layers.concatenate([left_output, right_output], axis=-1)
predictions = layers.Dense(1, activation="sigmoid")(merged)
siamese = Model([left_input, right_input], predictions)
siamese.compile(optimizer="rmsprop", loss="binary_crossentropy")


# 7.2.1 Callbacks
class ActivationLogger(keras.callbacks.Callback):
    def __init__(self, validation_data, log_dir="activations"):
        super().__init__()
        self.validation_data = validation_data
        self.log_dir = log_dir

    def set_model(self, model):
        self.model = model
        layer_outputs = [layer.output for layer in model.layers]
        self.activations_model = Model(model.input, layer_outputs)

    def on_epoch_end(self, epoch, logs=None):
        validation_sample = self.validation_data[0][0:1]
        activations = self.activations_model.predict(validation_sample)
        with open("%s/activations_at_%d.npz" % (self.log_dir, epoch), "wb") as f:
            np.savez(f, *activations)


callbacks_list = [
    keras.callbacks.EarlyStopping(monitor="acc", patience=1),
    keras.callbacks.ModelCheckpoint(filepath="my_model.h5", monitor="val_loss", save_best_only=True),  # expect: KSM504:warning
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=10),
    keras.callbacks.TensorBoard(log_dir="my_log_dir", histogram_freq=1),
    ActivationLogger((x_train, y_train)),
]
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])
model.fit(x_train, y_train, epochs=10, batch_size=32, callbacks=callbacks_list, validation_split=0.2)

# 7.3.1 Batch normalization and depthwise separable convolutions
height = 64
width = 64
channels = 3
num_classes = 10
sep_model = Sequential()
sep_model.add(layers.SeparableConv2D(32, 3, activation="relu", input_shape=(height, width, channels)))
sep_model.add(layers.SeparableConv2D(64, 3, activation="relu"))
sep_model.add(layers.MaxPooling2D(2))
sep_model.add(layers.SeparableConv2D(64, 3, activation="relu"))
sep_model.add(layers.BatchNormalization())
sep_model.add(layers.GlobalAveragePooling2D())
sep_model.add(layers.Dense(32, activation="relu"))
sep_model.add(layers.Dense(num_classes, activation="softmax"))
sep_model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
sep_model.save("separable_convnet.h5")

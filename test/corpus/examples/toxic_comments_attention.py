# Toxic comment classification: GloVe + BiGRU + attention (a popular competition kernel, Keras 2.x).
import numpy as np
import pandas as pd
from keras import backend as K
from keras import constraints, initializers, regularizers
from keras.engine.topology import Layer  # expect: KSM605:warning
from keras.layers import GRU, Bidirectional, Dense, Dropout, Embedding, Input, SpatialDropout1D, concatenate
from keras.layers import GlobalMaxPooling1D
from keras.models import Model, load_model
from keras.preprocessing.sequence import pad_sequences
from keras.preprocessing.text import Tokenizer
from sklearn.metrics import roc_auc_score

EMBEDDING_FILE = "../input/glove840b300dtxt/glove.840B.300d.txt"
max_features = 100000
maxlen = 150
embed_size = 300
list_classes = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]


class Attention(Layer):  # expect: KSM201:warning
    def __init__(self, step_dim, W_regularizer=None, b_regularizer=None, W_constraint=None, b_constraint=None,
                 bias=True, **kwargs):
        self.supports_masking = True
        self.init = initializers.get("glorot_uniform")
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bias
        self.step_dim = step_dim
        self.features_dim = 0
        super(Attention, self).__init__(**kwargs)

    def build(self, input_shape):
        assert len(input_shape) == 3
        self.W = self.add_weight(shape=(input_shape[-1],), initializer=self.init, name="{}_W".format(self.name),
                                 regularizer=self.W_regularizer, constraint=self.W_constraint)
        self.features_dim = input_shape[-1]
        if self.bias:
            self.b = self.add_weight(shape=(input_shape[1],), initializer="zero", name="{}_b".format(self.name),
                                     regularizer=self.b_regularizer, constraint=self.b_constraint)
        else:
            self.b = None
        self.built = True

    def compute_mask(self, input, input_mask=None):
        return None

    def call(self, x, mask=None):
        features_dim = self.features_dim
        step_dim = self.step_dim
        eij = K.reshape(K.dot(K.reshape(x, (-1, features_dim)), K.reshape(self.W, (features_dim, 1))), (-1, step_dim))
        if self.bias:
            eij += self.b
        eij = K.tanh(eij)
        a = K.exp(eij)
        if mask is not None:
            a *= K.cast(mask, K.floatx())
        a /= K.cast(K.sum(a, axis=1, keepdims=True) + K.epsilon(), K.floatx())
        a = K.expand_dims(a)
        weighted_input = x * a
        return K.sum(weighted_input, axis=1)

    def compute_output_shape(self, input_shape):
        return input_shape[0], self.features_dim


train = pd.read_csv("../input/jigsaw-toxic-comment-classification-challenge/train.csv")
test = pd.read_csv("../input/jigsaw-toxic-comment-classification-challenge/test.csv")
X_train = train["comment_text"].fillna("fillna").values
y_train = train[list_classes].values
X_test = test["comment_text"].fillna("fillna").values

tokenizer = Tokenizer(num_words=max_features)
tokenizer.fit_on_texts(list(X_train) + list(X_test))
x_train = pad_sequences(tokenizer.texts_to_sequences(X_train), maxlen=maxlen)
x_test = pad_sequences(tokenizer.texts_to_sequences(X_test), maxlen=maxlen)


def get_coefs(word, *arr):
    return word, np.asarray(arr, dtype="float32")


embeddings_index = dict(get_coefs(*o.rstrip().rsplit(" ")) for o in open(EMBEDDING_FILE))
word_index = tokenizer.word_index
nb_words = min(max_features, len(word_index))
embedding_matrix = np.zeros((nb_words, embed_size))
for word, i in word_index.items():
    if i >= max_features:
        continue
    embedding_vector = embeddings_index.get(word)
    if embedding_vector is not None:
        embedding_matrix[i] = embedding_vector


def get_model():
    inp = Input(shape=(maxlen,))
    x = Embedding(max_features, embed_size, weights=[embedding_matrix], trainable=False)(inp)
    x = SpatialDropout1D(0.2)(x)
    x = Bidirectional(GRU(80, return_sequences=True))(x)
    att = Attention(maxlen)(x)
    max_pool = GlobalMaxPooling1D()(x)
    conc = concatenate([att, max_pool])
    conc = Dropout(0.1)(conc)
    outp = Dense(6, activation="sigmoid")(conc)
    model = Model(inputs=inp, outputs=outp)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


model = get_model()
batch_size = 32
epochs = 2
X_tra, X_val = x_train[:140000], x_train[140000:]
y_tra, y_val = y_train[:140000], y_train[140000:]
hist = model.fit(X_tra, y_tra, batch_size=batch_size, epochs=epochs, validation_data=(X_val, y_val), verbose=2)
print("ROC-AUC:", roc_auc_score(y_val, model.predict(X_val, batch_size=1024)))
model.save("bigru_attention.h5")
model = load_model("bigru_attention.h5", custom_objects={"Attention": Attention})
y_pred = model.predict(x_test, batch_size=1024)
submission = pd.read_csv("../input/jigsaw-toxic-comment-classification-challenge/sample_submission.csv")
submission[list_classes] = y_pred
submission.to_csv("submission.csv", index=False)

'''Character-level language model on a text corpus, with standalone Keras 2.2 and the
`keras.layers.recurrent` imports of that time.
'''
from __future__ import print_function

import io
import random
import sys

import numpy as np
from keras.callbacks import LambdaCallback, ModelCheckpoint
from keras.layers.core import Activation, Dense, Dropout
from keras.layers.recurrent import LSTM
from keras.models import Sequential, load_model
from keras.optimizers import RMSprop
from keras.utils import Sequence

path = sys.argv[1] if len(sys.argv) > 1 else 'corpus.txt'
with io.open(path, encoding='utf-8') as f:
    text = f.read().lower()
print('corpus length:', len(text))

chars = sorted(list(set(text)))
char_indices = dict((c, i) for i, c in enumerate(chars))
indices_char = dict((i, c) for i, c in enumerate(chars))
maxlen = 40
step = 3


class CharWindows(Sequence):
    def __init__(self, text, batch_size=128):
        self.starts = list(range(0, len(text) - maxlen, step))
        self.text = text
        self.batch_size = batch_size

    def __len__(self):
        return len(self.starts) // self.batch_size

    def __getitem__(self, idx):
        starts = self.starts[idx * self.batch_size:(idx + 1) * self.batch_size]
        x = np.zeros((len(starts), maxlen, len(chars)), dtype=np.bool_)
        y = np.zeros((len(starts), len(chars)), dtype=np.bool_)
        for i, start in enumerate(starts):
            for t, char in enumerate(self.text[start:start + maxlen]):
                x[i, t, char_indices[char]] = 1
            y[i, char_indices[self.text[start + maxlen]]] = 1
        return x, y


print('Build model...')
model = Sequential()
model.add(LSTM(128, input_shape=(maxlen, len(chars))))
model.add(Dropout(0.2))
model.add(Dense(len(chars)))
model.add(Activation('softmax'))
optimizer = RMSprop(lr=0.01)
model.compile(loss='categorical_crossentropy', optimizer=optimizer)


def sample(preds, temperature=1.0):
    preds = np.asarray(preds).astype('float64')
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)


def on_epoch_end(epoch, _):
    print('----- Generating text after Epoch: %d' % epoch)
    start_index = random.randint(0, len(text) - maxlen - 1)
    for diversity in [0.2, 0.5, 1.0, 1.2]:
        generated = ''
        sentence = text[start_index: start_index + maxlen]
        generated += sentence
        for i in range(400):
            x_pred = np.zeros((1, maxlen, len(chars)))
            for t, char in enumerate(sentence):
                x_pred[0, t, char_indices[char]] = 1.
            preds = model.predict(x_pred, verbose=0)[0]
            next_index = sample(preds, diversity)
            next_char = indices_char[next_index]
            sentence = sentence[1:] + next_char
            sys.stdout.write(next_char)
            sys.stdout.flush()
        print()


print_callback = LambdaCallback(on_epoch_end=on_epoch_end)
checkpoint = ModelCheckpoint('char_rnn_{epoch:02d}.h5', monitor='loss', save_best_only=True)
windows = CharWindows(text)
model.fit_generator(windows, epochs=60, callbacks=[print_callback, checkpoint],  # expect: KSM402:warning, KSM401
                    workers=4, use_multiprocessing=True)
model.save('char_rnn_model')
model.save('char_rnn_model.h5')

# Resume later from the full model
model = load_model('char_rnn_model.h5')
model.fit_generator(windows, epochs=5)  # expect: KSM402:warning, KSM401
model.save('char_rnn_model_resumed', save_format='tf')

// Deterministic generator of realistic Keras scripts for benchmarks. A file is a header of imports
// followed by blocks, each either a real program of test/corpus/ or examples/ (its top-level
// functions and classes renamed with the block's index, its `# expect:` marks dropped) or a
// template: Sequential, functional and subclassed models with LSTM, Dense and Conv layers;
// compile, fit, save and export calls; custom layers with and without get_config; generators
// and Sequences feeding fit; numpy data preparation; helpers, classes, loops, comments and
// strings. Module-level names such as `model`, `x_train` and `history` are rebound block after
// block, as in a long notebook export, so a big file has many models in one scope.
//
//   generateCorpus({ seed, lines })  -> [{ name, text }], files of 50 to 20,000 lines, at least
//                                        `lines` lines in all (a few big files, many small ones)
//   generateFile({ seed, lines })    -> { name, text }, one file of exactly `lines` lines
//   countLines(text)
//
// The same seed always gives the same texts (given the same test/corpus/ and examples/).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const minFileLines = 50;
export const maxFileLines = 20000;

export function countLines(text) {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n;
}

/** mulberry32: small, fast, good enough for picking blocks. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

// ---------------------------------------------------------------------------------------------
// Material from the repository's own realistic programs

function pythonFilesUnder(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pythonFilesUnder(full));
    else if (entry.name.endsWith('.py')) out.push(full);
  }
  return out;
}

let material;
/** The programs of test/corpus/ and examples/, cleaned, with their top-level names. */
function loadMaterial() {
  if (material) return material;
  const files = [...pythonFilesUnder(path.join(root, 'test', 'corpus')), ...pythonFilesUnder(path.join(root, 'examples'))]
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .sort();
  material = [];
  for (const file of files) {
    let text = fs.readFileSync(path.join(root, file), 'utf8').replace(/\r\n/g, '\n');
    text = text
      .split('\n')
      .filter((line) => !/^from __future__ import/.test(line))
      .map((line) => line.replace(/\s*#\s*expect:\s*[\w:, ]+$/, ''))
      .join('\n')
      .trim();
    if (countLines(text) < 5) continue;
    const names = new Set();
    for (const m of text.matchAll(/^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)/gm)) names.add(m[1]);
    material.push({ file, text: text + '\n', names: [...names] });
  }
  return material;
}

/** Renames the block's top-level functions and classes (not attributes, not nested methods). */
function renameBlock(text, names, suffix) {
  if (names.length === 0) return text;
  const pattern = new RegExp(`(?<![\\w.])(${names.join('|')})(?!\\w)`, 'g');
  return text
    .split('\n')
    .map((line) => {
      const nested = /^\s+(?:async\s+)?def\s+(\w+)/.exec(line);
      return line.replace(pattern, (name, _g, offset) => {
        if (nested && nested[1] === name && offset === line.indexOf(name, line.indexOf('def'))) return name;
        return `${name}_${suffix}`;
      });
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Templates: (i, r) -> text ending with a newline

const savePaths = (i, r) =>
  r.pick([
    `model.save("artifacts/model_${i}.keras")`,
    `model.save("artifacts/model_${i}.h5")`,
    `model.save("artifacts/model_${i}")`,
    `model.save(os.path.join(OUTPUT_DIR, "model_${i}.keras"))`,
    `model.export("serving/model_${i}")`,
    `tf.saved_model.save(model, "serving/model_${i}")`,
    `model.save_weights("weights/model_${i}.weights.h5")`,
    `keras.models.save_model(model, "artifacts/model_${i}.keras")`,
  ]);

const optimizers = ['"adam"', '"rmsprop"', 'keras.optimizers.Adam(learning_rate=1e-3)', 'keras.optimizers.SGD(0.01, momentum=0.9)'];
const losses = ['"mse"', '"mae"', '"binary_crossentropy"', '"sparse_categorical_crossentropy"', 'keras.losses.Huber()'];

const templates = [
  // Sequential LSTM on windows
  (i, r) => {
    const steps = r.int(8, 90);
    const features = r.int(1, 16);
    const units = r.pick([16, 32, 50, 64, 128]);
    const input = r.chance(0.7) ? `    layers.Input(shape=(${steps}, ${features})),\n` : '';
    const compile = r.chance(0.9) ? `model.compile(optimizer=${r.pick(optimizers)}, loss=${r.pick(losses.slice(0, 3))}, metrics=["mae"])\n` : '';
    return `# Sequence model ${i}: ${steps} steps of ${features} features
x_train = np.random.rand(${r.int(200, 5000)}, ${steps}, ${features}).astype("float32")
y_train = np.random.rand(len(x_train), 1).astype("float32")
model = keras.Sequential([
${input}    layers.LSTM(${units}, return_sequences=True),
    layers.Dropout(${r.pick(['0.1', '0.2', '0.3'])}),
    layers.LSTM(${units / 2 | 0}),
    layers.Dense(${r.pick([1, 8, 16])}, activation=${r.pick(['"relu"', '"linear"', 'None'])}),
    layers.Dense(1),
])
${compile}history = model.fit(x_train, y_train, epochs=${r.int(1, 50)}, batch_size=${r.pick([16, 32, 64, 128])}, validation_split=0.2, verbose=0)
print(f"block ${i}: final loss {history.history['loss'][-1]:.4f}")
${savePaths(i, r)}
`;
  },
  // Sequential with add()
  (i, r) => `model = Sequential()
model.add(LSTM(${r.pick([32, 50, 100])}, return_sequences=True, input_shape=(x_train.shape[1], 1)))
model.add(Dropout(0.2))
model.add(LSTM(${r.pick([32, 50, 100])}, return_sequences=False))
model.add(Dense(${r.pick([10, 25, 32])}))
model.add(Dense(1))
${r.chance(0.85) ? `model.compile(optimizer="adam", loss="mean_squared_error")\n` : ''}model.fit(x_train, y_train, batch_size=${r.pick([1, 16, 32])}, epochs=${r.int(1, 10)})
predictions_${i} = model.predict(x_train[-${r.int(10, 100)}:])
${savePaths(i, r)}
`,
  // Functional convnet
  (i, r) => {
    const size = r.pick([28, 32, 64, 128, 224]);
    const channels = r.pick([1, 3]);
    const classes = r.pick([2, 10, 100]);
    return `inputs = keras.Input(shape=(${size}, ${size}, ${channels}))
x = layers.Rescaling(1.0 / 255)(inputs)
x = layers.Conv2D(${r.pick([16, 32])}, ${r.pick([3, 5])}, activation="relu", padding="same")(x)
x = layers.MaxPooling2D()(x)
x = layers.Conv2D(${r.pick([32, 64])}, 3, activation="relu")(x)
x = layers.BatchNormalization()(x)
x = layers.MaxPooling2D()(x)
x = layers.Flatten()(x)
x = layers.Dropout(0.5)(x)
outputs = layers.Dense(${classes}, activation="softmax")(x)
model = keras.Model(inputs, outputs, name="convnet_${i}")
model.compile(optimizer=${r.pick(optimizers)}, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
images_${i} = np.random.rand(${r.int(64, 512)}, ${size}, ${size}, ${channels})
labels_${i} = np.random.randint(0, ${classes}, size=len(images_${i}))
model.fit(images_${i}, labels_${i}, epochs=${r.int(1, 20)}, batch_size=32, callbacks=[keras.callbacks.EarlyStopping(patience=3)])
${savePaths(i, r)}
`;
  },
  // Subclassed model
  (i, r) => `class Forecaster_${i}(keras.Model):
    """LSTM encoder with a dense head (block ${i})."""

    def __init__(self, units=${r.pick([32, 64, 128])}, horizon=${r.int(1, 24)}, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.horizon = horizon
        self.encoder = layers.LSTM(units)
        self.dropout = layers.Dropout(0.1)
        self.head = layers.Dense(horizon)

    def call(self, inputs, training=False):
        x = self.encoder(inputs)
        x = self.dropout(x, training=training)
        return self.head(x)
${r.chance(0.5) ? `
    def get_config(self):
        return {"units": self.units, "horizon": self.horizon}
` : ''}

model = Forecaster_${i}()
model.compile(optimizer=${r.pick(optimizers)}, loss=${r.pick(losses.slice(0, 2))})
model.fit(x_train, y_train, epochs=${r.int(1, 30)}, verbose=0)
${r.chance(0.5) ? `model.build((None, ${r.int(8, 60)}, ${r.int(1, 8)}))\n` : ''}${savePaths(i, r)}
`,
  // Custom layer with get_config, used and reloaded
  (i, r) => `${r.chance(0.5) ? `@keras.saving.register_keras_serializable(package="blocks")\n` : ''}class Scale_${i}(layers.Layer):
    def __init__(self, factor=${r.pick(['1.0', '0.5', '2.0'])}, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=True)

    def call(self, inputs):
        return inputs * self.w * self.factor

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor})
        return config


inputs = keras.Input(shape=(${r.int(4, 64)},))
x = layers.Dense(${r.pick([16, 32, 64])}, activation="relu")(inputs)
x = Scale_${i}(0.5)(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.save("artifacts/scaled_${i}.keras")
restored = keras.models.load_model("artifacts/scaled_${i}.keras", custom_objects={"Scale_${i}": Scale_${i}})
`,
  // Custom layer without get_config
  (i, r) => `class TokenAndPositionEmbedding_${i}(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim):
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = tf.shape(x)[-1]
        positions = tf.range(start=0, limit=maxlen, delta=1)
        return self.token_emb(x) + self.pos_emb(positions)


maxlen_${i} = ${r.pick([80, 128, 200, 256])}
inputs = layers.Input(shape=(maxlen_${i},))
x = TokenAndPositionEmbedding_${i}(maxlen_${i}, ${r.pick([5000, 20000, 30000])}, ${r.pick([32, 64, 128])})(inputs)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dense(20, activation="relu")(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
${savePaths(i, r)}
`,
  // Python generator feeding fit
  (i, r) => `def batch_generator_${i}(features, labels, batch_size=${r.pick([16, 32, 64])}):
    """Endless random batches, as in many tutorials."""
    while True:
        idx = np.random.randint(0, len(features), batch_size)
        batch_x = features[idx]
        batch_y = labels[idx]
        yield batch_x, batch_y


steps_${i} = len(x_train) // ${r.pick([16, 32, 64])}
model.fit(batch_generator_${i}(x_train, y_train), steps_per_epoch=steps_${i}, epochs=${r.int(1, 20)}${r.chance(0.4) ? ', workers=4, use_multiprocessing=True' : ''})
${r.chance(0.3) ? `model.fit_generator(batch_generator_${i}(x_train, y_train), steps_per_epoch=steps_${i})\n` : ''}`,
  // keras.utils.Sequence
  (i, r) => `class WindowSequence_${i}(keras.utils.Sequence):
    def __init__(self, series, window=${r.int(12, 96)}, batch_size=${r.pick([32, 64])}${r.chance(0.5) ? ', **kwargs' : ''}):
        ${r.chance(0.5) ? 'super().__init__(**kwargs)' : 'super().__init__()'}
        self.series = series
        self.window = window
        self.batch_size = batch_size

    def __len__(self):
        return math.ceil((len(self.series) - self.window) / self.batch_size)

    def __getitem__(self, index):
        starts = range(index * self.batch_size, min((index + 1) * self.batch_size, len(self.series) - self.window))
        xs = np.stack([self.series[s:s + self.window] for s in starts])
        ys = np.array([self.series[s + self.window] for s in starts])
        return xs[..., None], ys


train_seq = WindowSequence_${i}(np.sin(np.linspace(0, ${r.int(10, 500)}, ${r.int(1000, 20000)})))
model.fit(train_seq, epochs=${r.int(1, 15)})
`,
  // numpy data preparation
  (i, r) => `# ---- data preparation (${r.pick(['sensor logs', 'prices', 'weather', 'energy meters', 'click logs'])}) ----
raw_${i} = np.loadtxt("data/part_${i}.csv", delimiter=",", skiprows=1)
mean_${i} = raw_${i}.mean(axis=0)
std_${i} = raw_${i}.std(axis=0) + 1e-8
normalized = (raw_${i} - mean_${i}) / std_${i}


def make_windows_${i}(series, size=${r.int(6, 72)}, horizon=${r.int(1, 12)}):
    xs, ys = [], []
    for start in range(len(series) - size - horizon + 1):
        xs.append(series[start:start + size])
        ys.append(series[start + size + horizon - 1, 0])
    return np.array(xs), np.array(ys)


x_train, y_train = make_windows_${i}(normalized)
split = int(${r.pick(['0.7', '0.8', '0.9'])} * len(x_train))
x_train, x_val = x_train[:split], x_train[split:]
y_train, y_val = y_train[:split], y_train[split:]
print("train", x_train.shape, "val", x_val.shape)
`,
  // Helper functions and a config class
  (i, r) => `class ExperimentConfig_${i}:
    """Settings of one experiment; written to JSON beside the model."""

    def __init__(self, name="run_${i}", learning_rate=${r.pick(['1e-3', '3e-4', '1e-2'])}, epochs=${r.int(5, 100)}, tags=None):
        self.name = name
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.tags = list(tags or [])

    def as_dict(self):
        return {"name": self.name, "learning_rate": self.learning_rate, "epochs": self.epochs, "tags": self.tags}

    def __repr__(self):
        return f"ExperimentConfig({self.name!r}, lr={self.learning_rate}, epochs={self.epochs})"


def summarize_${i}(history, metric="val_loss"):
    values = history.history.get(metric, [])
    if not values:
        return {"best": None, "epoch": None}
    best = min(values)
    return {"best": float(best), "epoch": values.index(best) + 1}


def write_report_${i}(config, summary, path="reports/report_${i}.json"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        json.dump({"config": config.as_dict(), "summary": summary}, handle, indent=2)
    return path
`,
  // Hyperparameter sweep: model rebound in a loop
  (i, r) => `results_${i} = {}
for units in [${r.pick(['16, 32, 64', '32, 64, 128', '50, 100'])}]:
    for dropout in (0.0, 0.2):
        model = keras.Sequential([
            keras.Input(shape=(x_train.shape[1], x_train.shape[2])),
            layers.LSTM(units),
            layers.Dropout(dropout),
            layers.Dense(1),
        ])
        model.compile(optimizer=keras.optimizers.Adam(${r.pick(['1e-3', '5e-4'])}), loss="mse")
        history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=${r.int(2, 20)}, verbose=0)
        results_${i}[(units, dropout)] = min(history.history["val_loss"])
        # keep every candidate: the notebook compared them by hand afterwards
        model.save(f"sweep_${i}/lstm_{units}_{dropout}.keras")
best_${i} = min(results_${i}, key=results_${i}.get)
print("best configuration:", best_${i}, results_${i}[best_${i}])
`,
  // Callbacks, checkpoints, training configuration
  (i, r) => `callbacks_${i} = [
    keras.callbacks.ModelCheckpoint("checkpoints/ckpt_${i}${r.pick(['.keras', '.h5', '', '.weights.h5'])}", save_best_only=True${r.chance(0.3) ? ', save_weights_only=True' : ''}),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=${r.int(2, 10)}, restore_best_weights=True),
    keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=2),
    keras.callbacks.TensorBoard(log_dir="logs/run_${i}"),
]
training_${i} = {
    "epochs": ${r.int(5, 200)},
    "batch_size": ${r.pick([16, 32, 64, 256])},
    "validation_split": 0.1,
    "shuffle": True,
}
history = model.fit(x_train, y_train, callbacks=callbacks_${i}, **training_${i})
`,
  // Load, evaluate and predict
  (i, r) => `restored = keras.models.load_model("artifacts/model_${r.int(0, i)}.keras"${r.chance(0.4) ? ', compile=False' : ''})
restored.summary()
loss_${i} = restored.evaluate(x_val, y_val, verbose=0)
forecast_${i} = restored.predict(x_val[:${r.int(8, 64)}], verbose=0)
for step, value in enumerate(forecast_${i}[:5, 0]):
    print(f"step {step}: predicted {value:.3f}")
`,
  // Preprocessing adapted outside the model
  (i, r) => `vectorizer_${i} = layers.TextVectorization(max_tokens=${r.pick([10000, 20000])}, output_sequence_length=${r.pick([100, 200, 500])})
vectorizer_${i}.adapt(train_texts)
text_inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(${r.pick([10000, 20000])}, ${r.pick([64, 128])})(text_inputs)
x = layers.Bidirectional(layers.LSTM(${r.pick([32, 64])}))(x)
text_outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(text_inputs, text_outputs)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(vectorizer_${i}(train_texts), train_labels, epochs=${r.int(1, 10)})
${savePaths(i, r)}
`,
  // Save before compile, then compile and save again
  (i, r) => `model = keras.Sequential([layers.Dense(${r.pick([8, 16, 32])}, activation="relu"), layers.Dense(1)])
model.save("drafts/untrained_${i}.keras")
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(100, ${r.int(2, 20)}), np.random.rand(100), epochs=1)
model.save("drafts/trained_${i}.keras")
`,
  // Plotting and reporting with strings
  (i, r) => `plt.figure(figsize=(${r.int(6, 16)}, ${r.int(4, 8)}))
plt.plot(history.history["loss"], label="train")
plt.plot(history.history.get("val_loss", []), label="validation")
plt.title("Training curve, block ${i}")
plt.xlabel("epoch")
plt.ylabel("loss")
plt.legend(loc="upper right")
plt.savefig("figures/curve_${i}.png", dpi=${r.pick([72, 100, 150])})
plt.close()
summary_text_${i} = """
Run ${i}
========
The model was trained on %d windows and validated on %d.
""" % (len(x_train), len(x_val))
print(summary_text_${i})
`,
  // Keras 3 export and serving signature
  (i, r) => `@tf.function(input_signature=[tf.TensorSpec(shape=[None, ${r.int(4, 64)}], dtype=tf.float32)])
def serve_${i}(batch):
    return {"scores": model(batch, training=False)}


model.export("exports/model_${i}")
tf.saved_model.save(model, "exports/signatures_${i}", signatures={"serving_default": serve_${i}})
`,
];

const headers = [
  () => `import json
import math
import os

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.layers import LSTM, Dense, Dropout
from tensorflow.keras.models import Sequential
`,
  () => `import json
import math
import os

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import layers
from keras.layers import LSTM, Dense, Dropout
from keras.models import Sequential
`,
];

/** A filler of exactly `n` lines (n >= 1): comments and simple statements. */
function filler(i, n, r) {
  const out = [];
  for (let k = 0; k < n; k++) {
    out.push(
      r.pick([
        `# note ${i}.${k}: ${r.pick(['check the scaler', 'rerun with more epochs', 'compare with the baseline', 'TODO: tune'])}`,
        `step_${i}_${k} = ${r.int(0, 1000)}`,
        `print("checkpoint ${i}.${k}")`,
        '',
      ]),
    );
  }
  return out.join('\n') + '\n';
}

function buildFile(r, targetLines, fileIndex) {
  const header = r.pick(headers)();
  const prelude = `\nOUTPUT_DIR = os.environ.get("OUTPUT_DIR", "artifacts")\ntrain_texts = ["a fine film", "a dull film"] * ${r.int(10, 500)}\ntrain_labels = np.array([1, 0] * ${r.int(10, 500)})\nx_train = np.random.rand(256, 30, 1)\ny_train = np.random.rand(256, 1)\nx_val, y_val = x_train[:32], y_train[:32]\n`;
  const docstring = `"""${r.pick(['Training script', 'Exported notebook', 'Experiments', 'Model zoo', 'Pipeline'])} ${fileIndex}: ${r.pick(['forecasting', 'text classification', 'image classification', 'anomaly detection', 'regression'])}."""\n`;
  const parts = [docstring, header, prelude];
  let lines = countLines(parts.join(''));
  const sources = loadMaterial();
  let block = 0;
  while (lines < targetLines) {
    const remaining = targetLines - lines;
    let text;
    for (let attempt = 0; attempt < 6 && text === undefined; attempt++) {
      let candidate;
      if (r.chance(0.45)) {
        const source = r.pick(sources);
        candidate = renameBlock(source.text, source.names, block);
        candidate = `\n\n# %% ${source.file.split('/').pop()}\n` + candidate;
      } else {
        candidate = '\n\n' + r.pick(templates)(block, r);
      }
      if (countLines(candidate) <= remaining) text = candidate;
    }
    text ??= filler(block, remaining, r);
    parts.push(text);
    lines += countLines(text);
    block++;
  }
  return parts.join('');
}

/** One file of exactly `lines` lines (at least the header's, about 20). */
export function generateFile({ seed = 1, lines = maxFileLines, name } = {}) {
  const r = rng(seed * 7919 + 17);
  return { name: name ?? `notebook_export_${lines}.py`, text: buildFile(r, lines, 0) };
}

/**
 * Files of 50 to 20,000 lines adding up to at least `lines`: one of 20,000, then one of
 * 8,000 and one of 4,000 where the total allows, then many of 50 to 2,000 (log-uniform), as in a
 * repository of many modules and a few long notebook exports.
 */
export function generateCorpus({ seed = 1, lines = 200000 } = {}) {
  const r = rng(seed);
  const sizes = [];
  let total = 0;
  for (const big of [20000, 8000, 4000]) {
    if (total + big <= lines * 0.4) {
      sizes.push(big);
      total += big;
    }
  }
  while (total < lines) {
    const size = Math.round(Math.exp(Math.log(minFileLines) + r.next() * (Math.log(2000) - Math.log(minFileLines))));
    sizes.push(size);
    total += size;
  }
  // Interleave the big files among the small ones, as a directory listing would.
  const order = sizes.map((size, index) => ({ size, key: r.next(), index }));
  order.sort((a, b) => a.key - b.key);
  const kinds = ['train', 'model', 'pipeline', 'experiment', 'notebook', 'layers', 'data', 'serve'];
  return order.map(({ size, index }, k) => ({
    name: `${kinds[index % kinds.length]}_${String(k).padStart(4, '0')}.py`,
    text: buildFile(rng(seed * 1000003 + index), size, index),
  }));
}

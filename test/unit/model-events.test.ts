import * as assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildFacts } from '../../server/src/engine/analysis/facts';
import { initParser, parsePython } from '../../server/src/engine/analysis/parser';
import { SyntaxTree } from '../../server/src/engine/analysis/syntax';

before(() => initParser());

function events(text: string): string[] {
  const facts = buildFacts(new SyntaxTree(text, parsePython(text)));
  return facts.models.flatMap((m) => m.events.map((e) => `${m.name}:${e.kind}:${e.method}@${e.call.startPosition.row}`));
}

const header = 'from tensorflow import keras\nmodel = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n';

test('a ModelCheckpoint passed to fit is a save event of the fitted model, after the build step of fit', () => {
  assert.deepEqual(events(`${header}model.fit(x, y, callbacks=[keras.callbacks.ModelCheckpoint("best.keras")])\n`), [
    'model:build-step:fit@2', 'model:checkpoint:ModelCheckpoint@2',
  ]);
  // Through names bound in the same scope, lists added together, and with save_weights_only.
  const text = `${header}ckpt = keras.callbacks.ModelCheckpoint("w.weights.h5", save_weights_only=True)\n` +
    'full = keras.callbacks.ModelCheckpoint("m.keras", save_weights_only=False)\ncbs = [ckpt]\nmodel.fit(x, y, callbacks=cbs + [full])\n';
  assert.deepEqual(events(text), ['model:build-step:fit@5', 'model:checkpoint-weights:ModelCheckpoint@2', 'model:checkpoint:ModelCheckpoint@3']);
});

test('not a checkpoint event: a computed save_weights_only, another callback, or a checkpoint never passed to fit', () => {
  assert.deepEqual(events(`${header}model.fit(x, callbacks=[keras.callbacks.ModelCheckpoint("m.keras", save_weights_only=flag)])\n`), ['model:build-step:fit@2']);
  assert.deepEqual(events(`${header}model.fit(x, callbacks=[keras.callbacks.EarlyStopping()])\n`), ['model:build-step:fit@2']);
  assert.deepEqual(events(`${header}ckpt = keras.callbacks.ModelCheckpoint("m.keras")\nmodel.evaluate(x)\n`), ['model:build-step:evaluate@3']);
  // A class of the file with the same name is not Keras's.
  assert.deepEqual(events(`${header}class ModelCheckpoint:\n    pass\nmodel.fit(x, callbacks=[ModelCheckpoint()])\n`), ['model:build-step:fit@4']);
});

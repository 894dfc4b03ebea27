import { modelKerasName } from './checkpoints';
import { callArguments, type FileFacts, type ModelEvent } from './facts';
import { h5Extensions, kerasExtension, pathTail, saveCallOf, type SaveCall } from './save-calls';
import { stringValue } from './text';
import type { KerasVersionInfo } from './types';
import { versionIn, type KerasVersions } from './version';

/** The format a full-model save writes, as far as the file shows it. */
export type SaveFormat = 'keras' | 'h5';

/**
 * The format a `save` or `checkpoint` event visibly writes: its `save_format`, else its path's
 * extension; undefined for a SavedModel (`save_format="tf"`, no such extension) or an unseen path.
 */
export function saveFormatOf(facts: FileFacts, event: ModelEvent): SaveFormat | undefined {
  let path;
  if (event.kind === 'checkpoint') {
    const { positional, keywords } = callArguments(event.call);
    path = positional[0] ?? keywords.get('filepath');
  } else {
    const save = saveCallOf(facts, event);
    const format = save?.saveFormat?.childForFieldName('value');
    if (format) {
      const named = stringValue(format)?.trim().toLowerCase();
      return named === 'keras' ? 'keras' : named === 'h5' || named === 'hdf5' ? 'h5' : undefined;
    }
    path = save?.path;
  }
  const tail = path && pathTail(facts, facts.semantic.scopeAt(event.call), path, event.call.startIndex)?.tail;
  if (tail?.endsWith(kerasExtension)) return 'keras';
  return tail !== undefined && h5Extensions.some((e) => tail.endsWith(e)) ? 'h5' : undefined;
}

/** The Keras a save call runs under: that of the saved model, else of `save_model`'s import, else the file's. */
export function saveVersion(facts: FileFacts, versions: KerasVersions, save: SaveCall): KerasVersionInfo {
  const model = save.models[0];
  return versions.at((model && modelKerasName(facts, model)) ?? save.call.childForFieldName('function'));
}

/** `model.export` exists from Keras 2.12 on: what a message or fix title adds about that, by version. */
export function exportSince(version: KerasVersionInfo): string {
  return version.major === 3 || versionIn(version, [2, 12]) === true ? '' : ' (Keras 2.12 and later)';
}

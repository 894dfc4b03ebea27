import { invalidSyntax } from './KSM000-invalid-syntax';
import { saveBeforeCompile } from './KSM101-save-before-compile';
import { layerMissingGetConfig } from './KSM201-layer-missing-get-config';
import { layerInitMissingKwargs } from './KSM202-layer-init-missing-kwargs';
import { customObjectNotRegistered } from './KSM203-custom-object-not-registered';
import { customObjectMissingGetConfig } from './KSM204-custom-object-missing-get-config';
import { unregisteredCustomFunction } from './KSM205-unregistered-custom-function';
import { getConfigWithoutSuper } from './KSM206-get-config-without-super';
import { namePassedTwice } from './KSM207-name-passed-twice';
import { getConfigReturnsNothing } from './KSM208-get-config-returns-nothing';
import { lstmMissingInputShape } from './KSM301-lstm-missing-input-shape';
import { subclassedModelUnbuiltSave } from './KSM302-subclassed-model-unbuilt-save';
import { removedInputArguments } from './KSM303-removed-input-arguments';
import { externalGenerator } from './KSM401-external-generator';
import { fitGeneratorRemoved } from './KSM402-fit-generator-removed';
import { saveFormatArgument } from './KSM501-save-format-argument';
import { savePathWithoutExtension } from './KSM502-save-path-without-extension';
import { lambdaLayer } from './KSM503-lambda-layer';
import { checkpointPath } from './KSM504-checkpoint-path';
import { checkpointMonitorMissing } from './KSM505-checkpoint-monitor-missing';
import { loadModelUnsupported } from './KSM506-load-model-unsupported';
import { saveUnsupportedArguments } from './KSM507-save-unsupported-arguments';
import { mixedKerasImplementations } from './KSM601-mixed-keras-implementations';
import { dependencyPinConflict } from './KSM602-dependency-pin-conflict';
import { tfKerasMissing } from './KSM603-tf-keras-missing';
import { legacyKerasEnvTooLate } from './KSM604-legacy-keras-env-too-late';
import { kerasPrivateImport } from './KSM605-keras-private-import';
import type { Rule } from './rule';

/** Every rule, in code order. */
export const rules: Rule[] = [
  invalidSyntax,
  saveBeforeCompile,
  layerMissingGetConfig,
  layerInitMissingKwargs,
  customObjectNotRegistered,
  customObjectMissingGetConfig,
  unregisteredCustomFunction,
  getConfigWithoutSuper,
  namePassedTwice,
  getConfigReturnsNothing,
  lstmMissingInputShape,
  subclassedModelUnbuiltSave,
  removedInputArguments,
  externalGenerator,
  fitGeneratorRemoved,
  saveFormatArgument,
  savePathWithoutExtension,
  lambdaLayer,
  checkpointPath,
  checkpointMonitorMissing,
  loadModelUnsupported,
  saveUnsupportedArguments,
  mixedKerasImplementations,
  dependencyPinConflict,
  tfKerasMissing,
  legacyKerasEnvTooLate,
  kerasPrivateImport,
];

/** A rule by code (any case) or kebab-case name. */
export function findRule(codeOrName: string): Rule | undefined {
  const key = codeOrName.trim().toLowerCase();
  return rules.find((r) => r.code.toLowerCase() === key || r.name === key);
}

/**
 * The extension's own commands, as package.json contributes them. They differ from the server's
 * `workspace/executeCommand` ids, which the language client registers by itself.
 */
export const commandIds = {
  checkReadiness: 'kerasSavedModel.checkReadiness',
  checkWorkspaceReadiness: 'kerasSavedModel.checkWorkspaceReadiness',
  restartServer: 'kerasSavedModel.restartServer',
  showOutput: 'kerasSavedModel.showOutput',
} as const;

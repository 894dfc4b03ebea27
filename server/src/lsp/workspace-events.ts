import { fileURLToPath, pathToFileURL } from 'node:url';
import { DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver/node';
import { projectFilePatterns } from '../engine/analysis/project-version';
import { settingsSection } from '../protocol';
import { configFileNames } from '../workspace/config-files';
import type { Session } from './session';

/**
 * What changes around the open documents: workspace folders, the settings, and files on disk
 * (dependency files, configuration files, and modules that open documents import).
 */
export function registerWorkspaceEvents(session: Session): void {
  const { connection, fileSettings, modules } = session;

  connection.onInitialized(
    session.guardNotification('initialized', async () => {
      const workspace = session.capabilities.workspace;
      if (workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          session.guardNotification('didChangeWorkspaceFolders', ({ added, removed }) => {
            const gone = new Set(removed.filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri)));
            const kept = session.folders.filter((f) => !gone.has(f)).map((f) => pathToFileURL(f).href);
            session.setFolders([...kept, ...added.map((f) => f.uri)]);
            session.reanalyseAll();
          }),
        );
      }
      if (workspace?.configuration && workspace.didChangeConfiguration?.dynamicRegistration) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: settingsSection });
      }
      // Dependency files decide the Keras version under `auto`; without watching them the
      // version is read once per folder and kept until the configuration changes.
      // Python files are watched too: a module changed on disk (by git, a formatter) updates
      // the open documents that import it.
      if (workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [...new Set([...projectFilePatterns, ...configFileNames, '*.py'])].map((pattern) => ({ globPattern: `**/${pattern}` })),
        });
      }
    }),
  );

  connection.onDidChangeWatchedFiles(
    session.guardNotification('didChangeWatchedFiles', ({ changes }) => {
      const onDisk = changes.filter((c) => c.uri.startsWith('file:'));
      for (const change of onDisk) session.requirements.fileChanged(fileURLToPath(change.uri));
      // A dependency file may change the Keras version of any document.
      let everything = onDisk.map((c) => fileSettings.projects.invalidate(fileURLToPath(c.uri))).includes(true);
      // A configuration file may change the settings of any document below it.
      if (onDisk.map((c) => fileSettings.configs.invalidate(fileURLToPath(c.uri))).includes(true)) {
        session.shownConfigErrors.clear();
        everything = true;
      }
      for (const change of onDisk) {
        const file = fileURLToPath(change.uri);
        // An open document's text is the editor's, whatever the disk holds.
        if (!file.endsWith('.py') || session.openPythonDocument(file)) continue;
        if (change.type === FileChangeType.Changed) {
          session.moduleChanged(file);
        } else {
          // A module created or deleted can change what any import resolves to.
          modules.invalidate(file);
          modules.invalidateLayout();
          everything = true;
        }
      }
      if (everything) session.reanalyseAll();
    }),
  );

  connection.onDidChangeConfiguration(
    session.guardNotification('didChangeConfiguration', (params) => {
      // Clients without workspace/configuration push their settings here instead.
      if (!session.capabilities.workspace?.configuration && params.settings !== null && params.settings !== undefined) {
        session.settings.setBase(params.settings);
      }
      session.settings.reset();
      fileSettings.clear();
      modules.settingsChanged();
      session.reanalyseAll();
    }),
  );
}

/**
 * The entry point of dist/server.js, which the VS Code extension starts (`--node-ipc`) and any
 * LSP client can start with `--stdio`. Kept apart from server.ts so that the CLI bundle, which
 * holds the server too, starts it only for `ksm server`.
 */
import { startServer } from './server';

startServer();

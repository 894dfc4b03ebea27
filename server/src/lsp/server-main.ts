/**
 * The entry point of dist/server.js, which the VS Code extension starts (`--node-ipc`) and any
 * LSP client can start with `--stdio`, and that `ksm server` loads.
 */
import { startServer } from './server';

startServer();

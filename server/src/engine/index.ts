/** The engine's public surface, bundled as dist/engine.js: parse and analyse Python text. */
export { initParser, parsePython } from './analysis/parser';
export { analyzeText, analyzeTree, type AnalysisResult } from './engine';
export type { AnalysisSettings, Finding } from './analysis/types';

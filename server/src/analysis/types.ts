/** Plain data types shared by the engine, its rules and its adapters. No LSP or VS Code types. */

/** Zero-based line and UTF-16 column, as LSP uses by default and as web-tree-sitter reports. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
  /** The same edit as an LSP snippet (with `${1:placeholder}` tab stops), for clients that take one. */
  snippet?: string;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type Applicability = 'safe' | 'unsafe';

export interface Fix {
  title: string;
  applicability: Applicability;
  edits: TextEdit[];
  /** The fix an editor should offer first (LSP `isPreferred`). */
  preferred?: boolean;
}

export interface RelatedLocation {
  range: Range;
  message: string;
}

export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
  /** Ids of the models (see ModelSummary) this finding blocks or concerns. */
  modelIds: number[];
}

export type KerasVersionSetting = 'auto' | '2' | '3';
export type RuleSetting = Severity | 'off' | 'default';

export interface AnalysisSettings {
  kerasVersion: KerasVersionSetting;
  /** Keyed by rule code or rule name. */
  rules: Record<string, RuleSetting>;
  /**
   * What the project's dependency files (requirements, pyproject.toml ...) say about the Keras
   * version, read by the adapter (see project-version.ts); used under `kerasVersion: auto`.
   */
  projectVersion?: KerasVersionInfo;
}

export const defaultSettings: AnalysisSettings = { kerasVersion: 'auto', rules: {} };

export interface KerasVersionInfo {
  /** 2 or 3 when known, undefined when nothing says which. */
  major: 2 | 3 | undefined;
  /** Where the version came from, for people: "setting", "`import tf_keras` (line 3)", "no evidence". */
  source: string;
}

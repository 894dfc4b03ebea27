/** Plain data types shared by the engine, its rules and its adapters. No LSP or VS Code types. */
import type { KerasVersionName, RuleLevel, SeverityName } from '../settings-schema';

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

export type Severity = SeverityName;
export type Applicability = 'safe' | 'unsafe';

export interface Fix {
  title: string;
  applicability: Applicability;
  /** Edits to the analysed file (empty when the fix only edits other modules). */
  edits: TextEdit[];
  /**
   * Edits to other modules of the workspace, by file (named as ModuleSummary.uri names it): a
   * fix that belongs where a class is defined, not in the file that reports it.
   */
  otherFileEdits?: OtherFileEdits[];
  /** The fix an editor should offer first (LSP `isPreferred`). */
  preferred?: boolean;
}

/** Edits to one other file, against the text its module summary was made from. */
export interface OtherFileEdits {
  file: string;
  edits: TextEdit[];
  /** The editor's version of that text, when the adapter had one (an open document; see ModuleVersioned). */
  version?: number;
}

/**
 * Edits against a module's text, with the editor's version of that text when the adapter read it
 * from an open document (stamped by the workspace index), so that an editor refuses them once the
 * document has changed.
 */
export interface ModuleVersioned {
  version?: number;
}

export interface RelatedLocation {
  range: Range;
  message: string;
  /** The file the range is in, when it is another module of the workspace (see ModuleSummary.uri). */
  uri?: string;
}

export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  /** One clause naming the object and the problem, as editors and the concise formats show it. */
  message: string;
  /** The explanation: what Keras does, with the message the user would meet, by version. */
  detail?: string;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
  /** Ids of the models (see ModelSummary) this finding blocks or concerns. */
  modelIds: number[];
  /** The edit that writes or extends the line's `# noqa:` comment, when one can be written there. */
  noqa?: TextEdit;
}

export type KerasVersionSetting = KerasVersionName;
export type RuleSetting = RuleLevel;

export interface AnalysisSettings {
  kerasVersion: KerasVersionSetting;
  /** Keyed by rule code or rule name. */
  rules: Record<string, RuleSetting>;
  /**
   * What the project's dependency files (requirements, pyproject.toml ...) say about the Keras
   * version, read by the adapter (see project-version.ts); used under `kerasVersion: auto`.
   */
  projectVersion?: KerasVersionInfo;
  /**
   * Finds the other modules of the workspace that the file imports, by the module's dotted name
   * and relative level (`from ..pkg.layers import X`: `pkg.layers`, 2); see module-summary.ts.
   * Without it, names imported from local modules stay unknown.
   */
  modules?: ModuleResolver;
  /** Texts longer than this (in characters, about bytes) are skipped with a reason; default `maxFileBytes`, 2 MiB. */
  maxFileBytes?: number;
  /** A notebook's `%env` lines, which its program text blanks (see notebook.ts); the legacy variable is read from them. */
  envMagics?: readonly EnvMagic[];
}

/** A notebook's `%env NAME=value` line: what it sets, where (its program range), and the line as written. */
export interface EnvMagic {
  name: string;
  value: string;
  range: Range;
  text: string;
}

export const defaultSettings: AnalysisSettings = { kerasVersion: 'auto', rules: {} };

export interface KerasVersionInfo {
  /** 2 or 3 when known, undefined when nothing says which. */
  major: 2 | 3 | undefined;
  /** Where the version came from, for people: "setting", "`import tf_keras` (line 3)", "no evidence". */
  source: string;
  /**
   * The releases the evidence allows, by minor version, when it narrows them below a major
   * (`keras>=3.9`, `tensorflow==2.15.*`, a `keras.engine` import); see versionIn().
   */
  range?: MinorRange;
}

/** Releases from `low` (inclusive) up to `high` (exclusive), as [major, minor]; a missing bound is open. */
export interface MinorRange {
  low?: readonly [number, number];
  high?: readonly [number, number];
}

/**
 * Resolves an imported module to the summary of its file. `from` is the module whose import is
 * followed (for a name it re-exports); the analysed file itself when absent.
 */
export type ModuleResolver = (module: string, level: number, from?: ModuleSummary) => ModuleSummary | undefined;

/**
 * What the analysis of one file needs to know of another module it imports, computed from that
 * module's text alone (see `summarizeModule`): small, serialisable, and cached per file.
 */
export interface ModuleSummary {
  /** Where the module is, as the adapter names files (a URI in the language server, a path in the CLI). */
  uri?: string;
  classes: ModuleClass[];
  functions: ModuleFunction[];
  /** What the module's own imports bind, by local name (`X` → `.layers.X`), for names it re-exports. */
  imports: Record<string, string>;
}

/** A finding of the module's own analysis, about a class or a function of it. */
export interface ModuleProblem {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
}

/** A class of the module that derives from Keras. */
export interface ModuleClass {
  name: string;
  /** The class's name in its definition. */
  range: Range;
  /** Symbols of the Keras classes it derives from, directly or through classes of its module. */
  kerasBases: string[];
  /** A layer or model (what a model is made of), as opposed to a loss, metric or callback. */
  layer: boolean;
  model: boolean;
  /** Stored in a saved model by class name (layers, models, losses, metrics ...). */
  serializable: boolean;
  /** Decorated with `register_keras_serializable`. */
  registered: boolean;
  /** Its `__init__` (or an in-module base's) calls `self.compile(...)`. */
  selfCompiles: boolean;
  /**
   * How to register it in its module, in that module's spelling of Keras and for its Keras
   * version: the decorator above the class (and the import it needs); absent when registered or
   * when no edit can be written there.
   */
  registration?: Registration;
  /** What the rules that judge a class by its definition (KSM201, KSM202) report on it there. */
  problems: ModuleProblem[];
}

/** The edits that register a class where it is defined, with the decorator as written. */
export interface Registration extends ModuleVersioned {
  /** `keras.saving.register_keras_serializable`, as the module spells it. */
  decorator: string;
  edits: TextEdit[];
}

/** A module-level function of the module that returns a model. */
export interface ModuleFunction {
  name: string;
  /** The function's name in its definition. */
  range: Range;
  /** How the returned model is made: `sequential`, `functional`, `loaded` ... (see ModelKind). */
  kind: string;
  /** Compiled before it is returned (or loaded, which restores the compilation). */
  compiled: boolean;
  /** Built before it is returned: an input is declared, or it was trained, called or built. */
  built: boolean;
  /** The first layer that declares no input shape, when the returned model is a `Sequential` without one. */
  unbuiltFirstLayer?: ModuleVersioned & {
    name: string;
    recurrent: boolean;
    range: Range;
    /** The fixes the module's own analysis gives the layer (declaring the input), against the module's text. */
    fixes: Fix[];
  };
  /**
   * The Keras classes the returned model uses: defined in the module, or imported there from
   * another module of the workspace (followed one hop, when the module was summarised with a resolver).
   */
  classes: UsedClass[];
}

/** A Keras class that a function's returned model uses. */
export interface UsedClass {
  cls: ModuleClass;
  /** The module that defines it (its ModuleSummary.uri), when that is not the function's module. */
  uri?: string;
  /**
   * The saved model stores it by class name: it is the model's class, or is created in its layer
   * list, the code that builds it or its `compile` call (not a sublayer a custom layer makes itself).
   */
  stored: boolean;
}

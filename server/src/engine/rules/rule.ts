import type { SyntaxNode } from '../analysis/syntax';
import type { FileFacts, ModelFact } from '../analysis/facts';
import type { KerasVersions } from '../analysis/version';
import type { Fix, KerasVersionInfo, Range, RelatedLocation, Severity } from '../analysis/types';
import type { LegacyKerasUse } from '../analysis/dependency-pins';
import type { KerasRequirement } from '../analysis/project-version';

/** The documentation of a rule, rendered into docs/rules/ and by `ksm explain`. */
export interface RuleDocs {
  /** What the rule flags, in a paragraph or two. */
  what: string;
  /** Why it matters for saving, with the message Keras would otherwise print. */
  why: string;
  /** What is deliberately not flagged. */
  notFlagged: string;
  /** Python that the rule flags. */
  example: string;
  /** The same program, fixed. */
  fixed: string;
  /** The quick-fixes, and their safety. */
  fix: string;
  references: string[];
}

/** Which check of the readiness report a rule belongs to. */
export type CheckId = 'compile' | 'custom-objects' | 'input-shape' | 'data-pipeline' | 'save-api' | 'dependencies';

export interface Rule {
  code: string;
  name: string;
  /** One line, used in lists. */
  summary: string;
  /** The severity, or how it is chosen ("error under Keras 3, warning under Keras 2"). */
  severity: string;
  /** Fix safety as documented: which fixes are safe and which are not. */
  fixSafety: 'safe' | 'unsafe' | 'safe or unsafe by case' | 'none';
  /** Absent for a rule about the file rather than its models (KSM000: the file does not parse). */
  check?: CheckId;
  /** False when a `# noqa` comment cannot silence the rule's findings (KSM000, as Ruff's syntax errors). */
  suppressible?: false;
  docs: RuleDocs;
  run(context: RuleContext): void;
}

export interface Report {
  /** The anchor: a node, or a range when no single node fits. */
  node?: SyntaxNode;
  range?: Range;
  severity: Severity;
  /** One clause: the object as the user wrote it and the problem. */
  message: string;
  /** The explanation: what Keras does and the message it prints, by version, and what to do. */
  detail?: string;
  related?: RelatedLocation[];
  fixes?: Fix[];
  /** The models this finding concerns, for the readiness report. */
  models?: ModelFact[];
}

export interface RuleContext {
  facts: FileFacts;
  /** The file's default Keras version: that of the implementations its Keras names use, when they agree. */
  version: KerasVersionInfo;
  /** Which Keras each name means, and its version (`versions.at(node)`, `versions.of('tf.keras')`). */
  versions: KerasVersions;
  report(report: Report): void;
}

/**
 * A rule over a project's requirement files (KSM6 pins) rather than over one Python file. It is
 * listed, documented, selected and configured like any rule; the engine's project entry
 * (`engine/project.ts`) runs `runProject`, and `run` finds nothing in a Python file by itself.
 */
export interface ProjectRule extends Rule {
  runProject(context: ProjectRuleContext): void;
}

/** For a project rule's `run`: the rule looks at requirement files, not at the Python file analysed. */
export function noFileCheck(): void {}

export interface ProjectRuleContext {
  /** The TensorFlow, Keras, tf-keras and tensorflow-hub requirements of the project's files, in file order. */
  requirements: readonly KerasRequirement[];
  /** The text of each requirement file read (includes too), by the name the adapter gave it. */
  texts: ReadonlyMap<string, string>;
  /** Where the project's Python code uses Keras 2 through the tf_keras package. */
  legacyUses: readonly LegacyKerasUse[];
  report(report: ProjectReport): void;
}

/** A finding on a requirement file; related locations in other files carry that file's name as `uri`. */
export interface ProjectReport {
  file: string;
  range: Range;
  severity: Severity;
  message: string;
  detail?: string;
  related?: RelatedLocation[];
  fixes?: Fix[];
}

export function isProjectRule(rule: Rule): rule is ProjectRule {
  return 'runProject' in rule;
}

import type { SyntaxNode } from '../analysis/syntax';
import type { FileFacts, ModelFact } from '../analysis/facts';
import type { KerasVersions } from '../analysis/version';
import type { Fix, KerasVersionInfo, Range, RelatedLocation, Severity } from '../analysis/types';

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
  check: CheckId;
  docs: RuleDocs;
  run(context: RuleContext): void;
}

export interface Report {
  /** The anchor: a node, or a range when no single node fits. */
  node?: SyntaxNode;
  range?: Range;
  severity: Severity;
  message: string;
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

/**
 * The facts that the requirement-file rules share (KSM602, KSM603): which TensorFlow and Keras
 * pins of one environment cannot be installed together, where a requirement is written in its
 * file and how its specifier is rewritten or a requirement added under it, and where a
 * project's Python code reaches for Keras 2 through the tf_keras package. Pure: the texts are
 * handed in.
 */
import { ImportTable } from './imports';
import { legacyOnValues } from './legacy-keras';
import { parseSyntax } from './parser';
import { allowedMinors, allowsMinor, compareMinor, onlyMinor, type Dialect, type KerasRequirement } from './project-version';
import { eolOf, nodeRange } from './text';
import type { EnvMagic, Range, TextEdit } from './types';
import { detectKerasVersions } from './version';

// ---------------------------------------------------------------------------------------------
// Conflicts

/**
 * (a) TensorFlow >= 2.16 with keras < 3; (b) TensorFlow 2.Y (7 <= Y <= 15) with a keras spec
 * that excludes 2.Y; (c) tf-keras 2.Y (Y >= 16) with a TensorFlow spec that excludes 2.Y; (d) tf-keras
 * 2.15 with a TensorFlow spec that excludes 2.15.
 */
export type ConflictCase = 'a' | 'b' | 'c' | 'd';

export interface PinConflict {
  case: ConflictCase;
  /** The `keras` or `tf-keras` requirement. */
  keras: KerasRequirement;
  tensorflow: KerasRequirement;
  /** (b) TensorFlow's minor; (c)/(d) tf-keras's. */
  minor?: [number, number];
}

/** Requirements with different environment markers may never be installed together. */
function sameEnvironment(a: KerasRequirement, b: KerasRequirement): boolean {
  return (a.marker ?? '') === (b.marker ?? '');
}

/**
 * The keras and tf-keras requirements of one environment that no TensorFlow requirement of it
 * can be installed with, each with the first TensorFlow requirement it conflicts with. Only
 * explicit specifiers on both sides are compared.
 */
export function pinConflicts(requirements: readonly KerasRequirement[]): PinConflict[] {
  const tensorflows = requirements.filter((r) => r.kind === 'tensorflow' && r.allowed);
  const found: PinConflict[] = [];
  for (const keras of requirements) {
    if (keras.kind !== 'keras' && keras.kind !== 'tf-keras') continue;
    for (const tensorflow of tensorflows) {
      const conflict = conflictOf(keras, tensorflow);
      if (conflict) {
        found.push(conflict);
        break;
      }
    }
  }
  return found;
}

function conflictOf(keras: KerasRequirement, tensorflow: KerasRequirement): PinConflict | undefined {
  if (!keras.allowed || !tensorflow.allowed || !sameEnvironment(keras, tensorflow)) return undefined;
  // TensorFlow up to 2.6 relates to keras differently (2.6.0's `keras~=2.6` let 2.7 in).
  const tensorflowMinors = allowedMinors(tensorflow.allowed);
  if (tensorflowMinors?.high && compareMinor(tensorflowMinors.high, [2, 7]) <= 0) return undefined;
  if (keras.kind === 'keras') {
    if (tensorflow.major === 3 && keras.major === 2) return { case: 'a', keras, tensorflow };
    const minor = onlyMinor(tensorflow.allowed);
    if (minor && minor[0] === 2 && minor[1] >= 7 && minor[1] <= 15 && !allowsMinor(keras.allowed, minor)) return { case: 'b', keras, tensorflow, minor };
    return undefined;
  }
  const minor = onlyMinor(keras.allowed);
  if (!minor || minor[0] !== 2 || minor[1] < 15 || allowsMinor(tensorflow.allowed, minor)) return undefined;
  return { case: minor[1] === 15 ? 'd' : 'c', keras, tensorflow, minor };
}

/**
 * The TensorFlow minor a matching tf-keras is pinned to: TensorFlow's only minor, else its
 * lowest one when it is bounded below; undefined when that is before tf-keras's first release
 * (2.14) or TensorFlow is unbounded below.
 */
export function tensorflowMinorForTfKeras(tensorflow: KerasRequirement): [number, number] | undefined {
  if (!tensorflow.allowed) return undefined;
  const low = allowedMinors(tensorflow.allowed)?.low;
  if (!low || compareMinor(low, [2, 14]) < 0 || low[0] !== 2) return undefined;
  return allowsMinor(tensorflow.allowed, low) ? [low[0], low[1]] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Where a requirement is written

/** A requirement's place in its file's text: its name, its specifier, and the whole of it. */
export interface RequirementSite {
  /** Zero-based. */
  line: number;
  lineText: string;
  name: Range;
  /** The specifier's text (inside the quotes for Poetry); undefined when it cannot be placed. */
  spec?: Range;
  /** The name and the specifier. */
  whole: Range;
  /** The quote the requirement is written inside (a PEP 621 array, setup.py), if any. */
  quote?: '"' | "'";
  /** Written as a table key, `name = "spec"` (Poetry, Pipfile). */
  keyValue: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where the requirement is written in `text`; undefined when its line is unknown or does not hold its name. */
export function requirementSite(requirement: KerasRequirement, text: string): RequirementSite | undefined {
  if (requirement.line === undefined) return undefined;
  const line = requirement.line - 1;
  const lineText = text.split(/\r?\n|\r/)[line];
  if (lineText === undefined) return undefined;
  const nameMatch = new RegExp(`(?<![\\w.-])${escapeRegExp(requirement.name)}(?![\\w.-])`, 'i').exec(lineText);
  if (!nameMatch) return undefined;
  const start = nameMatch.index;
  const nameEnd = start + requirement.name.length;
  const at = (character: number) => ({ line, character });
  const keyValue = requirement.dialect === 'poetry' || (requirement.dialect === 'pep440' && /^\s*["']?\s*=\s*["'{]/.test(lineText.slice(nameEnd)));
  const before = lineText[start - 1];
  const quote = !keyValue && (before === '"' || before === "'") ? before : undefined;
  let spec: [number, number] | undefined;
  if (keyValue) {
    // `keras = "^2.15"` or `keras = { version = "^2.15", ... }` (Poetry, Pipfile).
    const value = /^\s*["']?\s*=\s*(?:\{[^}]*?\bversion\s*=\s*)?(["'])([^"']*)\1/.exec(lineText.slice(nameEnd));
    if (value) {
      const valueEnd = nameEnd + value[0].length - 1;
      spec = [valueEnd - value[2]!.length, valueEnd];
    }
  } else if (requirement.spec !== undefined) {
    // After the name and its extras, up to a marker, a comment, an option, the closing quote or the end.
    const after = /^(\s*(?:\[[^\]]*\])?)([^;#"']*?)\s*(?:$|[;#"']|\s--?[a-z])/i.exec(lineText.slice(nameEnd));
    if (after && after[2]!.trim() !== '') spec = [nameEnd + after[1]!.length, nameEnd + after[1]!.length + after[2]!.length];
  }
  const site: RequirementSite = { line, lineText, keyValue, name: { start: at(start), end: at(nameEnd) }, whole: { start: at(start), end: at(spec?.[1] ?? nameEnd) } };
  if (spec) site.spec = { start: at(spec[0]), end: at(spec[1]) };
  if (quote) site.quote = quote;
  return site;
}

/** Where a finding on a requirement goes: its name and specifier, else its line, else the file's start. */
export function requirementRange(requirement: KerasRequirement, text: string): Range {
  const site = requirementSite(requirement, text);
  if (site) return site.whole;
  const line = requirement.line === undefined ? 0 : requirement.line - 1;
  const length = requirement.line === undefined ? 0 : (text.split(/\r?\n|\r/)[line] ?? '').length;
  return { start: { line, character: 0 }, end: { line, character: length } };
}

/** A specifier in a file's dialect: at least a version, or every release of one minor. */
export type SpecifierWish = { atLeast: string } | { below: string } | { minor: readonly [number, number] };

export function writeSpecifier(wish: SpecifierWish, dialect: Dialect): string {
  if ('atLeast' in wish) return `>=${wish.atLeast}`;
  if ('below' in wish) return `<${wish.below}`;
  const minor = `${wish.minor[0]}.${wish.minor[1]}`;
  if (dialect === 'conda') return `=${minor}`;
  return dialect === 'poetry' ? `${minor}.*` : `==${minor}.*`;
}

/** The edit that replaces a requirement's specifier; undefined when it cannot be placed. */
export function specifierEdit(site: RequirementSite, wish: SpecifierWish, dialect: Dialect): TextEdit | undefined {
  return site.spec ? { range: site.spec, newText: writeSpecifier(wish, dialect) } : undefined;
}

/**
 * The edits that write a new requirement just under (or, in a one-line list, just after) an
 * existing one, in the same form: a line of a requirements file or YAML list, a Poetry
 * `name = "spec"` line, or a quoted item of a TOML or Python list; in a notebook's `pip install`
 * line, the next argument of the command. Undefined where that form cannot be continued safely
 * (a `\` continuation, a Poetry table header).
 */
export function requirementAfter(site: RequirementSite, requirement: KerasRequirement, name: string, wish: SpecifierWish | undefined, text: string): TextEdit[] | undefined {
  const { lineText, line } = site;
  if (requirement.installLine) {
    // The next argument of the same `pip install`, quoted when it has a specifier (`>` redirects in a shell).
    const after = { line, character: site.whole.end.character + (site.quote ? 1 : 0) };
    const spec = wish ? writeSpecifier(wish, requirement.dialect) : '';
    return [{ range: { start: after, end: after }, newText: spec ? ` "${name}${spec}"` : ` ${name}` }];
  }
  if (/\\\s*$/.test(lineText)) return undefined;
  const eol = eolOf(text);
  const endOfLine = { line, character: lineText.length };
  const indent = /^\s*/.exec(lineText)![0];
  const spec = wish ? writeSpecifier(wish, requirement.dialect) : '';
  if (site.keyValue) {
    if (!/^\s*["']?[\w.-]+["']?\s*=/.test(lineText)) return undefined;
    return [{ range: { start: endOfLine, end: endOfLine }, newText: `${eol}${indent}${name} = "${spec || '*'}"` }];
  }
  if (site.quote) {
    const closing = lineText.indexOf(site.quote, site.whole.end.character);
    if (closing === -1) return undefined;
    const item = `${site.quote}${name}${spec}${site.quote}`;
    const rest = lineText.slice(closing + 1);
    const afterQuote = { line, character: closing + 1 };
    // The item ends its line (a list written one item per line): the new item goes on the next line.
    if (/^\s*,?\s*(#.*)?$/.test(rest) && lineText.slice(0, site.whole.start.character - 1).trim() === '') {
      // The last item, without a comma: the comma goes after it, the new item (last too) on the next line.
      if (!rest.trimStart().startsWith(',')) return [{ range: { start: afterQuote, end: afterQuote }, newText: ',' }, { range: { start: endOfLine, end: endOfLine }, newText: `${eol}${indent}${item}` }];
      return [{ range: { start: endOfLine, end: endOfLine }, newText: `${eol}${indent}${item},` }];
    }
    return [{ range: { start: afterQuote, end: afterQuote }, newText: `, ${item}` }];
  }
  // A line of its own: the same lead (indentation, a YAML `- `) before the new requirement.
  const lead = lineText.slice(0, site.whole.start.character);
  if (lead.trim() !== '' && lead.trim() !== '-') return undefined;
  return [{ range: { start: endOfLine, end: endOfLine }, newText: `${eol}${lead}${name}${spec}` }];
}

// ---------------------------------------------------------------------------------------------
// The code's use of the tf_keras package

/** Where a Python file of the project uses Keras 2 through the tf_keras package. */
export interface LegacyKerasUse {
  /** The file, as the adapter names it. */
  file: string;
  range: Range;
  /** For messages: "`import tf_keras`", "`TF_USE_LEGACY_KERAS` set to "1"". */
  what: string;
  /** Where it is, for messages: "train.py, line 2", or a notebook's "forecast.ipynb, cell 3, line 1". */
  where: string;
}

/**
 * The uses of tf_keras in one Python file: the first use of a `tf_keras` name (its import), and
 * each setting of `TF_USE_LEGACY_KERAS` in `os.environ` to an on value, in time or not: a late
 * one still routes `tf.keras` there at its first use.
 */
export function legacyKerasUses(file: string, text: string, envMagics: readonly EnvMagic[] = []): LegacyKerasUse[] {
  if (!text.includes('tf_keras') && !text.includes('TF_USE_LEGACY_KERAS') && envMagics.length === 0) return [];
  const root = parseSyntax(text).root;
  const versions = detectKerasVersions(root, new ImportTable(root), 'auto', undefined, envMagics);
  const uses: LegacyKerasUse[] = [];
  const tfKeras = versions.used.get('tf_keras');
  if (tfKeras) {
    const imported = tfKeras.type === 'import_statement' || tfKeras.type === 'import_from_statement';
    uses.push({ file, range: nodeRange(tfKeras), what: imported ? `\`${tfKeras.text.split('\n')[0]}\`` : '`tf_keras`', where: `${file}, line ${tfKeras.startPosition.row + 1}` });
  }
  for (const setting of versions.legacy) {
    if (setting.how === 'putenv' || setting.value === undefined || !legacyOnValues.has(setting.value)) continue;
    uses.push({ file, range: setting.range, what: setting.magic ? `\`${setting.magic}\`` : `\`TF_USE_LEGACY_KERAS\` set to "${setting.value}"`, where: `${file}, line ${setting.range.start.line + 1}` });
  }
  return uses.sort((a, b) => a.range.start.line - b.range.start.line);
}

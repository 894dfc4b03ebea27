/**
 * Keras 2 or 3 from a project's dependency files (the README's "Keras 2 or Keras 3" says how):
 * `requirements*.txt`, `pyproject.toml`, `setup.cfg`, `setup.py`, `environment.yml` and
 * `Pipfile`. Pure: the caller reads the files and hands in their text; nothing here touches the
 * file system, and `setup.py` is scanned, never run.
 */

import type * as Toml from 'smol-toml' with { 'resolution-mode': 'import' };
import type { KerasVersionInfo, MinorRange } from './types';

// smol-toml ships a CommonJS build under its "require" condition, but declares its types as an
// ES module, which a CommonJS file may import for types only.
const toml = require('smol-toml') as typeof Toml;

/** A dependency file: its name for messages (a path relative to where the user looks) and its text. */
export interface ProjectFile {
  name: string;
  text: string;
}

/**
 * Reads a file that a requirements file includes (`-r other.txt`, `-c constraints.txt`), whose
 * path is written relative to the including file. Undefined when it cannot be read. Returned
 * names identify files, so an include cycle is read once.
 */
export type IncludeResolver = (target: string, includedFrom: ProjectFile) => ProjectFile | undefined;

/** A dependency on a package that decides which Keras runs. */
export interface KerasRequirement {
  /**
   * TensorFlow (its version decides what `tf.keras` is), Keras itself, the legacy Keras 2
   * package `tf-keras`, or tensorflow-hub (which requires tf-keras from 0.16 on; it says nothing
   * about the Keras version).
   */
  kind: 'tensorflow' | 'keras' | 'tf-keras' | 'tensorflow-hub';
  /** The distribution's name as written (`tensorflow-cpu`, `tf_keras`). */
  name: string;
  /** The version specifier as written (`>=2.16,<3`, Poetry's `^2.15`); undefined when none is given. */
  spec?: string;
  /** How `spec` is read: pip's PEP 440, Poetry's own forms, or a conda match spec. */
  dialect: Dialect;
  /** The environment marker, normalised (`python_version<"3.12"`); undefined when none. */
  marker?: string;
  /** The versions the specifier allows; undefined when none is given or it cannot be read. */
  allowed?: VersionRanges;
  /** The requirement as written, for messages. */
  text: string;
  file: string;
  /** One-based; undefined when the parsed value cannot be placed in the text. */
  line: number | undefined;
  /** The Keras major version that every version the requirement allows installs; undefined when it allows both. */
  major: 2 | 3 | undefined;
  /** The releases of the `keras` package it allows, by minor version, when it narrows them. */
  kerasRange?: MinorRange;
  /** Named by a notebook's `pip install` line, where other packages go on the same line. */
  installLine?: boolean;
}

/** The dependency files read for the Keras version, as file-name patterns (for file watchers too). */
export const projectFilePatterns = ['requirements*.txt', 'pyproject.toml', 'setup.cfg', 'setup.py', 'Pipfile', 'environment.yml', 'environment.yaml'];

const projectFileName = new RegExp(`^(?:${projectFilePatterns.map((p) => p.replace(/\./g, '\\.').replace(/\*/g, '.*')).join('|')})$`, 'i');

/** Whether a file name (a base name or a path) is one of the dependency files read for the Keras version. */
export function isProjectFileName(name: string): boolean {
  return projectFileName.test(baseName(name));
}

/** Every TensorFlow or Keras requirement of the files, in file order. Malformed files give none. */
export function projectRequirements(files: ProjectFile[], resolve?: IncludeResolver): KerasRequirement[] {
  const reader: Reader = { found: [], resolve, visited: new Set(files.map((f) => f.name)), depth: 0 };
  for (const file of files) readFile(file, reader);
  return reader.found;
}

/**
 * The Keras version the requirements decide, or undefined when none names TensorFlow or Keras.
 * - A pin that allows only TensorFlow < 2.16 or only Keras < 3 means Keras 2; only TensorFlow
 *   >= 2.16 or only Keras >= 3 means Keras 3. An unpinned or wider requirement is no evidence,
 *   although today's install of it would be Keras 3: an old environment or lock file may hold 2.
 * - `tf-keras` says which names use the legacy package (`tf_keras.X`, or `tf.keras.X` with
 *   `TF_USE_LEGACY_KERAS`), not which `keras` is installed: it is no evidence here, except that
 *   tf-keras >= 2.16 requires TensorFlow of its own minor, and so Keras 3.
 * - Where pins narrow the minor version (`keras>=3.9`, `tensorflow==2.15.*`), `range` says so.
 * - Pins that disagree (a stale file, or different pins per platform marker) decide nothing.
 * A source is given even when the version stays unknown, to say what was read.
 */
export function kerasVersionFromRequirements(all: KerasRequirement[]): KerasVersionInfo | undefined {
  const requirements = all.filter((r) => r.kind !== 'tensorflow-hub');
  if (requirements.length === 0) return undefined;
  // tf-keras from 2.16 on requires TensorFlow of its minor, so it says Keras 3 like a TensorFlow pin.
  const pins = requirements.filter((r) => r.kind !== 'tf-keras' || r.major === 3);
  const keras2 = pins.find((r) => r.major === 2);
  const keras3 = pins.find((r) => r.major === 3);
  if (keras2 && keras3) {
    return { major: undefined, source: `project files disagree: ${describe(keras2)} means Keras 2, ${describe(keras3)} Keras 3` };
  }
  const decisive = keras2 ?? keras3;
  if (decisive) {
    const info: KerasVersionInfo = { major: decisive.major, source: describe(decisive) };
    let range: MinorRange | undefined = {};
    for (const r of pins) if (r.kerasRange && range) range = intersectMinor(range, r.kerasRange);
    if (range && (range.low || range.high)) info.range = range;
    return info;
  }
  return { major: undefined, source: `${describe(requirements[0]!)} pins neither Keras 2 nor Keras 3` };
}

/** The Keras version of a project from its dependency files; undefined when none names TensorFlow or Keras. */
export function projectKerasVersion(files: ProjectFile[], resolve?: IncludeResolver): KerasVersionInfo | undefined {
  return kerasVersionFromRequirements(projectRequirements(files, resolve));
}

function describe(requirement: KerasRequirement): string {
  return `\`${requirement.text}\` in ${requirement.file}${requirement.line ? ` (line ${requirement.line})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Packages

type Kind = KerasRequirement['kind'];

/** Distributions of TensorFlow (their versions follow TensorFlow's), of Keras, and of legacy Keras 2. */
const packageKinds = new Map<string, Kind>(Object.entries({
  tensorflow: 'tensorflow',
  'tensorflow-cpu': 'tensorflow',
  'tensorflow-gpu': 'tensorflow',
  'tensorflow-macos': 'tensorflow',
  'tensorflow-intel': 'tensorflow',
  'tensorflow-aarch64': 'tensorflow',
  'tensorflow-cpu-aws': 'tensorflow',
  'tensorflow-rocm': 'tensorflow',
  'intel-tensorflow': 'tensorflow',
  'tf-nightly': 'tensorflow',
  'tf-nightly-cpu': 'tensorflow',
  'tf-nightly-gpu': 'tensorflow',
  'tf-nightly-macos': 'tensorflow',
  keras: 'keras',
  'keras-nightly': 'keras',
  'tf-keras': 'tf-keras',
  'tf-keras-nightly': 'tf-keras',
  'tensorflow-hub': 'tensorflow-hub',
} satisfies Record<string, Kind>));

/** PEP 503 normalisation: `TF_Keras` and `tf.keras` name the same distribution as `tf-keras`. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export type Dialect = 'pep440' | 'poetry' | 'conda';

/** Records a requirement when it names a package of interest. `spec` undefined: no version given. */
function addRequirement(reader: Reader, name: string, spec: string | undefined, dialect: Dialect, text: string, file: string, line: number | undefined, marker?: string): void {
  const kind = packageKinds.get(normalizeName(name));
  if (!kind) return;
  const ranges = spec === undefined ? undefined : parseConstraint(spec, dialect);
  // tf-keras says which names use the legacy package, not which `keras` is installed; only from
  // 2.16 on does it pin TensorFlow >= 2.16, which installs Keras 3 (2.15 declares no dependency).
  const major = ranges && kind !== 'tensorflow-hub' ? majorAllowed(ranges, kind === 'keras' ? keras3 : tensorflowWithKeras3) : undefined;
  const requirement: KerasRequirement = { kind, name, dialect, text: text.trim(), file, line, major: kind === 'tf-keras' && major === 2 ? undefined : major };
  if (spec !== undefined) requirement.spec = spec.trim();
  if (ranges) requirement.allowed = ranges;
  const normalisedMarker = marker?.replace(/\s+/g, '').replace(/'/g, '"');
  if (normalisedMarker) requirement.marker = normalisedMarker;
  const kerasRange = ranges && kind !== 'tensorflow-hub' && kerasReleases(kind, ranges);
  if (kerasRange) requirement.kerasRange = kerasRange;
  reader.found.push(requirement);
}

/** The versions a requirement allows: a union of ranges, read only through the functions below. */
export type VersionRanges = readonly Range[];

/** Whether the versions allowed include some release of the minor `[major, minor]` (`2.15.*`). */
export function allowsMinor(allowed: VersionRanges, minor: readonly [number, number]): boolean {
  const releases = prefixRange({ epoch: 0, release: [...minor] });
  return allowed.some((r) => !isEmpty(r) && !isEmpty(intersect(r, releases)));
}

/** The minors of the releases allowed, from the lowest to one past the highest; undefined when unbounded below. */
export function allowedMinors(allowed: VersionRanges): MinorRange | undefined {
  return minorHull([...allowed]);
}

/** The one minor `[major, minor]` every allowed version belongs to, if there is one. */
export function onlyMinor(allowed: VersionRanges): [number, number] | undefined {
  const hull = minorHull([...allowed]);
  if (!hull?.low || !hull.high) return undefined;
  return compareMinor([hull.low[0], hull.low[1] + 1], hull.high) === 0 ? [hull.low[0], hull.low[1]] : undefined;
}

/**
 * The `keras` releases that a requirement's ranges allow, by minor: Keras's own pins directly;
 * TensorFlow 2.7–2.15 pin keras of their own minor, and TensorFlow (or tf-keras) >= 2.16 needs Keras 3.
 */
function kerasReleases(kind: Kind, ranges: Range[]): MinorRange | undefined {
  const hull = minorHull(ranges);
  if (!hull?.low) return undefined;
  if (kind === 'keras') return hull;
  if (compareMinor(hull.low, [2, 16]) >= 0) return { low: [3, 0] };
  if (kind === 'tensorflow' && compareMinor(hull.low, [2, 7]) >= 0 && hull.high && compareMinor(hull.high, [2, 16]) <= 0) return hull;
  return undefined;
}

/** The smallest [low, high) of minors holding every range; undefined when a range is unbounded below. */
function minorHull(ranges: Range[]): MinorRange | undefined {
  let low: [number, number] | undefined;
  let high: [number, number] | undefined;
  let open = false;
  for (const range of ranges.filter((r) => !isEmpty(r))) {
    if (!range.low) return undefined;
    const l: [number, number] = [range.low.release[0] ?? 0, range.low.release[1] ?? 0];
    if (!low || compareMinor(l, low) < 0) low = l;
    if (!range.high) open = true;
    else {
      const h = range.high;
      // `<3.10` (3.10.dev0, exclusive) ends before 3.10; `<=3.9.2` or `<3.9.5` still allow part of 3.9.
      const endsAtMinor = !range.highInclusive && h.dev === 0 && (h.release[2] ?? 0) === 0 && h.release.length <= 3;
      const e: [number, number] = [h.release[0] ?? 0, (h.release[1] ?? 0) + (endsAtMinor ? 0 : 1)];
      if (!high || compareMinor(e, high) > 0) high = e;
    }
  }
  if (!low) return undefined;
  return open || !high ? { low } : { low, high };
}

export function compareMinor(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** The releases both ranges allow; undefined when they cannot meet. */
export function intersectMinor(a: MinorRange, b: MinorRange): MinorRange | undefined {
  const low = !a.low ? b.low : !b.low ? a.low : compareMinor(a.low, b.low) >= 0 ? a.low : b.low;
  const high = !a.high ? b.high : !b.high ? a.high : compareMinor(a.high, b.high) <= 0 ? a.high : b.high;
  if (low && high && compareMinor(low, high) >= 0) return undefined;
  return { ...(low ? { low } : {}), ...(high ? { high } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Versions (PEP 440 ordering) and the ranges that specifiers allow

interface Version {
  epoch: number;
  release: number[];
  /** Phase (a 0, b 1, rc 2) and number. */
  pre?: [number, number];
  post?: number;
  dev?: number;
}

const versionPattern =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|beta|preview|pre|a|b|c|rc)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;

function parseVersion(text: string): Version | undefined {
  const m = versionPattern.exec(text.trim());
  if (!m) return undefined;
  const version: Version = { epoch: Number(m[1] ?? 0), release: m[2]!.split('.').map(Number) };
  if (m[3] !== undefined) {
    const phase = m[3].toLowerCase();
    version.pre = [phase.startsWith('a') ? 0 : phase.startsWith('b') ? 1 : 2, Number(m[4] || 0)];
  }
  if (m[5] !== undefined || m[6] !== undefined) version.post = Number(m[5] ?? (m[6] || 0));
  if (m[7] !== undefined) version.dev = Number(m[7] || 0);
  return version;
}

/** The earliest version of a release (`2.16.dev0`, before `2.16.0rc0`). */
function earliest(release: number[], epoch = 0): Version {
  return { epoch, release, dev: 0 };
}

/** The release with the component at `index` incremented and the rest dropped: 2.15.1 at 1 gives 2.16. */
function bump(release: number[], index: number): number[] {
  const next = release.slice(0, index + 1);
  while (next.length <= index) next.push(0);
  next[index]! += 1;
  return next;
}

/** The phase keys of PEP 440: a dev release sorts before pre-releases, a final release after them. */
function phaseKey(v: Version): number[] {
  const pre = v.pre ?? (v.post === undefined && v.dev !== undefined ? [-1, 0] : [3, 0]);
  return [pre[0]!, pre[1]!, v.post ?? -1, v.dev ?? Infinity];
}

function compareVersions(a: Version, b: Version): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const length = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < length; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return d;
  }
  const ka = phaseKey(a);
  const kb = phaseKey(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

/** A contiguous set of versions; a missing bound is unbounded. */
interface Range {
  low?: Version;
  lowInclusive: boolean;
  high?: Version;
  highInclusive: boolean;
}

const everything: Range = { lowInclusive: true, highInclusive: true };

function intersect(a: Range, b: Range): Range {
  const result: Range = { ...a };
  if (b.low) {
    const c = a.low ? compareVersions(b.low, a.low) : 1;
    if (c > 0 || (c === 0 && !b.lowInclusive)) Object.assign(result, { low: b.low, lowInclusive: b.lowInclusive });
  }
  if (b.high) {
    const c = a.high ? compareVersions(b.high, a.high) : -1;
    if (c < 0 || (c === 0 && !b.highInclusive)) Object.assign(result, { high: b.high, highInclusive: b.highInclusive });
  }
  return result;
}

function isEmpty(r: Range): boolean {
  if (!r.low || !r.high) return false;
  const c = compareVersions(r.low, r.high);
  return c > 0 || (c === 0 && !(r.lowInclusive && r.highInclusive));
}

/** The first TensorFlow that installs Keras 3 as `tf.keras`, and the first Keras 3. */
const tensorflowWithKeras3 = earliest([2, 16]);
const keras3 = earliest([3]);

/** 2 when every allowed version is below the threshold, 3 when every one is at or above it. */
function majorAllowed(ranges: Range[], threshold: Version): 2 | 3 | undefined {
  const allowed = ranges.filter((r) => !isEmpty(r));
  if (allowed.length === 0) return undefined;
  const below = (r: Range) => r.high !== undefined && (r.highInclusive ? compareVersions(r.high, threshold) < 0 : compareVersions(r.high, threshold) <= 0);
  const above = (r: Range) => r.low !== undefined && compareVersions(r.low, threshold) >= 0;
  if (allowed.every(below)) return 2;
  if (allowed.every(above)) return 3;
  return undefined;
}

/**
 * The versions a specifier allows, as a union of ranges; undefined when it cannot be read.
 * - pep440: `>=2.16,<3`, `==2.15.*`, `~=2.13.0`, `!=2.14.0` (requirements, PEP 621, Pipfile);
 * - poetry: also `^2.15`, `~2.15`, a bare `2.15.0` (exact), `*`, `>=2.10 <2.16` and `||`;
 * - conda: also a bare `2.15` (exact), `2.15*` (prefix) and `|`.
 * `!=` only removes single versions, so it never decides between Keras 2 and 3 and is not kept.
 */
function parseConstraint(spec: string, dialect: Dialect): Range[] | undefined {
  const alternatives = dialect === 'pep440' ? [spec] : spec.split(/\|\|?/);
  const ranges: Range[] = [];
  for (const alternative of alternatives) {
    // Operators may be followed by spaces (`>= 2.16`); Poetry also separates clauses by spaces.
    const compact = alternative.replace(/(===|==|!=|~=|>=|<=|[<>=^~])\s+/g, '$1').trim();
    const clauses = (dialect === 'pep440' ? compact.split(',') : compact.split(/[,\s]+/)).map((c) => c.trim()).filter(Boolean);
    let range = everything;
    for (const clause of clauses) {
      const clauseRange = parseClause(clause, dialect);
      if (!clauseRange) return undefined;
      range = intersect(range, clauseRange);
    }
    ranges.push(range);
  }
  return ranges;
}

function parseClause(clause: string, dialect: Dialect): Range | undefined {
  const m = /^(===|==|!=|~=|>=|<=|<|>|=|\^|~)?\s*(.*)$/.exec(clause)!;
  const operator = m[1] ?? '';
  const operand = m[2]!;
  if (operand === '*' && dialect !== 'pep440' && (operator === '' || operator === '==' || operator === '=')) return everything;
  if (operator === '!=') return everything;
  const wildcard = /^(.*?)\.?\*$/.exec(operand);
  if (wildcard && ['==', '=', ''].includes(operator) && (operator === '==' || dialect !== 'pep440')) {
    const prefix = parseVersion(wildcard[1]!);
    if (!prefix || prefix.pre || prefix.post !== undefined || prefix.dev !== undefined) return undefined;
    return prefixRange(prefix);
  }
  if (operator === '===') {
    const exact = parseVersion(operand);
    return exact ? { low: exact, lowInclusive: true, high: exact, highInclusive: true } : undefined;
  }
  const version = parseVersion(operand);
  if (!version) return undefined;
  switch (operator) {
    case '==':
      return { low: version, lowInclusive: true, high: version, highInclusive: true };
    case '=':
    case '':
      // A bare version is exact in PEP 440 (where it is invalid), Poetry and conda's spaced form.
      if (dialect === 'pep440' && operator === '') return undefined;
      return { low: version, lowInclusive: true, high: version, highInclusive: true };
    case '>=':
      return { low: version, lowInclusive: true, highInclusive: true };
    case '>':
      return { low: version, lowInclusive: false, highInclusive: true };
    case '<=':
      return { lowInclusive: true, high: version, highInclusive: true };
    case '<': {
      // `<2.16` excludes the pre-releases of 2.16 too, unless the bound is itself a pre-release (PEP 440).
      const final = !version.pre && version.dev === undefined && version.post === undefined;
      return { lowInclusive: true, high: final ? earliest(version.release, version.epoch) : version, highInclusive: false };
    }
    case '~=':
      if (version.release.length < 2) return undefined;
      return { low: version, lowInclusive: true, high: earliest(bump(version.release, version.release.length - 2), version.epoch), highInclusive: false };
    case '^': {
      // Poetry: up to the next change of the first non-zero component (^2.15 < 3, ^0.2 < 0.3).
      const index = version.release.findIndex((n) => n !== 0);
      const upTo = index === -1 ? version.release.length - 1 : index;
      return { low: version, lowInclusive: true, high: earliest(bump(version.release, upTo), version.epoch), highInclusive: false };
    }
    case '~': {
      // Poetry: ~2.15.1 and ~2.15 allow 2.15.x, ~2 allows 2.x.
      const upTo = version.release.length >= 2 ? 1 : 0;
      return { low: version, lowInclusive: true, high: earliest(bump(version.release, upTo), version.epoch), highInclusive: false };
    }
    default:
      return undefined;
  }
}

/** `2.15.*`: from 2.15.dev0 up to, not including, 2.16.dev0. */
function prefixRange(prefix: Version): Range {
  return {
    low: earliest(prefix.release, prefix.epoch),
    lowInclusive: true,
    high: earliest(bump(prefix.release, prefix.release.length - 1), prefix.epoch),
    highInclusive: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the files

interface Reader {
  found: KerasRequirement[];
  resolve: IncludeResolver | undefined;
  /** Names of files already read, so that include cycles end. */
  visited: Set<string>;
  depth: number;
}

/** Includes nested deeper than this are not followed. */
const maxIncludeDepth = 8;

function readFile(file: ProjectFile, reader: Reader): void {
  const base = baseName(file.name).toLowerCase();
  if (base === 'pyproject.toml') readPyproject(file, reader);
  else if (base === 'pipfile') readPipfile(file, reader);
  else if (base === 'setup.cfg') readSetupCfg(file, reader);
  else if (base === 'setup.py') readSetupPy(file, reader);
  else if (base === 'environment.yml' || base === 'environment.yaml') readEnvironmentYml(file, reader);
  else readRequirementLines(splitLines(file.text), file, reader);
}

function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
}

interface NumberedLine {
  text: string;
  /** One-based. */
  line: number;
}

function splitLines(text: string): NumberedLine[] {
  return text.split(/\r?\n|\r/).map((t, i) => ({ text: t, line: i + 1 }));
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** A comment runs from a `#` at the start of a line or after whitespace (pip, YAML and INI agree). */
function stripComment(text: string): string {
  return text.replace(/(^|\s)#.*$/, '').trim();
}

/**
 * pip's requirements file format: comments, `\` continuations, `-r`/`-c` includes (followed
 * through the resolver), other options ignored, per-requirement options (`--hash=...`) dropped.
 */
function readRequirementLines(lines: NumberedLine[], file: ProjectFile, reader: Reader): void {
  let pending = '';
  let pendingLine = 0;
  for (const { text, line } of lines) {
    if (pending === '') pendingLine = line;
    if (/\\$/.test(text) && !/(^|\s)#/.test(text)) {
      pending += text.slice(0, -1);
      continue;
    }
    const logical = stripComment(pending + text);
    pending = '';
    if (logical === '') continue;
    const include = /^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^\s-]))(\S+)/.exec(logical);
    if (include) {
      readInclude(include[1]!, file, reader);
      continue;
    }
    if (logical.startsWith('-')) continue;
    readPep508(logical.replace(/\s--?[a-z].*$/i, ''), file, pendingLine, reader);
  }
}

function readInclude(target: string, from: ProjectFile, reader: Reader): void {
  if (!reader.resolve || reader.depth >= maxIncludeDepth) return;
  const included = reader.resolve(target, from);
  if (!included || reader.visited.has(included.name)) return;
  reader.visited.add(included.name);
  reader.depth++;
  try {
    // An include is a requirements file whatever its name (`-r base.in`).
    readRequirementLines(splitLines(included.text), included, reader);
  } finally {
    reader.depth--;
  }
}

/** `name[extras] specifiers ; marker`, `name (specifiers)`, or `name @ url` (a wheel's name gives its version). */
function readPep508(requirement: string, file: ProjectFile, line: number | undefined, reader: Reader): void {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$/s.exec(requirement);
  if (!m) return;
  const name = m[1]!;
  let rest = m[2]!.trim();
  if (rest.startsWith('@')) {
    const url = rest.slice(1).trim().split(/\s+;|\s/)[0]!;
    const artifact = /([^/#?]+?)(?:\.whl|\.tar\.gz|\.zip)(?:[#?].*)?$/.exec(url);
    const version = artifact ? /^[^-]+-([^-]+)/.exec(artifact[1]!)?.[1] : undefined;
    addRequirement(reader, name, version ? `==${version}` : undefined, 'pep440', requirement, file.name, line);
    return;
  }
  const [specifiers, ...marker] = rest.split(';');
  rest = specifiers!.trim();
  const parenthesised = /^\((.*)\)$/.exec(rest);
  if (parenthesised) rest = parenthesised[1]!.trim();
  if (!/^(?:[<>=!~]|$)/.test(rest)) return;
  addRequirement(reader, name, rest === '' ? undefined : rest, 'pep440', requirement, file.name, line, marker.join(';'));
}

/** Finds where parsed values were written, for the line numbers that TOML parsers do not give. */
class LineFinder {
  private readonly next = new Map<string, number>();
  constructor(private readonly text: string) {}

  /** The line of the next occurrence not returned yet of a literal string. */
  string(value: string): number | undefined {
    const from = this.next.get(value) ?? 0;
    const index = this.text.indexOf(value, from);
    if (index === -1) return undefined;
    this.next.set(value, index + value.length);
    return lineAt(this.text, index);
  }

  /** The line of the next `key =` or `[table.key]` not returned yet (bare or quoted key). */
  key(key: string): number | undefined {
    const quoted = `["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?`;
    const pattern = new RegExp(`^[ \\t]*(?:${quoted}[ \\t]*=|\\[[^\\]\\n]*\\.${quoted}[ \\t]*\\])`, 'gmi');
    pattern.lastIndex = this.next.get(`key:${key}`) ?? 0;
    const m = pattern.exec(this.text);
    if (!m) return undefined;
    this.next.set(`key:${key}`, m.index + m[0].length);
    return lineAt(this.text, m.index);
  }
}

type TomlTable = Toml.TomlTable;

function parseTomlTable(text: string): TomlTable | undefined {
  try {
    return toml.parse(text);
  } catch {
    return undefined;
  }
}

function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function tableAt(root: unknown, path: string[]): TomlTable | undefined {
  let value = root;
  for (const key of path) value = isTable(value) ? value[key] : undefined;
  return isTable(value) ? value : undefined;
}

function stringsIn(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function readPep508Strings(values: unknown, file: ProjectFile, finder: LineFinder, reader: Reader): void {
  for (const requirement of stringsIn(values)) readPep508(requirement, file, finder.string(requirement), reader);
}

/**
 * PEP 621 dependencies and extras, PEP 735 groups, Poetry (main, dev and groups), PDM and uv
 * development dependencies, uv constraints and overrides, and setuptools' dynamic
 * `dependencies = { file = [...] }`, which is read like an include.
 */
function readPyproject(file: ProjectFile, reader: Reader): void {
  const root = parseTomlTable(file.text);
  if (!root) return;
  const finder = new LineFinder(file.text);
  const project = tableAt(root, ['project']);
  readPep508Strings(project?.dependencies, file, finder, reader);
  for (const extra of Object.values(tableAt(project, ['optional-dependencies']) ?? {})) readPep508Strings(extra, file, finder, reader);
  for (const group of Object.values(tableAt(root, ['dependency-groups']) ?? {})) readPep508Strings(group, file, finder, reader);
  for (const group of Object.values(tableAt(root, ['tool', 'pdm', 'dev-dependencies']) ?? {})) readPep508Strings(group, file, finder, reader);
  const uv = tableAt(root, ['tool', 'uv']);
  for (const key of ['dev-dependencies', 'constraint-dependencies', 'override-dependencies']) readPep508Strings(uv?.[key], file, finder, reader);
  const dynamic = tableAt(root, ['tool', 'setuptools', 'dynamic', 'dependencies'])?.file;
  for (const target of typeof dynamic === 'string' ? [dynamic] : stringsIn(dynamic)) readInclude(target, file, reader);

  const poetry = tableAt(root, ['tool', 'poetry']);
  const poetryTables = [tableAt(poetry, ['dependencies']), tableAt(poetry, ['dev-dependencies'])];
  for (const group of Object.values(tableAt(poetry, ['group']) ?? {})) poetryTables.push(tableAt(group, ['dependencies']));
  for (const table of poetryTables) readDependencyTable(table, 'poetry', file, finder, reader);
}

/** Pipfile: `[packages]`, `[dev-packages]` and any other category of packages. */
function readPipfile(file: ProjectFile, reader: Reader): void {
  const root = parseTomlTable(file.text);
  if (!root) return;
  const finder = new LineFinder(file.text);
  for (const [section, table] of Object.entries(root)) {
    if (['source', 'requires', 'scripts', 'pipenv'].includes(section) || !isTable(table)) continue;
    readDependencyTable(table, 'pep440', file, finder, reader);
  }
}

/**
 * A table of `name = "spec"`, `name = { version = "spec", ... }` or, in Poetry, an array of such
 * tables (one per platform or Python version, any of which may apply).
 */
function readDependencyTable(table: TomlTable | undefined, dialect: Dialect, file: ProjectFile, finder: LineFinder, reader: Reader): void {
  for (const [name, value] of Object.entries(table ?? {})) {
    if (!packageKinds.has(normalizeName(name))) continue;
    const entries = Array.isArray(value) ? value : [value];
    const specs = entries.map((entry) => (typeof entry === 'string' ? entry : isTable(entry) && typeof entry.version === 'string' ? entry.version : undefined));
    // A git, path or URL dependency names no version; neither does `*`.
    const known = specs.every((s): s is string => s !== undefined && s.trim() !== '' && s.trim() !== '*');
    const written = known ? specs.join(' || ') : undefined;
    // Pipfile takes a bare version as an exact pin.
    const spec = written !== undefined && dialect === 'pep440' && /^\d/.test(written.trim()) ? `==${written.trim()}` : written;
    // Poetry's `markers`, `python` and `platform` keys restrict an entry as a PEP 508 marker does.
    const marker = entries.flatMap((entry) => (isTable(entry) ? ['markers', 'python', 'platform'].flatMap((k) => (typeof entry[k] === 'string' ? [`${k}:${entry[k]}`] : [])) : [])).join('|');
    addRequirement(reader, name, spec, dialect, written === undefined ? name : `${name} = "${written}"`, file.name, finder.key(name), marker);
  }
}

/** setup.cfg: `install_requires` in `[options]` and every extra in `[options.extras_require]`. */
function readSetupCfg(file: ProjectFile, reader: Reader): void {
  let section = '';
  let collecting = false;
  for (const { text, line } of splitLines(file.text)) {
    if (/^\s*[#;]/.test(text) || text.trim() === '') continue;
    const header = /^\s*\[([^\]]+)\]/.exec(text);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      collecting = false;
      continue;
    }
    let value: string;
    if (/^\S/.test(text)) {
      const entry = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(text);
      if (!entry) continue;
      const key = entry[1]!.trim().toLowerCase().replace(/-/g, '_');
      collecting = (section === 'options' && key === 'install_requires') || section === 'options.extras_require';
      value = entry[2]!;
    } else {
      value = text;
    }
    const requirement = stripComment(value);
    if (collecting && requirement !== '') readPep508(requirement, file, line, reader);
  }
}

/**
 * setup.py: the string literals of `install_requires=[...]` and `extras_require={...}`, or of
 * the list a name passed there is bound to. The file is scanned as text, never run.
 */
function readSetupPy(file: ProjectFile, reader: Reader): void {
  const text = withoutComments(file.text);
  const keyword = /\b(install_requires|extras_require)(?:\s*=|["']\s*:)\s*(?:([[({])|([A-Za-z_]\w*))/g;
  for (let m = keyword.exec(text); m; m = keyword.exec(text)) {
    let open = m[2] ? m.index + m[0].length - 1 : -1;
    if (m[3]) {
      // `install_requires=REQUIRED`: the last binding of that name before the call.
      const binding = [...text.slice(0, m.index).matchAll(new RegExp(`^[ \\t]*${m[3]}[ \\t]*=[ \\t]*([[({])`, 'gm'))].pop();
      if (binding) open = binding.index + binding[0].length - 1;
    }
    if (open === -1) continue;
    for (const literal of pythonStrings(text, open)) readPep508(literal.value, file, lineAt(text, literal.index), reader);
  }
}

/** Where the content and the whole of the Python string literal whose opening quote is at `start` end (exclusive). */
function stringEnd(text: string, start: number): { contentStart: number; contentEnd: number; end: number } {
  const c = text[start]!;
  const quote = text.startsWith(c.repeat(3), start) ? c.repeat(3) : c;
  let j = start + quote.length;
  while (j < text.length && !text.startsWith(quote, j)) {
    if (text[j] === '\\') j++;
    else if (quote.length === 1 && text[j] === '\n') break;
    j++;
  }
  return { contentStart: start + quote.length, contentEnd: j, end: Math.min(j + quote.length, text.length) };
}

/** Python source with its comments blanked out, offsets kept. */
function withoutComments(text: string): string {
  let result = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const { end } = stringEnd(text, i);
      result += text.slice(i, end);
      i = end;
    } else if (c === '#') {
      const newline = text.indexOf('\n', i);
      const end = newline === -1 ? text.length : newline;
      result += ' '.repeat(end - i);
      i = end;
    } else {
      result += c;
      i++;
    }
  }
  return result;
}

/** The string literals inside the bracket at `open` (of comment-free text), skipping dictionary keys. */
function pythonStrings(text: string, open: number): Array<{ value: string; index: number }> {
  const found: Array<{ value: string; index: number }> = [];
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const { contentStart, contentEnd, end } = stringEnd(text, i);
      if (!/^\s*:/.test(text.slice(end, end + 20))) found.push({ value: text.slice(contentStart, contentEnd), index: i });
      i = end;
      continue;
    }
    if ('[({'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) break;
    i++;
  }
  return found;
}

/**
 * environment.yml: the conda `dependencies` list and its `pip:` sublist. Only the block lists of
 * strings (and one-line flow lists) that these files hold are understood, not YAML at large:
 * anything else is skipped, never guessed.
 */
function readEnvironmentYml(file: ProjectFile, reader: Reader): void {
  let inDependencies = false;
  let pipIndent = -1;
  const pipLines: NumberedLine[] = [];
  for (const { text, line } of splitLines(file.text)) {
    const content = stripComment(text);
    if (content === '' || content === '---') continue;
    const indent = /^ */.exec(text)![0].length;
    if (indent === 0 && !content.startsWith('-')) {
      const dependencies = /^dependencies\s*:\s*(.*)$/.exec(content);
      inDependencies = dependencies !== null;
      pipIndent = -1;
      if (dependencies) for (const item of flowList(dependencies[1]!)) readCondaSpec(item, file, line, reader);
      continue;
    }
    if (!inDependencies) continue;
    const item = /^(\s*)-\s+(.*)$/.exec(text) ?? /^(\s*)-()$/.exec(text);
    if (!item) continue;
    const itemIndent = item[1]!.length;
    const value = unquote(stripComment(item[2]!));
    if (pipIndent >= 0 && itemIndent > pipIndent) {
      pipLines.push({ text: value, line });
      continue;
    }
    const pip = /^pip\s*:\s*(.*)$/.exec(value);
    pipIndent = pip ? itemIndent : -1;
    if (pip) for (const entry of flowList(pip[1]!)) pipLines.push({ text: entry, line });
    else readCondaSpec(value, file, line, reader);
  }
  readRequirementLines(pipLines, file, reader);
}

/** The items of a one-line YAML flow list (`[a, "b"]`); none for anything else. */
function flowList(text: string): string[] {
  const m = /^\[(.*)\]$/.exec(text.trim());
  return m ? m[1]!.split(',').map((s) => unquote(s.trim())).filter(Boolean) : [];
}

function unquote(text: string): string {
  const m = /^(["'])(.*)\1$/.exec(text.trim());
  return m ? m[2]! : text.trim();
}

/**
 * A conda match spec: `tensorflow`, `tensorflow=2.15` (2.15.*), `tensorflow==2.15.0`,
 * `tensorflow>=2.16`, `tensorflow 2.15.*`, `tensorflow=2.15=cuda*` (with a build),
 * `conda-forge::tensorflow`, `tensorflow[version='>=2.16']`.
 */
function readCondaSpec(spec: string, file: ProjectFile, line: number, reader: Reader): void {
  const withoutChannel = spec.replace(/^[^\s:]*::/, '').trim();
  const m = /^([A-Za-z0-9_.-]+)\s*(.*)$/.exec(withoutChannel);
  if (!m) return;
  const name = m[1]!;
  const rest = m[2]!;
  let version: string | undefined;
  const bracket = /^\[.*\bversion\s*=\s*["']?([^"',\]]+)/.exec(rest);
  if (bracket) version = bracket[1]!.trim();
  else if (rest.startsWith('==')) version = `==${rest.slice(2).split('=')[0]}`;
  else if (rest.startsWith('=')) {
    const fuzzy = rest.slice(1).split('=')[0]!;
    version = fuzzy.endsWith('*') ? fuzzy : `${fuzzy}.*`;
  } else if (rest !== '') {
    // `>=2.16`, or the spaced form `2.15.*` / `>= 2.16` before an optional build string.
    version = rest.replace(/^(===|==|!=|~=|>=|<=|[<>])\s+/, '$1').split(/\s+/)[0];
  }
  addRequirement(reader, name, version, 'conda', spec, file.name, line);
}

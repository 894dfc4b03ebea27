import { conciseFormat } from './concise';
import type { OutputFormat } from './format';
import { fullFormat } from './full';
import { githubFormat } from './github';
import { gitlabFormat } from './gitlab';
import { jsonFormat, jsonLinesFormat } from './json';
import { junitFormat } from './junit';
import { sarifFormat } from './sarif';
import { textFormat } from './text';

/** The output formats of `ksm check`, in the order `--help` lists them; the first is the default. */
export const outputFormats: readonly OutputFormat[] = [textFormat, conciseFormat, fullFormat, jsonFormat, jsonLinesFormat, sarifFormat, githubFormat, gitlabFormat, junitFormat];

export function outputFormat(name: string): OutputFormat | undefined {
  return outputFormats.find((f) => f.name === name);
}

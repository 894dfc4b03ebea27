import { locationLabel, type OutputFormat } from './format';

/**
 * JUnit XML, which CI servers (GitLab, Jenkins, Azure) show as test results: one testsuite per
 * checked file; in it one failing testcase per finding (JUnit readers show one failure per
 * testcase), or, for a file without findings, one passing testcase named after the file.
 */

/** Text and attribute values: the five XML specials, and characters XML 1.0 cannot hold dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attributes = (values: Record<string, string | number>): string =>
  Object.entries(values).map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`).join('');

export const junitFormat: OutputFormat = {
  name: 'junit',
  description: 'JUnit XML: a testsuite per file, a failing testcase per finding',
  emit(files) {
    const total = files.reduce((sum, f) => sum + f.findings.length, 0);
    const tests = files.reduce((sum, f) => sum + Math.max(1, f.findings.length), 0);
    const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attributes({ name: 'keras-savedmodel-lint', tests, failures: total, errors: 0 })}>`];
    for (const { file, findings } of files) {
      lines.push(`  <testsuite${attributes({ name: file, tests: Math.max(1, findings.length), failures: findings.length, errors: 0 })}>`);
      if (findings.length === 0) lines.push(`    <testcase${attributes({ name: file, classname: file })}/>`);
      for (const f of findings) {
        const where = locationLabel(file, f);
        lines.push(
          `    <testcase${attributes({ name: `${f.code} ${f.name} at ${where.slice(file.length + 1)}`, classname: file })}>`,
          `      <failure${attributes({ type: f.code, message: f.message })}>${escapeXml(`${where}: ${f.code} [${f.severity}] ${f.message}${f.detail ? `\n${f.detail}` : ''}`)}</failure>`,
          '    </testcase>',
        );
      }
      lines.push('  </testsuite>');
    }
    lines.push('</testsuites>');
    return lines.join('\n') + '\n';
  },
};

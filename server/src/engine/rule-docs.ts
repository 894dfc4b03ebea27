import type { Rule } from './rules/rule';

/** The project's public repository and home page (package.json's `repository` and `homepage`). */
export const repositoryUrl = 'https://github.com/keras-savedmodel-lint/keras-savedmodel-lint';
export const homepageUrl = repositoryUrl;

/** A rule's public documentation page, for outputs read away from this machine (CI reports, JSON). */
export function rulePageUrl(code: string): string {
  return `${repositoryUrl}/blob/main/docs/rules/${code}.md`;
}

/**
 * The rules the README's table lists, in its order, as `KSM101 save-before-compile`: the rows that
 * link the code to its page and name the rule. Its other columns are prose written for the README.
 */
export function readmeRuleRows(readme: string): string[] {
  return [...readme.matchAll(/^\| \[(KSM\d{3})\]\(docs\/rules\/\1\.md\) \| `([a-z0-9-]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`);
}

/** A rule's documentation as Markdown: the page in docs/rules/ and the output of `ksm explain`. */
export function renderRuleDoc(rule: Rule): string {
  const d = rule.docs;
  return [
    `# ${rule.code} \`${rule.name}\``,
    '',
    `${rule.summary}.`,
    '',
    `- **Severity:** ${rule.severity}`,
    `- **Fix:** ${rule.fixSafety === 'none' ? 'none' : rule.fixSafety}`,
    rule.suppressible === false
      ? `- **Suppress:** not with \`# noqa\`; leave the rule out (\`--ignore ${rule.code}\`, \`ignore = ["${rule.code}"]\`)`
      : `- **Suppress:** \`# noqa: ${rule.code}\` or \`# noqa: ${rule.name}\` on the flagged line`,
    '',
    '## What it does',
    '',
    d.what,
    '',
    '## Why it matters for saving',
    '',
    d.why,
    '',
    '## Not flagged',
    '',
    d.notFlagged,
    '',
    '## Example',
    '',
    '```python',
    d.example,
    '```',
    '',
    'Fixed:',
    '',
    '```python',
    d.fixed,
    '```',
    '',
    '## Fixes',
    '',
    d.fix,
    '',
    '## References',
    '',
    ...d.references.map((r) => `- ${r}`),
    '',
  ].join('\n');
}

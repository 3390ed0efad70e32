/**
 * The Markdown export (`--markdown FILE|-`): the HTML report's verdict, thresholds, metrics and
 * assumptions as GitHub-flavoured Markdown, for a pull-request comment or a CI job summary
 * ($GITHUB_STEP_SUMMARY). Reads only RunResult; user strings are escaped so they cannot break a table.
 */
import { rolloutSeconds } from '../metrics/result.ts';
import type { RunResult } from '../metrics/result.ts';
import { relativeSentence, relatives, verdicts } from './compare.ts';
import { formatActual } from './thresholds.ts';
import { formatBytes, formatDuration, formatRate, formatUSD } from '../scenario/units.ts';
import { singleLine } from './untrusted.ts';

/**
 * Inline text: one line (line breaks and tabs as spaces, hidden characters revealed, see untrusted.ts),
 * Markdown punctuation backslash-escaped (emphasis, code, links, tables, strikethrough), `<`, `>` and `&`
 * as entities (no raw HTML, no autolink), and a leading `#`, `+`, `-`, `=` or `1.` escaped so a string at
 * the start of a line or list item cannot become a heading, a list or a setext underline.
 */
export function escapeMarkdown(s: string): string {
  return singleLine(s)
    .replace(/[\\`*_[\]|<>&~]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`))
    .replace(/^(\s*)([#+=-]|\d+(?=[.)]))/, (_m, space: string, lead: string) => (/\d/.test(lead) ? `${space}${lead}\\` : `${space}\\${lead}`));
}

/** A code span for an identifier (metric path, price id): falls back to escaped text if it holds a backtick or a pipe. */
export function markdownCode(s: string): string {
  return /^[^`|\r\n]*$/.test(s) && singleLine(s) === s ? `\`${s}\`` : escapeMarkdown(s);
}

/** A GitHub-flavoured Markdown table; the cells must be escaped already (escapeMarkdown). */
export function markdownTable(head: string[], rows: string[][], align: ('l' | 'r')[]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${align.map((a) => (a === 'r' ? '---:' : ':---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

export function renderMarkdown(result: RunResult): string {
  const e = escapeMarkdown;
  const names = result.variants.map((v) => e(v.name));
  const lines: string[] = [
    `# ${e(result.scenario.name)}`,
    '',
    `${e(`${result.tool.name} ${result.tool.version}`)} · seed ${result.seed}${result.replications ? ` · ${result.replications} replications` : ''}`,
    '',
    '## Verdict',
    '',
  ];
  for (const r of relatives(result)) lines.push(`- **${e(relativeSentence(r))}**`);
  if (relatives(result).length > 0) lines.push('');
  const vs = verdicts(result);
  lines.push(
    ...markdownTable(
      ['criterion', 'measure', ...names, 'best'],
      vs.map((v) => [
        v.criterion,
        v.measure,
        ...v.values.map((x, i) => {
          const pm = v.plusMinus[i] ? ` ${e(v.plusMinus[i])}` : '';
          return v.winners.includes(result.variants[i].name) ? `**${e(x)}**${pm} ✓` : `${e(x)}${pm}`;
        }),
        (v.winners.length ? v.winners.map(e).join(', ') : result.variants.length < 2 ? '—' : 'tie') + (v.clear === false ? ' (within noise)' : v.clear ? ' (clear)' : ''),
      ]),
      ['l', 'l', ...names.map(() => 'r' as const), 'l'],
    ),
    '',
  );
  const th = result.thresholds ?? [];
  if (th.length > 0) {
    const failed = th.filter((t) => !t.ok).length;
    lines.push(`### Thresholds: ${failed === 0 ? `all ${th.length} passed` : `${failed} of ${th.length} failed`}`, '');
    lines.push(
      ...markdownTable(
        ['', 'variant', 'metric', 'expression', 'actual'],
        th.map((t) => [t.ok ? '✓' : '✗', e(t.variant), markdownCode(t.metric), markdownCode(t.expression), e(formatActual(t.metric, t.actual))]),
        ['l', 'l', 'l', 'l', 'r'],
      ),
      '',
    );
  }
  const m = result.variants.map((v) => v.metrics);
  const row = (label: string, f: (i: number) => string) => [label, ...m.map((_, i) => e(f(i)))];
  lines.push(
    '## Metrics',
    '',
    ...markdownTable(
      ['', ...names],
      [
        row('pulls (failed)', (i) => `${m[i].pulls} (${m[i].pulls_failed})`),
        row('ingress', (i) => formatBytes(m[i].ingress_bytes)),
        row('internet', (i) => formatBytes(m[i].internet_bytes)),
        row('cross-zone', (i) => formatBytes(m[i].cross_zone_bytes)),
        row('registry egress', (i) => formatBytes(m[i].registry_egress_bytes)),
        row('registry peak', (i) => formatRate(m[i].registry_peak_Bps)),
        ...(['p50', 'p90', 'p99', 'max'] as const).map((p) => row(`rollout ${p}`, (i) => formatDuration(rolloutSeconds(m[i], p)))),
        row('cost per day', (i) => formatUSD(m[i].cost_usd_per_day)),
      ],
      ['l', ...names.map(() => 'r' as const)],
    ),
    '',
  );
  const summary = result.scenario.summary ?? [];
  if (summary.length > 0) lines.push('## Assumptions', '', ...summary.map((s) => `- ${e(s)}`), '');
  const prices = result.variants[0]?.prices ?? [];
  if (prices.length > 0) {
    lines.push(
      `Prices (${e(result.variants[0].name)}; see the HTML report for every variant):`,
      '',
      ...markdownTable(
        ['price', 'value', 'as of', 'source', 'basis'],
        prices.map((p) => [markdownCode(p.id), e(p.display), e(p.asOf), e(p.source), e(p.basis)]),
        ['l', 'r', 'l', 'l', 'l'],
      ),
      '',
    );
  }
  return lines.join('\n');
}

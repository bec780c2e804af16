// A report a person reads: counts by verdict and by reason, then each blocked call with the line the
// browser printed and the fix. Pure; `MarkdownReport` takes calls one at a time, so a long import keeps
// only the blocked calls in memory.
import type { Exchange, Fix, Verdict, VerdictKind } from '../cors/types';

export interface MarkdownRow {
  exchange: Exchange;
  evaluation?: Verdict;
}

const VERDICT_ORDER: VerdictKind[] = ['blocked', 'network-error', 'allowed', 'opaque', 'same-origin'];

// Chromium's names say "AllowOrigin" for the Access-Control-Allow-Origin header, and so on.
const HEADER_WORDS: [RegExp, string][] = [
  [/AllowOrigin/g, ' Access-Control-Allow-Origin '],
  [/AllowCredentials/g, ' Access-Control-Allow-Credentials '],
  [/AllowMethods/g, ' Access-Control-Allow-Methods '],
  [/AllowHeaders/g, ' Access-Control-Allow-Headers '],
];

/** Chromium's CorsError name in plain words: "PreflightMissingAllowOriginHeader" → "preflight: missing Access-Control-Allow-Origin header". */
export function reasonWords(chromium: string): string {
  const preflight = chromium.startsWith('Preflight');
  let s = preflight ? chromium.slice('Preflight'.length) : chromium;
  for (const [re, words] of HEADER_WORDS) s = s.replace(re, words);
  const words = s
    .split(' ')
    .map((part) =>
      part.startsWith('Access-Control-') ? part : part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(),
    )
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return preflight ? `preflight: ${words}` : words;
}

/** The first sentence of a verdict's summary, without its "Blocked:" or "Network error:" opening. */
function summaryReason(v: Verdict): string {
  const s = v.summary.replace(/^[A-Za-z -]+: /, '');
  return s.split(/ \(|\. /)[0]!.replace(/\.$/, '');
}

/** A code span or fence that its content cannot close. */
export function fence(content: string, min: number): string {
  let longest = 0;
  for (const m of content.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(min, longest + 1));
}

export function code(s: string): string {
  const f = fence(s, 1);
  return f.length > 1 || s.startsWith('`') || s.endsWith('`') ? `${f} ${s} ${f}` : `${f}${s}${f}`;
}

/** Prose for a table cell or a list item: one line, Markdown's own characters escaped. */
export const cell = (s: string) => s.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_<>[\]|]/g, '\\$&');

function fixLine(f: Fix): string {
  if (f.action === 'status') return `answer with status ${code(f.value ?? '')}: ${cell(f.why)}`;
  if (f.action === 'remove') return `remove ${code(f.header)}: ${cell(f.why)}`;
  return `set ${code(`${f.header}: ${f.value ?? ''}`)}: ${cell(f.why)}`;
}

function fixTarget(f: Fix): string {
  return f.on === 'preflight'
    ? `the preflight (OPTIONS) response from ${code(f.url)}`
    : `the response to ${f.method} ${code(f.url)}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export class MarkdownReport {
  /** Blocked calls (and network errors) listed in full; the rest are counted. */
  constructor(private readonly maxListed = 200) {}
  private total = 0;
  private unlisted = { blocked: 0, failed: 0 };
  private byVerdict = new Map<VerdictKind, number>();
  private byReason = new Map<
    string,
    { verdict: VerdictKind; chromium: string | null; words: string; n: number }
  >();
  private byWarning = new Map<string, { n: number; example: string }>();
  private blocked: { exchange: Exchange; verdict: Verdict }[] = [];
  private failed: { exchange: Exchange; verdict: Verdict }[] = [];

  add(exchange: Exchange, verdict: Verdict): void {
    this.total++;
    this.byVerdict.set(verdict.verdict, (this.byVerdict.get(verdict.verdict) ?? 0) + 1);
    if (verdict.verdict === 'blocked' || verdict.verdict === 'network-error') {
      const chromium = verdict.error?.chromium ?? null;
      const words = chromium ? reasonWords(chromium) : summaryReason(verdict);
      const key = `${verdict.verdict}\n${chromium ?? words}`;
      const r = this.byReason.get(key);
      if (r) r.n++;
      else this.byReason.set(key, { verdict: verdict.verdict, chromium, words, n: 1 });
      const list = verdict.verdict === 'blocked' ? this.blocked : this.failed;
      if (list.length < this.maxListed) list.push({ exchange, verdict });
      else this.unlisted[verdict.verdict === 'blocked' ? 'blocked' : 'failed']++;
    }
    for (const w of verdict.warnings) {
      const seen = this.byWarning.get(w.code);
      if (seen) seen.n++;
      else this.byWarning.set(w.code, { n: 1, example: w.message });
    }
  }

  render(title = 'CORScope report'): string {
    const out: string[] = [`# ${title}`, ''];
    const counts = VERDICT_ORDER.filter((k) => this.byVerdict.has(k)).map(
      (k) => `${this.byVerdict.get(k)} ${k}`,
    );
    out.push(`${plural(this.total, 'call')}${counts.length ? `: ${counts.join(', ')}` : ''}.`, '');
    out.push('## Calls by verdict', '', '| Verdict | Calls |', '| --- | ---: |');
    for (const k of VERDICT_ORDER) if (this.byVerdict.has(k)) out.push(`| ${k} | ${this.byVerdict.get(k)} |`);
    out.push('');
    if (this.byReason.size) {
      out.push(
        '## Failed calls by reason',
        '',
        '| Verdict | Reason | Chromium error | Calls |',
        '| --- | --- | --- | ---: |',
      );
      const reasons = [...this.byReason.values()].sort(
        (a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) || b.n - a.n,
      );
      for (const r of reasons)
        out.push(`| ${r.verdict} | ${cell(r.words)} | ${r.chromium ? code(r.chromium) : '—'} | ${r.n} |`);
      out.push('');
    }
    if (this.byWarning.size) {
      out.push('## Warnings (risky policies)', '', '| Warning | Calls | Example |', '| --- | ---: | --- |');
      for (const [codeName, w] of [...this.byWarning].sort((a, b) => b[1].n - a[1].n))
        out.push(`| ${code(codeName)} | ${w.n} | ${cell(w.example)} |`);
      out.push('');
    }
    if (this.blocked.length) {
      out.push('## Blocked calls', '');
      this.blocked.forEach(({ exchange, verdict }, i) => {
        out.push(...blockedSection(i + 1, exchange, verdict));
      });
      if (this.unlisted.blocked) out.push(`And ${plural(this.unlisted.blocked, 'more blocked call')}.`, '');
    }
    if (this.failed.length) {
      out.push('## Network errors', '');
      for (const { exchange, verdict } of this.failed) {
        out.push(
          `- ${exchange.request.method} ${code(exchange.request.url)} (${code(verdict.id)}): ${cell(summaryReason(verdict))}`,
        );
      }
      if (this.unlisted.failed) out.push(`- And ${plural(this.unlisted.failed, 'more network error')}.`);
      out.push('');
    }
    return `${out.join('\n').trimEnd()}\n`;
  }
}

function blockedSection(n: number, ex: Exchange, v: Verdict): string[] {
  const out = [`### ${n}. ${ex.request.method} ${code(ex.request.url)}`, ''];
  out.push(
    `Call ${code(v.id)} from ${code(ex.initiator)}; preflight ${v.preflight}${v.error ? `; failed at the ${v.error.stage}` : ''}.`,
    '',
  );
  if (v.summary) out.push(cell(v.summary), '');
  const line = v.error?.console;
  if (line) {
    const f = fence(line, 3);
    out.push('Console:', '', `${f}text`, line, f, '');
  }
  if (v.fixes.length) {
    out.push('Fix:', '');
    const groups = new Map<string, Fix[]>();
    for (const f of v.fixes) {
      const key = fixTarget(f);
      const list = groups.get(key);
      if (list) list.push(f);
      else groups.set(key, [f]);
    }
    for (const [target, fixes] of groups) {
      out.push(`- On ${target}:`);
      for (const f of fixes) out.push(`  - ${fixLine(f)}`);
    }
    out.push('');
  }
  if (v.advice.length) {
    out.push('Advice:', '');
    for (const a of v.advice) out.push(`- ${cell(a)}`);
    out.push('');
  }
  return out;
}

/** The whole report for calls in memory; `verdicts`, when given, stand in for the rows' own evaluations. */
export function toMarkdown(
  rows: readonly MarkdownRow[],
  verdicts?: readonly Verdict[],
  title?: string,
): string {
  const report = new MarkdownReport();
  rows.forEach((row, i) => {
    const v = verdicts?.[i] ?? row.evaluation;
    if (v) report.add(row.exchange, v);
  });
  return report.render(title);
}

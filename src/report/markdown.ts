// A report a person reads: counts by verdict and by reason, then each blocked call with the line the
// browser printed and the fix. Pure; `MarkdownReport` takes calls one at a time, so a long import keeps
// only the blocked calls in memory.
import { fixTarget } from '../cors/advice';
import { networkClause } from '../cors/catalog';
import { Messenger } from '../cors/messenger';
import { networkFacts } from '../cors/sentence';
import {
  type Cause,
  type Exchange,
  type Fix,
  VERDICT_KINDS,
  type Verdict,
  type VerdictKind,
} from '../cors/types';
import {
  CLASS_WORDS,
  CLASSES,
  type ClassCounts,
  countCall,
  countsLine,
  emptyCounts,
  type JudgedCall,
  outcomeBasis,
  plural,
} from './har-judge';
import { escapeChar, UNSAFE_FOR_DISPLAY } from './inert';

export interface MarkdownRow {
  exchange: Exchange;
  evaluation?: Verdict;
}

// Failures first.
const VERDICT_ORDER: VerdictKind[] = [
  'blocked',
  'network-error',
  ...VERDICT_KINDS.filter((k) => k !== 'blocked' && k !== 'network-error'),
];

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

/** A failure without a Chromium name in words: a network error's main clause. */
function networkWords(v: Verdict): string {
  const facts = networkFacts(v);
  // A row stored before verdicts carried a reason: its sentence as it stands.
  return facts ? networkClause(facts) : v.summary;
}

// Every value interpolated into the report goes through one of these: `code` (a code span), `tableCode` (a
// code span in a table cell), `text` (prose on one line) or `fenced` (a block). What a page or a HAR sent
// is then text wherever the report is pasted: no heading, list, image, HTML or Markdown link syntax can come
// out of it. One thing remains: a renderer with GFM's autolinks makes a bare URL (http://…, www.…) or e-mail
// address in prose a link, as it would in any text; a value in a code span or a block stays text.

/** Control characters, line breaks included, as visible escapes: a value stays on its line. */
const oneLine = (s: string) => s.replace(UNSAFE_FOR_DISPLAY, escapeChar);

/** A code span or fence that its content cannot close. */
export function fence(content: string, min: number): string {
  let longest = 0;
  for (const m of content.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(min, longest + 1));
}

export function code(raw: string): string {
  const s = oneLine(raw);
  const f = fence(s, 1);
  return f.length > 1 || s.startsWith('`') || s.endsWith('`') ? `${f} ${s} ${f}` : `${f}${s}${f}`;
}

/** A code span in a table cell: GFM splits cells at "|" even inside code, unless it is escaped. */
export const tableCode = (raw: string) => code(raw).replace(/\|/g, '\\|');

/**
 * Prose on one line: control characters visible, Markdown's inline characters escaped, and a line that
 * would open a block (a list item, a thematic break, a setext underline) made plain.
 */
export function text(raw: string): string {
  const s = oneLine(raw.replace(/\s*[\r\n]+\s*/g, ' ')).replace(/[\\`*_<>[\]|#!~&]/g, '\\$&');
  return s.replace(/^([-+=])|^(\d+)([.)])/, (_m, mark: string, digits: string, dot: string) =>
    mark ? `\\${mark}` : `${digits}\\${dot}`,
  );
}

/** A fenced block of text: the fence outlasts any run of backticks in it; control characters visible. */
export function fenced(raw: string, info: string): string[] {
  const body = raw.replace(/\r\n?/g, '\n').split('\n').map(oneLine).join('\n');
  const f = fence(body, 3);
  return [`${f}${info}`, body, f];
}

function fixLine(f: Fix): string {
  if (f.action === 'status') return `answer with status ${code(f.value ?? '')}: ${text(f.why)}`;
  if (f.action === 'remove') return `remove ${code(f.header)}: ${text(f.why)}`;
  return `set ${code(`${f.header}: ${f.value ?? ''}`)}: ${text(f.why)}`;
}

export class MarkdownReport {
  /**
   * Blocked calls (and network errors) listed in full; the rest are counted. `where` names the calls the
   * report covers, for what their evidence says ("in this file").
   */
  constructor(
    private readonly maxListed = 200,
    where = 'in this report',
  ) {
    this.messenger = new Messenger(where);
  }
  /** When CORS is only the messenger: the evidence of every call, for the listed ones' causes. */
  private readonly messenger: Messenger;
  private total = 0;
  private unlisted = { blocked: 0, failed: 0 };
  private byVerdict = new Map<VerdictKind, number>();
  private byReason = new Map<
    string,
    { verdict: VerdictKind; chromium: string | null; words: string; n: number }
  >();
  private byWarning = new Map<string, { n: number; example: string }>();
  private blocked: { exchange: Exchange; verdict: Verdict; basis?: string }[] = [];
  private failed: { exchange: Exchange; verdict: Verdict }[] = [];
  /** Calls not blocked whose verdict depends on what the recording does not show. */
  private depending: { exchange: Exchange; verdict: Verdict }[] = [];
  /** A HAR's calls by class (addJudged); null when the report holds captured CORS calls only. */
  private classes: ClassCounts | null = null;
  private notJudged = new Map<string, { cls: string; text: string; n: number }>();
  private others: JudgedCall[] = [];
  private unlistedOthers = 0;

  /** One call of a HAR, of any class: a CORS call is added with its verdict; the others are counted. */
  addJudged(j: JudgedCall, listAll: boolean): void {
    this.classes ??= emptyCounts();
    countCall(this.classes, j);
    if (j.verdict) {
      this.add(j.call.exchange, j.verdict);
      const last = this.blocked[this.blocked.length - 1];
      if (j.verdict.verdict === 'blocked' && last?.verdict === j.verdict) last.basis = outcomeBasis(j.call);
      return;
    }
    const key = `${j.scope.class}\n${j.scope.reason}`;
    const r = this.notJudged.get(key);
    if (r) r.n++;
    else this.notJudged.set(key, { cls: CLASS_WORDS[j.scope.class], text: j.scope.text, n: 1 });
    if (!listAll) return;
    if (this.others.length < this.maxListed) this.others.push(j);
    else this.unlistedOthers++;
  }

  add(exchange: Exchange, verdict: Verdict): void {
    this.total++;
    this.messenger.see(exchange);
    this.byVerdict.set(verdict.verdict, (this.byVerdict.get(verdict.verdict) ?? 0) + 1);
    if (verdict.verdict === 'blocked' || verdict.verdict === 'network-error') {
      const chromium = verdict.error?.chromium ?? null;
      const words = chromium ? reasonWords(chromium) : networkWords(verdict);
      const key = `${verdict.verdict}\n${chromium ?? words}`;
      const r = this.byReason.get(key);
      if (r) r.n++;
      else this.byReason.set(key, { verdict: verdict.verdict, chromium, words, n: 1 });
      const list = verdict.verdict === 'blocked' ? this.blocked : this.failed;
      if (list.length < this.maxListed) list.push({ exchange, verdict });
      else this.unlisted[verdict.verdict === 'blocked' ? 'blocked' : 'failed']++;
    }
    if (verdict.dependsOn && verdict.verdict !== 'blocked' && this.depending.length < this.maxListed)
      this.depending.push({ exchange, verdict });
    for (const w of verdict.warnings) {
      const seen = this.byWarning.get(w.code);
      if (seen) seen.n++;
      else this.byWarning.set(w.code, { n: 1, example: w.message });
    }
  }

  render(title = 'CORScope report'): string {
    const out: string[] = [`# ${text(title)}`, ''];
    if (this.classes) {
      out.push(`${countsLine(this.classes)}.`, '');
      out.push('## Calls by class', '', '| Class | Calls | HAR entries |', '| --- | ---: | ---: |');
      for (const k of CLASSES) {
        const c = this.classes.byClass[k];
        out.push(`| ${CLASS_WORDS[k]} | ${c.calls} | ${c.entries} |`);
      }
      out.push('');
      if (this.notJudged.size) {
        out.push('## Calls not judged, by reason', '', '| Class | Reason | Calls |', '| --- | --- | ---: |');
        for (const r of [...this.notJudged.values()].sort((a, b) => b.n - a.n))
          out.push(`| ${r.cls} | ${text(r.text)} | ${r.n} |`);
        out.push('');
      }
      out.push('Only CORS calls are judged below.', '');
    }
    const counts = VERDICT_ORDER.filter((k) => this.byVerdict.has(k)).map(
      (k) => `${this.byVerdict.get(k)} ${k}`,
    );
    out.push(`${plural(this.total, 'call')}${counts.length ? `: ${counts.join(', ')}` : ''}.`, '');
    out.push('## Calls by verdict', '', '| Verdict | Calls |', '| --- | ---: |');
    for (const k of VERDICT_ORDER)
      if (this.byVerdict.has(k)) out.push(`| ${text(k)} | ${this.byVerdict.get(k)} |`);
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
        out.push(
          `| ${text(r.verdict)} | ${text(r.words)} | ${r.chromium ? tableCode(r.chromium) : '—'} | ${r.n} |`,
        );
      out.push('');
    }
    if (this.byWarning.size) {
      out.push('## Warnings (risky policies)', '', '| Warning | Calls | Example |', '| --- | ---: | --- |');
      for (const [codeName, w] of [...this.byWarning].sort((a, b) => b[1].n - a[1].n))
        out.push(`| ${tableCode(codeName)} | ${w.n} | ${text(w.example)} |`);
      out.push('');
    }
    if (this.blocked.length) {
      out.push('## Blocked calls', '');
      this.blocked.forEach(({ exchange, verdict, basis }, i) => {
        out.push(
          ...blockedSection(i + 1, exchange, verdict, basis, this.messenger.causeOf(exchange, verdict)),
        );
      });
      if (this.unlisted.blocked) out.push(`And ${plural(this.unlisted.blocked, 'more blocked call')}.`, '');
    }
    if (this.depending.length) {
      out.push('## Verdicts that depend on what the recording does not show', '');
      for (const { exchange, verdict } of this.depending)
        out.push(
          `### ${text(exchange.request.method)} ${code(exchange.request.url)} (${code(verdict.id)})`,
          '',
          ...readingsSection(verdict),
        );
    }
    if (this.failed.length) {
      out.push('## Network errors', '');
      for (const { exchange, verdict } of this.failed) {
        const cause = this.messenger.causeOf(exchange, verdict);
        out.push(
          `- ${text(exchange.request.method)} ${code(exchange.request.url)} (${code(verdict.id)}): ${text(cause ? `${cause.summary} ${cause.fix}` : networkWords(verdict))}`,
        );
      }
      if (this.unlisted.failed) out.push(`- And ${plural(this.unlisted.failed, 'more network error')}.`);
      out.push('');
    }
    if (this.others.length) {
      out.push('## Calls not judged', '');
      for (const j of this.others) {
        const { method, url } = j.call.exchange.request;
        out.push(`- ${text(method)} ${code(url)}: ${CLASS_WORDS[j.scope.class]}: ${text(j.scope.text)}`);
      }
      if (this.unlistedOthers) out.push(`- And ${plural(this.unlistedOthers, 'more call')}.`);
      out.push('');
    }
    return `${out.join('\n').trimEnd()}\n`;
  }
}

function blockedSection(n: number, ex: Exchange, v: Verdict, basis?: string, cause?: Cause | null): string[] {
  const out = [`### ${n}. ${text(ex.request.method)} ${code(ex.request.url)}`, ''];
  out.push(
    `Call ${code(v.id)} from ${code(ex.initiator)}; preflight ${text(v.preflight)}${v.error ? `; failed at the ${text(v.error.stage)}` : ''}${basis ? `; ${text(basis)}` : ''}.`,
    '',
  );
  // What really failed comes first; the CORS part second.
  if (cause) out.push(`What really failed: ${text(cause.summary)}`, '', `First: ${text(cause.fix)}`, '');
  if (v.summary) out.push(cause ? `CORS part: ${text(v.summary)}` : text(v.summary), '');
  out.push(...readingsSection(v));
  const line = v.error?.console;
  if (line) out.push('Console:', '', ...fenced(line, 'text'), '');
  if (v.fixes.length) {
    out.push('Fix:', '');
    const groups = new Map<string, Fix[]>();
    for (const f of v.fixes) {
      const key = fixTarget(f, code, text);
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
    for (const a of v.advice) out.push(`- ${text(a)}`);
    out.push('');
  }
  return out;
}

/** A verdict that depends on what the recording does not give: each reading, with its console line. */
function readingsSection(v: Verdict): string[] {
  const d = v.dependsOn;
  if (!d) return [];
  const out = [
    `It depends on the ${text(d.input)} mode, which the recording does not show (${text(d.basis)}):`,
    '',
  ];
  for (const [value, r] of Object.entries(d.readings)) {
    out.push(`- ${text(r.when)}${value === d.assumed ? ' (assumed above)' : ''}: ${text(r.summary)}`);
    if (r.error?.console) out.push('', ...fenced(r.error.console, 'text').map((l) => `  ${l}`));
  }
  out.push('');
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

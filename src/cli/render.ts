// One call explained for a terminal or a Markdown file, as the panel explains it: what went over the wire,
// the verdict and the browser's console line, every check, the fix and the warnings. What a server sent is
// data: control characters (bidirectional ones too) are made visible for a terminal, Markdown syntax
// escaped for a report.
import { type Exchange, fixTarget, type Verdict } from '../cors';
import { visible } from '../report/inert';
import { code, fenced, tableCode, text } from '../report/markdown';
import { entryLabel, fixText, redirectLocation } from '../ui/format';
import { formatTable } from './table';

/** Extra facts about a probed call that the verdict alone does not carry. */
export interface CallNotes {
  /** The request held back without --send. */
  notSent?: { method: string; url: string } | null;
  /** Why no answer came. */
  failure?: string | null;
  refusedRedirect?: string | null;
}

/** The one-line verdict: "allowed (preflight sent)", "preflight passed; PUT not sent". */
function verdictLine(v: Verdict, notes: CallNotes = {}): string {
  if (notes.notSent && v.verdict !== 'blocked')
    return `preflight passed; ${notes.notSent.method} not sent (without --send only GET and HEAD are sent)`;
  return `${v.verdict} (preflight ${v.preflight})`;
}

/** The summary sentence, or what stands in for it when the request was held back. */
function summaryLine(v: Verdict, notes: CallNotes = {}): string {
  if (notes.notSent && v.verdict !== 'blocked') {
    const { method, url } = notes.notSent;
    return `The preflight allows ${method}: the browser would now send ${method} ${url}. CORScope did not send it (its method is not GET or HEAD; --send sends it), so whether its response allows the page is not known.`;
  }
  return v.summary;
}

/** The fixes, or for a held-back request what its response will need. */
function fixHeading(notes: CallNotes, v: Verdict): string {
  return notes.notSent && v.verdict !== 'blocked' ? 'The response to the request will also need' : 'Fix';
}

const wireLine = (ex: Exchange, i: number): string[] => {
  const w = ex.wire[i]!;
  const loc = redirectLocation(w);
  return [
    entryLabel(ex.wire, i),
    `${w.request.method} ${w.request.url}`,
    `${w.response ? w.response.status : 'no response'}${loc ? ` to ${loc}` : ''}`,
  ];
};

/** The call explained for a terminal. */
export function explainText(ex: Exchange, v: Verdict, notes: CallNotes = {}): string {
  const out: string[] = [];
  const t = (rows: string[][], headers: string[], widths: number[] = []) =>
    formatTable(
      headers,
      rows.map((r) => r.map(visible)),
      widths,
    )
      .split('\n')
      .map((l) => `  ${l}`);
  out.push(visible(`${ex.request.method} ${ex.request.url} from origin ${ex.initiator}`), '');
  out.push(
    ...t(
      ex.wire.map((_, i) => wireLine(ex, i)),
      ['STEP', 'REQUEST', 'RESPONSE'],
    ),
  );
  if (notes.notSent) out.push(visible(`  (not sent)  ${notes.notSent.method} ${notes.notSent.url}`));
  out.push('', `Verdict: ${verdictLine(v, notes)}`, visible(summaryLine(v, notes)));
  if (notes.failure) out.push(visible(`Probe failure: ${notes.failure}`));
  if (notes.refusedRedirect) out.push(visible(`Not followed: ${notes.refusedRedirect}.`));
  if (v.error?.console) {
    const who = v.engine === 'firefox' ? 'Firefox' : 'Chromium';
    out.push('', `${who} console:`, `  ${visible(v.error.console)}`);
  }
  if (v.checks.length) {
    out.push('', 'Checks:');
    out.push(
      ...t(
        v.checks.map((c) => [c.result, c.title, c.required, c.seen]),
        ['RESULT', 'CHECK', 'REQUIRED', 'SEEN'],
        [6, 64, 56, 80],
      ),
    );
  }
  if (v.fixes.length) {
    out.push('', `${fixHeading(notes, v)}:`);
    for (const f of v.fixes)
      out.push(visible(`  On ${fixTarget(f)}: ${fixText(f)}`), visible(`      ${f.why}`));
  }
  for (const a of v.advice) out.push(visible(`  ${a}`));
  if (v.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of v.warnings) out.push(visible(`  - ${w.message}`));
  }
  if (v.exposed) out.push('', visible(`Readable response headers: ${v.exposed.join(', ') || '(none)'}`));
  return `${out.join('\n')}\n`;
}

/** The call explained in Markdown, for a pull request or an issue. */
export function explainMarkdown(ex: Exchange, v: Verdict, notes: CallNotes = {}): string {
  const c = text;
  const out: string[] = [`## ${c(ex.request.method)} ${code(ex.request.url)}`, ''];
  out.push(`From origin ${code(ex.initiator)}. Verdict: **${c(verdictLine(v, notes))}**.`, '');
  out.push(c(summaryLine(v, notes)), '');
  if (notes.failure) out.push(`Probe failure: ${c(notes.failure)}`, '');
  if (notes.refusedRedirect) out.push(`Not followed: ${c(notes.refusedRedirect)}.`, '');
  out.push('| Step | Request | Response |', '| --- | --- | --- |');
  for (let i = 0; i < ex.wire.length; i++) {
    const [step, req, res] = wireLine(ex, i);
    out.push(`| ${c(step!)} | ${tableCode(req!)} | ${c(res!)} |`);
  }
  if (notes.notSent)
    out.push(`| not sent | ${tableCode(`${notes.notSent.method} ${notes.notSent.url}`)} | |`);
  out.push('');
  if (v.error?.console) {
    out.push(
      `${v.engine === 'firefox' ? 'Firefox' : 'Chromium'} console:`,
      '',
      ...fenced(v.error.console, 'text'),
      '',
    );
  }
  if (v.checks.length) {
    out.push('| Result | Check | Required | Seen |', '| --- | --- | --- | --- |');
    for (const k of v.checks) out.push(`| ${k.result} | ${c(k.title)} | ${c(k.required)} | ${c(k.seen)} |`);
    out.push('');
  }
  if (v.fixes.length) {
    out.push(`${fixHeading(notes, v)}:`, '');
    for (const f of v.fixes) out.push(`- On ${c(fixTarget(f))}: ${code(fixText(f))}. ${c(f.why)}`);
    out.push('');
  }
  for (const a of v.advice) out.push(`${c(a)}`, '');
  if (v.warnings.length) {
    out.push('Warnings:', '');
    for (const w of v.warnings) out.push(`- ${c(w.message)}`);
    out.push('');
  }
  if (v.exposed) out.push(`Readable response headers: ${v.exposed.map(code).join(', ') || 'none'}.`, '');
  return `${out.join('\n').trimEnd()}\n`;
}

// `corscope har FILE`: a HAR file in (from any browser, recorder or proxy, or CORScope), each call's class
// out, and a verdict for each CORS call. The file is read as a stream and each call is judged and written as
// soon as it is complete, so memory stays bounded: jsonl and json keep nothing per call; the table keeps a
// row of a few words per listed call, and the Markdown report its counts and the first calls it lists.
import { Messenger, type PendingCause, pendingCause } from '../cors/messenger';
import type { Cause, Engine, Verdict, Warning } from '../cors/types';
import { HarImport, type HarIssue, harEngine } from '../report/har-import';
import {
  CLASS_WORDS,
  type ClassCounts,
  countCall,
  countsLine,
  emptyCounts,
  HarJudge,
  type JudgedCall,
  outcomeBasis,
} from '../report/har-judge';
import { MarkdownReport } from '../report/markdown';
import { causeFirst, type TextRow, textRow, verdictTableLines, withCause } from './evaluate';
import { type Io, jsonLine, LineCap, openInput, term, write } from './io';

export const HAR_FORMATS = ['table', 'json', 'jsonl', 'markdown'] as const;
export type HarFormat = (typeof HAR_FORMATS)[number];
export const FAIL_ON = ['blocked', 'warning'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Warnings about the recording, not about the server's policy: they fail nothing. */
const NOT_RISKY = new Set<Warning['code']>(['api-unknown']);

const isRisky = (v: Verdict): boolean => v.warnings.some((w) => !NOT_RISKY.has(w.code));

function issueLine(file: string, i: HarIssue): string {
  const where = i.entry !== null ? `entry ${i.entry}: ` : `${file}: `;
  return `${term(`corscope har: ${i.level === 'note' ? 'note: ' : ''}${where}${i.message}`.replace(/\n/g, ' '))}\n`;
}

/** One line of `--format json|jsonl`: a judged CORS call's verdict, or another call's class and reason. */
function callJson(j: JudgedCall, cause: Cause | null): Record<string, unknown> {
  const { method, url } = j.call.exchange.request;
  const where = { method, url, entries: j.call.entries };
  if (j.verdict)
    return { ...withCause(j.verdict, cause), class: 'cors', outcomeFrom: j.call.outcomeFrom, ...where };
  const s = j.scope;
  return {
    id: j.call.exchange.id,
    class: s.class,
    reason: s.reason,
    summary: s.text,
    mode: s.mode,
    destination: s.destination,
    origin: s.origin,
    ...where,
  };
}

/** The table's row for a call: a CORS call's verdict, or (with --all) another call's class and reason. */
function tableRow(j: JudgedCall): TextRow {
  const { method, url } = j.call.exchange.request;
  if (!j.verdict)
    return { id: j.call.exchange.id, method, url, verdict: CLASS_WORDS[j.scope.class], reason: j.scope.text };
  const row = textRow({ row: j.verdict, method, url });
  if (j.verdict.verdict === 'blocked') row.reason = `${row.reason} [${outcomeBasis(j.call)}]`;
  return row;
}

export interface HarRunOptions {
  /** List the calls that are not judged too (their class and reason). */
  all?: boolean;
}

/**
 * Exit status: 2 when a CORS call fails the --fail-on test (blocked; with warning, also a risky policy),
 * else 1 when the input had errors, else 0. Calls of any other class never fail it.
 */
export async function runHar(
  file: string,
  format: HarFormat,
  failOn: FailOn,
  io: Io,
  /** null: Firefox's for a HAR Firefox wrote, else Chromium's (see harEngine). */
  engine: Engine | null = null,
  opts: HarRunOptions = {},
): Promise<number> {
  const input = await openInput(file, io);
  if (input instanceof Error) {
    await write(io.stderr, term(`corscope har: cannot read ${file}: ${input.message}\n`));
    return 66;
  }
  const imp = new HarImport();
  const judge = new HarJudge(() => engine ?? harEngine(imp.meta) ?? 'chromium');
  const table: TextRow[] = [];
  const report = format === 'markdown' ? new MarkdownReport(undefined, 'in this file') : null;
  // When CORS is only the messenger: the CORS calls' evidence, for each failed call's cause. JSON goes out as
  // calls come, with what the calls before showed; the table waits for all of them (and so does Markdown).
  const messenger = new Messenger('in this file', format === 'json' || format === 'jsonl');
  const pending: { at: number; cause: PendingCause }[] = [];
  const counts = emptyCounts();
  const errors: HarIssue[] = [];
  let lines = 0;
  let failing = 0;
  let inputErrors = 0;
  // A HAR of thousands of bad entries: the first of each kind are printed, the rest counted.
  const cap = new LineCap();
  const flushIssues = async () => {
    for (const i of imp.issues.splice(0)) {
      if (i.level !== 'note') inputErrors++;
      if (format === 'json') errors.push(i);
      if (cap.take(`${i.level}: ${i.field ?? i.message.replace(/[\d,]+/g, 'N').slice(0, 40)}`))
        await write(io.stderr, issueLine(file, i));
    }
  };
  if (format === 'json') await write(io.stdout, '{"calls":[');
  for await (const call of imp.calls(input as AsyncIterable<Uint8Array>)) {
    const j = judge.judge(call);
    countCall(counts, j);
    const v = j.verdict;
    if (v) messenger.see(j.call.exchange);
    if (v && (v.verdict === 'blocked' || (failOn === 'warning' && isRisky(v)))) failing++;
    if (format === 'jsonl' || format === 'json') {
      const line = jsonLine(callJson(j, v ? messenger.causeOf(j.call.exchange, v) : null));
      await write(io.stdout, format === 'jsonl' ? `${line}\n` : `${lines > 0 ? ',' : ''}\n${line}`);
      lines++;
    } else if (report) report.addJudged(j, opts.all ?? false);
    else if (v || opts.all) {
      table.push(tableRow(j));
      // Its cause waits for the evidence of every call: only a few fields are kept meanwhile.
      const cause = v ? pendingCause(j.call.exchange, v) : null;
      if (cause) pending.push({ at: table.length - 1, cause });
    }
    if (imp.issues.length) await flushIssues();
  }
  await flushIssues();
  for (const line of cap.summary()) await write(io.stderr, `${term(`corscope har: ${line}`)}\n`);
  const summary = countsLine(counts);
  if (format === 'json') {
    await write(
      io.stdout,
      `\n],"entries":${imp.entriesRead},"counts":${jsonLine(countsJson(counts))},"errors":${jsonLine(errors)}}\n`,
    );
  } else if (report) {
    await write(io.stdout, report.render(`CORScope report: ${file === '-' ? 'standard input' : file}`));
  } else if (format === 'table') {
    for (const { at, cause } of pending)
      table[at]!.reason = causeFirst(messenger.explain(cause), table[at]!.reason);
    await write(io.stdout, `${summary}\n\n`);
    let batch: string[] = [];
    // No CORS call: no table, only the line about the calls not listed.
    for (const line of table.length ? verdictTableLines(table) : []) {
      batch.push(line);
      if (batch.length === 1000) {
        await write(io.stdout, `${batch.join('\n')}\n`);
        batch = [];
      }
    }
    const hidden = counts.calls - counts.byClass.cors.calls;
    const more =
      !opts.all && hidden
        ? `${table.length ? '\n' : ''}${hidden === 1 ? '1 call not judged is' : `${hidden} calls not judged are`} not listed (--all lists them).\n`
        : '';
    await write(io.stdout, `${batch.length ? `${batch.join('\n')}\n` : ''}${more}`);
  }
  if (inputErrors) {
    const n = `${inputErrors} input ${inputErrors === 1 ? 'error' : 'errors'}`;
    await write(io.stderr, term(`corscope har: ${n}; ${summary}\n`));
  }
  if (failing) return 2;
  return inputErrors ? 1 : 0;
}

/** The counts as JSON: calls and entries by class, and the blocked CORS calls. */
function countsJson(c: ClassCounts) {
  return { entries: c.entries, calls: c.calls, blocked: c.blocked, ...c.byClass };
}

// `corscope har FILE`: a HAR file in (Chrome DevTools, Firefox, Playwright, CORScope), one verdict per call out.
// The file is read as a stream and each call is evaluated and written as soon as it is complete, so memory
// stays bounded: jsonl and json keep nothing per call; the table keeps a row of a few words per call, and
// the Markdown report its counts and the first blocked calls it lists.
import { Evaluator } from '../cors/evaluate';
import type { Engine, Verdict, Warning } from '../cors/types';
import { HarImport, type HarIssue, harEngine } from '../report/har-import';
import { MarkdownReport } from '../report/markdown';
import { countsLine, type TextRow, tally, textRow, verdictTableLines } from './evaluate';
import { type Io, jsonLine, LineCap, openInput, term, write } from './io';

export const HAR_FORMATS = ['table', 'json', 'jsonl', 'markdown'] as const;
export type HarFormat = (typeof HAR_FORMATS)[number];
export const FAIL_ON = ['blocked', 'warning'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Warnings about the recording, not about the server's policy: they fail nothing. */
const NOT_RISKY = new Set<Warning['code']>(['api-unknown', 'verdict-depends-on-credentials']);

export const isRisky = (v: Verdict): boolean => v.warnings.some((w) => !NOT_RISKY.has(w.code));

function issueLine(file: string, i: HarIssue): string {
  const where = i.entry !== null ? `entry ${i.entry}: ` : `${file}: `;
  return `${term(`corscope har: ${i.level === 'note' ? 'note: ' : ''}${where}${i.message}`.replace(/\n/g, ' '))}\n`;
}

/** Exit status: 2 when a call fails the --fail-on test, else 1 when the input had errors, else 0. */
export async function runHar(
  file: string,
  format: HarFormat,
  failOn: FailOn,
  io: Io,
  /** null: Firefox's for a HAR Firefox wrote, else Chromium's (see harEngine). */
  engine: Engine | null = null,
): Promise<number> {
  const input = await openInput(file, io);
  if (input instanceof Error) {
    await write(io.stderr, term(`corscope har: cannot read ${file}: ${input.message}\n`));
    return 66;
  }
  const imp = new HarImport();
  // Made at the first call, once the HAR's creator has been read.
  let ev: Evaluator | null = null;
  const table: TextRow[] = [];
  const report = format === 'markdown' ? new MarkdownReport() : null;
  const counts = new Map<string, number>();
  const errors: HarIssue[] = [];
  let calls = 0;
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
    ev ??= new Evaluator({ engine: engine ?? harEngine(imp.meta) ?? 'chromium' });
    const v = ev.evaluate(call.exchange);
    const { method, url } = call.exchange.request;
    calls++;
    tally(counts, v.verdict);
    if (v.verdict === 'blocked' || (failOn === 'warning' && isRisky(v))) failing++;
    if (format === 'jsonl' || format === 'json') {
      const line = jsonLine({ ...v, method, url, entries: call.entries });
      await write(io.stdout, format === 'jsonl' ? `${line}\n` : `${calls > 1 ? ',' : ''}\n${line}`);
    } else if (report) report.add(call.exchange, v);
    else table.push(textRow({ row: v, method, url }));
    if (imp.issues.length) await flushIssues();
  }
  await flushIssues();
  for (const line of cap.summary()) await write(io.stderr, `${term(`corscope har: ${line}`)}\n`);
  const summary = `${calls} calls from ${imp.entriesRead} HAR entries${calls ? `: ${countsLine(counts)}` : ''}`;
  if (format === 'json') {
    await write(io.stdout, `\n],"entries":${imp.entriesRead},"errors":${jsonLine(errors)}}\n`);
  } else if (report) {
    await write(io.stdout, report.render(`CORScope report: ${file === '-' ? 'standard input' : file}`));
  } else if (format === 'table') {
    let batch: string[] = [];
    for (const line of verdictTableLines(table)) {
      batch.push(line);
      if (batch.length === 1000) {
        await write(io.stdout, `${batch.join('\n')}\n`);
        batch = [];
      }
    }
    await write(io.stdout, `${batch.length ? `${batch.join('\n')}\n` : ''}\n${summary}\n`);
  }
  if (inputErrors) {
    const n = `${inputErrors} input ${inputErrors === 1 ? 'error' : 'errors'}`;
    await write(io.stderr, term(`corscope har: ${n}; ${summary}\n`));
  }
  if (failing) return 2;
  return inputErrors ? 1 : 0;
}

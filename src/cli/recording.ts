// A recording of calls, as `corscope check` reads it: a HAR file (Chrome DevTools, Firefox, Playwright, CORScope)
// or JSON Lines of exchanges (tests/fixtures/exchange/FORMAT.md), told apart by their first bytes.

import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { type Engine, Evaluator } from '../cors';
import { parseExchange } from '../cors/validate';
import { HarImport, harEngine } from '../report/har-import';
import type { RecordedCall } from '../report/recorded-call';

export type { RecordedCall } from '../report/recorded-call';

export interface Recording {
  calls: RecordedCall[];
  /** What could not be read, with where. */
  errors: string[];
  kind: 'har' | 'jsonl';
  engine: Engine;
}

/** The first chunk of a stream, and the whole stream again. */
async function peek(
  input: AsyncIterable<Uint8Array | string>,
): Promise<{ head: string; all: AsyncIterable<Buffer> }> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
  }
  return { head: head.toString('utf8', 0, Math.min(head.length, 4096)), all: all() };
}

/** A HAR is one JSON object with "log" first; JSON Lines are one exchange per line. */
function looksLikeHar(head: string): boolean {
  return /^\uFEFF?\s*\{\s*"log"\s*:/.test(head);
}

/** Reads every call of a recording and judges it as recorded (the engine: given, the HAR's browser, or Chromium). */
export async function readRecording(
  input: AsyncIterable<Uint8Array | string>,
  engine: Engine | null,
): Promise<Recording> {
  const { head, all } = await peek(input);
  const errors: string[] = [];
  const calls: RecordedCall[] = [];
  if (looksLikeHar(head)) {
    const imp = new HarImport();
    let ev: Evaluator | null = null;
    for await (const call of imp.calls(all)) {
      ev ??= new Evaluator({ engine: engine ?? harEngine(imp.meta) ?? 'chromium' });
      calls.push({ exchange: call.exchange, recorded: ev.evaluate(call.exchange) });
    }
    for (const i of imp.issues)
      if (i.level !== 'note') errors.push(`${i.entry !== null ? `entry ${i.entry}: ` : ''}${i.message}`);
    return { calls, errors, kind: 'har', engine: ev?.engine ?? engine ?? 'chromium' };
  }
  const ev = new Evaluator({ engine: engine ?? 'chromium' });
  const lines = createInterface({ input: Readable.from(all), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      errors.push(`line ${n}: not JSON: ${(e as Error).message}`);
      continue;
    }
    const parsed = parseExchange(value);
    if ('exchange' in parsed)
      calls.push({ exchange: parsed.exchange, recorded: ev.evaluate(parsed.exchange) });
    else errors.push(`line ${n}: ${parsed.field}: ${parsed.message}`);
  }
  return { calls, errors, kind: 'jsonl', engine: ev.engine };
}

// Shared by the report tests: the samples as stored rows, a HAR read back through the streaming importer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Evaluator, type Verdict } from '../../../src/cors/index';
import { HarImport, harEngine, type ImportedExchange } from '../../../src/report/har-import';
import { HarJudge, type JudgedCall } from '../../../src/report/har-judge';

export { sampleExchanges, sampleRows, storedRows } from '../ui/rows';

export const FIXTURES = join(process.cwd(), 'tests/fixtures/har');
export const SHARED = join(process.cwd(), 'tests/fixtures/exchange');

export function readJsonlFile<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export interface Expected {
  id: string;
  verdict: string;
  preflight: string;
  console: string | null;
}

export const expected = () => readJsonlFile<Expected>(join(SHARED, 'expected.jsonl'));

/** Splits text into chunks of `size` characters, as a stream hands them out. */
export function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Imports HAR text (in chunks) and evaluates every call in order, as `corscope har` does. */
export async function importAndEvaluate(
  input: string | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  chunkSize = 4096,
): Promise<{ calls: { call: ImportedExchange; verdict: Verdict }[]; imp: HarImport }> {
  const imp = new HarImport();
  const ev = new Evaluator();
  const calls: { call: ImportedExchange; verdict: Verdict }[] = [];
  const source = typeof input === 'string' ? chunks(input, chunkSize) : input;
  for await (const call of imp.calls(source)) calls.push({ call, verdict: ev.evaluate(call.exchange) });
  return { calls, imp };
}

/** Imports HAR text and judges every call in order, as `corscope har` and the panel's import do. */
export async function importAndJudge(
  input: string,
  chunkSize = 4096,
): Promise<{ calls: JudgedCall[]; imp: HarImport }> {
  const imp = new HarImport();
  const judge = new HarJudge(() => harEngine(imp.meta) ?? 'chromium');
  const calls: JudgedCall[] = [];
  for await (const call of imp.calls(chunks(input, chunkSize))) calls.push(judge.judge(call));
  return { calls, imp };
}

type H = [string, string][];

/** One HAR entry as most writers shape it: a GET, its headers as sent, and the response (`extra` merges in). */
export function harEntry(
  url: string,
  requestHeaders: H,
  status: number,
  responseHeaders: H,
  extra: Record<string, unknown> = {},
) {
  const { response: responseExtra, ...rest } = extra as { response?: Record<string, unknown> };
  return {
    startedDateTime: '2026-01-02T10:00:00.000Z',
    time: 1,
    request: {
      method: 'GET',
      url,
      httpVersion: 'HTTP/1.1',
      headers: requestHeaders.map(([name, value]) => ({ name, value })),
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      headers: responseHeaders.map(([name, value]) => ({ name, value })),
      cookies: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      ...responseExtra,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    ...rest,
  };
}
/** A HAR file's text, written by `creator`. */
export const harOf = (creator: string, entries: unknown[], pages?: unknown[]) =>
  JSON.stringify({
    log: { version: '1.2', creator: { name: creator, version: '1' }, ...(pages ? { pages } : {}), entries },
  });

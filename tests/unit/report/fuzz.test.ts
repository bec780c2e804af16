// Fuzzing the readers of untrusted files: arbitrary bytes and structure-aware mutations of real fixtures
// never throw out of the HAR importer or the JSON Lines reader, never hang (each run is bounded by the
// input's size), and the streaming HAR scanner agrees with JSON.parse on every input both accept.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateLines } from '../../../src/cli/evaluate';
import { Evaluator } from '../../../src/cors/index';
import { toHar } from '../../../src/report/har';
import { HarImport } from '../../../src/report/har-import';
import { HarScanner, scanHarEntries } from '../../../src/report/json-stream';
import { chunks, FIXTURES, sampleRows } from './helpers';

const devtools = readFileSync(join(FIXTURES, 'devtools-cors.har'), 'utf8');
// CORScope's own export: every entry carries _cors.
const corscope = JSON.stringify(toHar(sampleRows().slice(20, 32)));
const exchangeLines = readFileSync(join(process.cwd(), 'tests/fixtures/exchange/samples.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 8);

/** Imports and evaluates everything, as `corscope har` does: bad content is an issue, never a throw. */
async function importAll(input: Iterable<string | Uint8Array>): Promise<number> {
  const imp = new HarImport();
  const ev = new Evaluator();
  let calls = 0;
  for await (const call of imp.calls(input)) {
    // What `corscope har` reads of each call besides its verdict.
    const { method, url } = call.exchange.request;
    expect(typeof method === 'string' && typeof url === 'string').toBe(true);
    ev.evaluate(call.exchange);
    calls++;
  }
  return calls;
}

async function evaluateAll(lines: string[]): Promise<number> {
  let n = 0;
  for await (const _ of evaluateLines(
    (async function* () {
      yield* lines;
    })(),
  ))
    n++;
  return n;
}

/** A real HAR's JSON with one value somewhere replaced, deleted or given a hostile type. */
const mutatedHar = fc
  .tuple(
    fc.nat(),
    fc.constantFrom('delete', 'null', 'number', 'string', 'object', 'array', 'huge', 'constructor'),
    fc.constantFrom(devtools, corscope),
  )
  .map(([pick, how, source]) => {
    const har = JSON.parse(source) as unknown;
    const paths: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v))
        for (const [i, x] of v.entries()) {
          paths.push([v, i]);
          walk(x);
        }
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          paths.push([v as Record<string, unknown>, k]);
          walk(x);
        }
    };
    walk(har);
    const [parent, key] = paths[pick % paths.length]!;
    const values: Record<string, unknown> = {
      null: null,
      number: -1e20,
      string: '\u0000\u001b[2J<img onerror=x>',
      object: { constructor: 1, __proto__: { x: 1 } },
      array: [[], {}],
      huge: 'x'.repeat(70_000),
      constructor: 'constructor',
    };
    if (how === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, unknown>)[key as string];
    } else (parent as Record<string, unknown>)[key as string] = values[how];
    return JSON.stringify(har);
  });

describe('fuzz: the HAR importer', () => {
  it('arbitrary bytes, in arbitrary chunks: never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, size) => {
          const parts: Uint8Array[] = [];
          for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
          await importAll(parts);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a real HAR with one value deleted, nulled or replaced by a hostile one: never throws', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedHar, fc.integer({ min: 7, max: 5000 }), async (text, size) => {
        await importAll(chunks(text, size));
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('a real HAR cut anywhere or with a character changed: never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), async (at, c) => {
        const i = at % devtools.length;
        await importAll([devtools.slice(0, i)]);
        await importAll(chunks(devtools.slice(0, i) + c + devtools.slice(i + 1), 512));
      }),
      { numRuns: 200 },
    );
  });

  it('the streaming scanner agrees with JSON.parse on every input both accept', async () => {
    const entry = fc.jsonValue({ maxDepth: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 6 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (entries, extra, size, pretty) => {
          const doc = { log: { version: '1.2', creator: { name: 'x', version: '1' }, extra, entries } };
          const text = JSON.stringify(doc, null, pretty ? 2 : undefined);
          const scanner = new HarScanner();
          const got: unknown[] = [];
          for await (const e of scanHarEntries(chunks(text, size), scanner)) got.push(e.value);
          expect(scanner.issues.filter((i) => i.level !== 'note')).toEqual([]);
          expect(got).toEqual((JSON.parse(text) as typeof doc).log.entries);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('fuzz: the JSON Lines reader (corscope evaluate)', () => {
  it('arbitrary text and mutated real exchanges: one row per non-empty line, never throws', async () => {
    const mutatedLine = fc
      .tuple(fc.constantFrom(...exchangeLines), fc.nat(), fc.string({ maxLength: 3 }))
      .map(([line, at, s]) => {
        const i = at % line.length;
        return line.slice(0, i) + s + line.slice(i + 3);
      });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ maxLength: 200 }), mutatedLine), { maxLength: 12 }),
        async (lines) => {
          const flat = lines.flatMap((l) => l.split(/\r?\n/));
          const n = await evaluateAll(flat);
          expect(n).toBe(
            flat.map((l, i) => (i === 0 ? l.replace(/^\ufeff/, '') : l)).filter((l) => l.trim() !== '')
              .length,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

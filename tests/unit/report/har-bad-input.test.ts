import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHar } from '../../../src/report/har';
import { HarImport } from '../../../src/report/har-import';
import type { HarEntry } from '../../../src/report/har-types';
import { HarScanner, scanHarEntries } from '../../../src/report/json-stream';
import { writeHar } from '../../bench/har';
import { importAndEvaluate, sampleRows } from './helpers';

const rows = sampleRows();
const har = toHar(rows);

/** The export's text, with where each entry's text ends. */
function layout(entries: HarEntry[]) {
  const head = `{"log":{"version":"1.2","creator":{"name":"CORScope","version":"0.1.0"},"pages":[],"entries":[`;
  let text = head;
  const ends: number[] = [];
  entries.forEach((e, i) => {
    text += `${i ? ',' : ''}${JSON.stringify(e)}`;
    ends.push(text.length);
  });
  return { text: `${text}]}}`, ends, head: head.length };
}

const levels = (issues: { level: string }[]) => issues.map((i) => i.level);

describe('HAR import: bad input gives clear errors and the calls that could be read', () => {
  it('names an invisible character inside an entry by its code point', async () => {
    const { imp } = await importAndEvaluate('{"log": {"entries": [{"a":\u00a01}]}}');
    expect(imp.issues.map((i) => i.message)).toEqual([
      'not valid JSON: a bad value "<U+00A0 (no-break space)>1": skipped',
    ]);
  });

  it.each([
    ['this is not json', 'not JSON'],
    ['<html><body>Not found</body></html>', 'not JSON: unexpected "<" at character 0'],
    ['{log: {}}', 'not JSON: unexpected "l" at character 1, expected a key'],
    ['', 'not JSON: the file is empty'],
    ['[{"log": {}}]', 'not a HAR file: the top level is an array'],
    ['"a string"', 'not a HAR file: the top level is a string'],
    ['42', 'not a HAR file: the top level is not an object with "log"'],
    [
      '{"version": "1.2", "entries": []}',
      'not a HAR file: no "log" object (top-level keys: version, entries)',
    ],
    ['{"log": {"version": "1.2", "pages": []}}', 'not a HAR file: no "log.entries" array'],
    ['{"log": {"entries": {}}}', 'not a HAR file: "log.entries" is not an array'],
    ['{"log": []}', 'not a HAR file: "log" is not an object'],
    // Invisible characters are named by code point, not shown as a blank.
    ['\u00a0{"log": {}}', 'not JSON: unexpected U+00A0 (no-break space) at character 0'],
    [
      '{"log":\u200b{"entries": []}}',
      'not JSON: unexpected U+200B (zero-width space) at character 7, expected a JSON value',
    ],
    ['{"log": {"entries": [}\u0001', 'not JSON: unexpected "}" at character 21'],
    // Text before the HAR (a note, a console's prompt): where the HAR begins.
    [
      'Network log saved from the console:\n{"log": {"entries": []}}',
      'not JSON: unexpected "N" at character 0; a HAR ({"log": ...) begins at character 36: remove the text before it',
    ],
    [
      'note:\n{ "log" : {"entries": []}}',
      'not JSON: a bad value "note" before character 4; a HAR ({"log": ...) begins at character 6: remove the text before it',
    ],
  ])('%j: %s', async (text, message) => {
    const { calls, imp } = await importAndEvaluate(text, 3);
    expect(calls).toEqual([]);
    expect(imp.issues).toHaveLength(1);
    expect(imp.issues[0]).toMatchObject({ entry: null, level: 'fatal' });
    expect(imp.issues[0]!.message).toContain(message);
  });

  it('text before the JSON: looks no further than 64 KB for a HAR after it', async () => {
    const far = await importAndEvaluate(`junk\n${'x'.repeat(70_000)}{"log": {"entries": []}}`);
    expect(far.imp.issues.map((i) => i.message)).toEqual(['not JSON: unexpected "j" at character 0']);
    const near = await importAndEvaluate(`junk\n${'x'.repeat(60_000)}{"log": {"entries": []}}`);
    expect(near.imp.issues.map((i) => i.message)).toEqual([
      'not JSON: unexpected "j" at character 0; a HAR ({"log": ...) begins at character 60005: remove the text before it',
    ]);
  });

  it('a truncated file: says where it was cut and how many entries were read, and evaluates those', async () => {
    const { text, ends, head } = layout(har.log.entries);
    const backslash = text.indexOf('\\"', head + 1000);
    const cuts = [
      head - 20, // before log.entries
      head + 1, // inside the first entry
      ends[9]!, // right after an entry
      ends[9]! + 1, // after the comma
      Math.floor(text.length / 3),
      Math.floor(text.length / 2),
      backslash + 1, // inside an escape
      text.length - 4, // inside the closing brackets
    ];
    for (const cut of cuts) {
      const { calls, imp } = await importAndEvaluate(text.slice(0, cut), 1000);
      const complete = ends.filter((end) => end <= cut).length;
      expect(imp.entriesRead, `cut at ${cut}`).toBe(complete);
      const fatal = imp.issues.filter((i) => i.level === 'fatal');
      expect(fatal, `cut at ${cut}`).toHaveLength(1);
      expect(fatal[0]!.message).toMatch(
        new RegExp(
          `^truncated: the file ends inside .* at character ${cut}; ${complete} (entry was|entries were) read before the cut$`,
        ),
      );
      if (cut > head && cut < ends[ends.length - 1]!) expect(fatal[0]!.entry).toBe(complete);
      // Every call whose entries were all read has its stored verdict.
      const whole = new Set(
        rows
          .map((r) => r.exchange.id)
          .filter((id) => {
            const mine = har.log.entries.flatMap((e, i) => (e._cors!.pair === id ? [i] : []));
            return mine.every((i) => i < complete);
          }),
      );
      for (const { call, verdict } of calls) {
        const row = rows.find((r) => r.exchange.id === call.exchange.id)!;
        if (whole.has(call.exchange.id)) expect(verdict).toEqual(row.evaluation);
      }
      expect(calls.filter((c) => whole.has(c.call.exchange.id))).toHaveLength(whole.size);
    }
  });

  it('entries missing fields are skipped with an error naming the entry and the field; the rest is read', async () => {
    const entries = structuredClone(har.log.entries) as unknown as Record<string, Record<string, unknown>>[];
    delete entries[3]!.request!.url;
    delete entries[5]!.response;
    entries[7]!.response!.status = '200';
    (entries[9]!.request!.headers as Record<string, unknown>[])[1] = { name: 'X-Broken' };
    (entries as unknown[])[11] = 42;
    delete entries[13]!.startedDateTime;
    delete entries[15]!.request!.method;
    const { text } = layout(entries as unknown as HarEntry[]);
    const { calls, imp } = await importAndEvaluate(text);
    const errors = imp.issues.filter((i) => i.level === 'error' && i.field !== '_cors');
    expect(errors.map((i) => [i.entry, i.field])).toEqual([
      [3, 'request.url'],
      [5, 'response'],
      [7, 'response.status'],
      [9, 'request.headers[1]'],
      [11, '(entry)'],
      [13, 'startedDateTime'],
      [15, 'request.method'],
    ]);
    expect(errors[0]!.message).toBe('request.url: required: a string; entry skipped');
    expect(errors[3]!.message).toBe(
      'request.headers[1]: must be {name, value} with string name and value; entry skipped',
    );
    expect(imp.entriesRead).toBe(entries.length);
    // Each skipped entry costs at most its own call; a call that lost its last entry says so.
    const lost = new Set([3, 5, 7, 9, 11, 13, 15].map((i) => har.log.entries[i]!._cors!.pair));
    expect(calls.length).toBeGreaterThanOrEqual(rows.length - lost.size);
    for (const { call, verdict } of calls) {
      if (lost.has(call.exchange.id)) continue;
      expect(verdict).toEqual(rows.find((r) => r.exchange.id === call.exchange.id)!.evaluation);
    }
    for (const i of imp.issues.filter((x) => x.field === '_cors'))
      expect(i.message).toMatch(
        /^call s\d+: the entry that carries its verdict is missing; rebuilt from \d+ entr(y|ies)$/,
      );
  });

  it('a huge string value is cut as it streams past, with a note; bodies are cut silently', async () => {
    const entries = structuredClone(har.log.entries);
    entries[0]!.response.content.text = 'x'.repeat(30 * 1024 * 1024);
    entries[1]!.response.headers.push({ name: 'X-Huge', value: 'y'.repeat(3 * 1024 * 1024) });
    const { text } = layout(entries);
    const { calls, imp } = await importAndEvaluate(text, 1 << 16);
    expect(calls).toHaveLength(rows.length);
    expect(imp.issues).toEqual([
      {
        entry: 1,
        field: 'value',
        message: `a string of ${3 * 1024 * 1024} characters in "value" is longer than ${1024 * 1024}: cut to keep memory bounded`,
        level: 'note',
      },
    ]);
    expect(calls[0]!.verdict).toEqual(rows[0]!.evaluation);
  });

  it('an entry larger than the limit is skipped; a bad word in an entry skips that entry only', async () => {
    const small = new HarImport({ maxEntry: 2000 });
    const { text } = layout(har.log.entries);
    const calls = [];
    for await (const c of small.calls([text])) calls.push(c);
    expect(
      small.issues.some((i) => i.level === 'error' && /larger than 2000 characters: skipped/.test(i.message)),
    ).toBe(true);
    const broken = text.replace('"cache":{}', '"cache":nope');
    const { calls: rest, imp } = await importAndEvaluate(broken);
    expect(imp.issues[0]).toMatchObject({
      entry: 0,
      level: 'error',
      message: 'not valid JSON: a bad value "nope": skipped',
    });
    // Entry 0 was s001's only entry: every other call is read.
    expect(rest.map((c) => c.call.exchange.id)).toEqual(rows.slice(1).map((r) => r.exchange.id));
  });

  it('JSON that breaks inside an entry stops the read there, with the calls before it', async () => {
    const { text, ends } = layout(har.log.entries);
    const broken = `${text.slice(0, ends[20]! - 1)}]${text.slice(ends[20]!)}`;
    const { calls, imp } = await importAndEvaluate(broken);
    expect(levels(imp.issues)).toContain('fatal');
    expect(imp.issues.find((i) => i.level === 'fatal')!.message).toMatch(
      /^not JSON: unexpected "]" at character \d+$/,
    );
    expect(imp.entriesRead).toBe(20);
    expect(calls.length).toBeGreaterThan(10);
  });

  it('text after the end of the HAR is reported and ignored', async () => {
    const { calls, imp } = await importAndEvaluate(`${JSON.stringify(har)}\n{"another": 1}`);
    expect(calls).toHaveLength(rows.length);
    expect(imp.issues).toEqual([
      expect.objectContaining({
        level: 'error',
        message: expect.stringMatching(/^unexpected text after the end of the HAR/),
      }),
    ]);
  });
});

describe('the streaming reader', () => {
  const small = JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'x', version: '1' },
      entries: [
        { a: 'é😀"\\\u0001', b: [1, -2.5e3, true, false, null, {}], c: { d: [[]] } },
        { k: 'text', text: 'z'.repeat(3000) },
      ],
    },
  });

  it('yields the same entries however the text is cut into chunks', async () => {
    const whole = [];
    for await (const e of scanHarEntries([small])) whole.push(e.value);
    expect(whole[0]).toEqual({ a: 'é😀"\\\u0001', b: [1, -2.5e3, true, false, null, {}], c: { d: [[]] } });
    expect(whole[1]).toEqual({ k: 'text', text: '[cut by CORScope: 3000 characters]' });
    for (const size of [1, 2, 3, 5, 13]) {
      const got = [];
      const cut = [];
      for (let i = 0; i < small.length; i += size) cut.push(small.slice(i, i + size));
      for await (const e of scanHarEntries(cut)) got.push(e.value);
      expect(got, `chunks of ${size}`).toEqual(whole);
    }
  });

  it('decodes UTF-8 split across byte chunks, and skips a byte order mark', async () => {
    const bytes = new TextEncoder().encode(`\uFEFF${small}`);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.slice(i, i + 7));
    const scanner = new HarScanner();
    const got = [];
    for await (const e of scanHarEntries(pieces, scanner)) got.push(e.value);
    expect((got[0] as { a: string }).a).toBe('é😀"\\\u0001');
    expect(scanner.issues).toEqual([]);
    expect(scanner.meta).toMatchObject({ version: '1.2', creator: { name: 'x', version: '1' } });
  });

  it('decodes UTF-16 (little- or big-endian) by its byte order mark, however the bytes are cut', async () => {
    const utf16 = (endian: 'le' | 'be'): Uint8Array => {
      const le = Buffer.from(`\uFEFF${small}`, 'utf16le');
      return endian === 'le' ? le : le.swap16();
    };
    for (const endian of ['le', 'be'] as const) {
      const bytes = utf16(endian);
      // One byte first: the mark is read across chunks.
      const pieces: Uint8Array[] = [bytes.slice(0, 1)];
      for (let i = 1; i < bytes.length; i += 5) pieces.push(bytes.slice(i, i + 5));
      const scanner = new HarScanner();
      const got = [];
      for await (const e of scanHarEntries(pieces, scanner)) got.push(e.value);
      expect(got, endian).toEqual([
        { a: 'é😀"\\\u0001', b: [1, -2.5e3, true, false, null, {}], c: { d: [[]] } },
        { k: 'text', text: '[cut by CORScope: 3000 characters]' },
      ]);
      expect(scanner.issues, endian).toEqual([]);
    }
  });

  describe('memory stays bounded by an entry, not the file', () => {
    const file = join(tmpdir(), `corscope-har-memory-${process.pid}.har`);
    afterAll(() => rmSync(file, { force: true }));
    // A V8 heap limit well below the file's size: a reader that held the file (or its parsed entries) could
    // not finish under it, as the control shows; `corscope har` must read every entry and judge every call.
    const HEAP_MB = 64;
    const node = (args: string[]) =>
      spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ...args], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });

    it(`reads a 100 MB HAR to the end under a ${HEAP_MB} MB heap limit`, () => {
      const { entries, bytes } = writeHar(file, { bytes: 100_000_000 });
      expect(statSync(file).size).toBe(bytes);

      // The control: the same file read whole under the same limit runs out of heap.
      const whole = node([
        '-e',
        `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`,
      ]);
      expect(whole.status).not.toBe(0);
      expect(whole.stderr).toContain('JavaScript heap out of memory');

      const run = node(['bin/corscope.js', 'har', file]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(2); // the samples include blocked calls
      // The counts open the table.
      const first = run.stdout.slice(0, run.stdout.indexOf('\n'));
      const m = new RegExp(`^${entries} HAR entries, (\\d+) calls: `).exec(first);
      expect(m, first).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(40_000);
    }, 120_000);
  });
});

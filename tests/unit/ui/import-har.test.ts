import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harEngine, toHar } from '../../../src/report/index';
import { IMPORTED_TAB, importHar, importProblem, importSummary } from '../../../src/ui/import-har';
import { sampleRows } from './rows';

describe('importHar', () => {
  it('rebuilds and evaluates every call of an exported HAR as numbered rows of no tab', async () => {
    const rows = sampleRows();
    const text = JSON.stringify(toHar(rows));
    const result = await importHar([text.slice(0, 1000), text.slice(1000)]);
    const { rows: imported, errors } = result;
    expect(errors).toEqual([]);
    // The CORS calls are the rows; the no-cors and same-origin samples are counted.
    const cors = rows.filter((r) => r.verdict !== 'opaque' && r.verdict !== 'same-origin');
    expect(cors).toHaveLength(64);
    expect(imported.map((r) => [r.exchange.id, r.verdict])).toEqual(
      cors.map((r) => [r.exchange.id, r.verdict]),
    );
    expect(imported.map((r) => r.seq)).toEqual(cors.map((_, i) => i + 1));
    expect(importSummary(result)).toBe(
      '95 HAR entries, 66 calls: 64 CORS calls (31 blocked), 1 not governed by CORS, 1 same-origin, 0 cannot tell',
    );
    expect(imported[2]!.tabId).toBe(IMPORTED_TAB);
    expect(imported[2]!.exchange.capture).toEqual({
      tabId: -1,
      frameId: 0,
      documentId: null,
      requestId: rows[2]!.exchange.id,
      resourceType: 'xmlhttprequest',
      engine: 'chromium',
      ambiguous: false,
      recovered: false,
      missing: null,
      headersLost: false,
      netError: null,
    });
    expect(importProblem('a.har', result)).toBeNull();
  });

  it("explains a HAR that Firefox wrote by Firefox's rules, in Firefox's words", async () => {
    const text = readFileSync(join(process.cwd(), 'tests/fixtures/har/firefox-cors.har'), 'utf8');
    const { rows, errors } = await importHar([text]);
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.exchange.capture.engine, r.evaluation.engine])).toEqual([
      ['firefox', 'firefox'],
      ['firefox', 'firefox'],
      ['firefox', 'firefox'],
    ]);
    expect(rows[1]!.evaluation.error!.console).toMatch(/^Cross-Origin Request Blocked: /);
    expect(harEngine({ creator: { name: 'WebInspector' } })).toBeNull();
    expect(harEngine({ creator: { name: 'CORScope' }, browser: { name: 'Firefox' } })).toBe('firefox');
    expect(harEngine({})).toBeNull();
  });

  it('never rejects: a failing read is a fatal error', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield '{"log": {"entries": [';
      throw new Error('disk gone');
    }
    const result = await importHar(failing());
    expect(result.rows).toEqual([]);
    expect(importProblem('a.har', result)).toBe(
      'a.har: cannot read the file: disk gone. No call could be read.',
    );
  });

  it('an empty HAR: no calls', async () => {
    const result = await importHar(['{"log": {"version": "1.2", "entries": []}}']);
    expect(importProblem('a.har', result)).toBe('a.har: no calls in this file.');
  });
});

import { describe, expect, it } from 'vitest';
import { filterRows, plainReason, summarize } from '../../../src/ui/model';
import { manyRows, sampleRows } from './rows';

const rows = sampleRows();
const summaries = rows.map(summarize);
const byId = (id: string) => summaries.find((r) => r.id === id)!;

describe('summarize', () => {
  it('puts the Chromium error in plain words for a blocked call, nothing for an allowed one', () => {
    expect(byId('s003')).toMatchObject({
      seq: 3,
      verdict: 'blocked',
      chromium: 'MissingAllowOriginHeader',
      reason: 'no Access-Control-Allow-Origin',
      origin: 'http://127.0.0.1:8102',
      engine: 'chromium',
      preflight: 'none',
    });
    expect(byId('s001').reason).toBe('');
    expect(byId('s030').reason).toBe('method PUT not in Access-Control-Allow-Methods');
    expect(byId('s026').reason).toBe('preflight: no Access-Control-Allow-Origin');
    expect(byId('s058').reason).toBe('No response arrived');
  });

  it('words every Chromium error name', () => {
    expect(plainReason('PreflightInvalidStatus', null)).toBe('preflight status not ok');
    expect(plainReason('SomethingNew', null)).toBe('something new');
  });
});

describe('filterRows', () => {
  it('keeps everything without filters', () => {
    expect(filterRows(summaries, {})).toHaveLength(summaries.length);
  });

  it('blocked only', () => {
    const out = filterRows(summaries, { blockedOnly: true });
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((r) => r.verdict === 'blocked')).toBe(true);
    expect(out).toHaveLength(summaries.filter((r) => r.verdict === 'blocked').length);
  });

  it('verdict', () => {
    expect(filterRows(summaries, { verdict: 'network-error' }).map((r) => r.id)).toEqual(['s057', 's058']);
    expect(filterRows(summaries, { verdict: 'opaque' }).map((r) => r.id)).toEqual(['s055']);
  });

  it('text over URL and reason, case-insensitive', () => {
    expect(filterRows(summaries, { text: 'P/S00' }).map((r) => r.id)).toEqual([
      's001',
      's002',
      's003',
      's004',
      's005',
      's006',
      's007',
      's008',
      's009',
    ]);
    const reason = filterRows(summaries, { text: 'ACCESS-CONTROL-ALLOW-METHODS' });
    expect(reason.map((r) => r.id)).toEqual(['s030', 's035']);
  });

  it('method and origin', () => {
    expect(filterRows(summaries, { method: 'DELETE' }).map((r) => r.id)).toEqual(['s044']);
    expect(filterRows(summaries, { origin: 'http://localhost:8102' }).map((r) => r.id)).toEqual(['s019']);
    expect(
      filterRows(summaries, { origin: 'http://127.0.0.1:8102', method: 'PUT', blockedOnly: true }),
    ).toHaveLength(7);
  });

  it('filters 50,000 rows (its speed is the bench figure panel_filter_vs_100)', () => {
    // 17 of the 66 samples are blocked and mention allow-origin: s003-s012, s016, s026, s027, s041, s050,
    // s052, s060. 50,000 rows are 757 rounds of the 66 and the first 38 again, 13 of which match.
    const sample = filterRows(summaries, { text: 'allow-origin', verdict: 'blocked' });
    expect(sample.map((r) => r.id)).toEqual([
      's003',
      's004',
      's005',
      's006',
      's007',
      's008',
      's009',
      's010',
      's011',
      's012',
      's016',
      's026',
      's027',
      's041',
      's050',
      's052',
      's060',
    ]);
    const out = filterRows(manyRows(50_000).map(summarize), { text: 'allow-origin', verdict: 'blocked' });
    expect(out).toHaveLength(757 * 17 + 13);
  });
});

// The error catalog and the verdict's structured reason: what the deciding check read, named by the catalog's
// key, and consumers that read those fields instead of the sentence.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ChromiumErrorName, CORS_ERRORS, corsErrorOf, plainReason } from '../../../src/cors/catalog';
import { evaluateAll, type Verdict } from '../../../src/cors/index';
import { summaryBody } from '../../../src/cors/sentence';
import { toMarkdown } from '../../../src/report/markdown';
import { summarize } from '../../../src/store/summary';
import { storedRows } from '../ui/rows';
import { readSampleSet } from './sample-set';

const { samples } = readSampleSet(new URL('../../fixtures/exchange/', import.meta.url));
const verdicts = evaluateAll(samples);
const byId = (id: string) => verdicts.find((v) => v.id === id)!;
const PAGE = 'http://127.0.0.1:8101';

describe("the verdict's reason", () => {
  it('names the catalog entry, the header the deciding check read, what it saw and needed, and the hop', () => {
    expect(byId('s001').reason).toBeNull();
    expect(byId('s003').reason).toEqual({
      key: 'MissingAllowOriginHeader',
      header: 'Access-Control-Allow-Origin',
      seen: null,
      required: PAGE,
      hop: 0,
    });
    expect(byId('s023').reason).toEqual({
      key: 'InvalidAllowCredentials',
      header: 'Access-Control-Allow-Credentials',
      seen: 'True',
      required: 'true',
      hop: 0,
    });
    expect(byId('s028').reason).toEqual({
      key: 'PreflightInvalidStatus',
      header: null,
      seen: '500',
      required: '200-299',
      hop: 0,
    });
    expect(byId('s035').reason).toEqual({
      key: 'MethodDisallowedByPreflightResponse',
      header: 'Access-Control-Allow-Methods',
      seen: 'put',
      required: 'PUT',
      hop: 0,
    });
    // After a cross-origin redirect the Origin sent, and so required, is "null"; the failing hop is the second.
    expect(byId('s050').reason).toEqual({
      key: 'AllowOriginMismatch',
      header: 'Access-Control-Allow-Origin',
      seen: PAGE,
      required: 'null',
      hop: 1,
    });
    expect(byId('s053').reason).toMatchObject({
      key: 'RedirectContainsCredentials',
      header: 'Location',
      hop: 0,
    });
    expect(byId('s057').reason).toEqual({
      key: 'SameOriginModeCrossOrigin',
      header: null,
      seen: 'http://127.0.0.1:8102',
      required: null,
      hop: -1,
    });
    expect(byId('s058').reason).toEqual({
      key: 'NoResponse',
      header: null,
      seen: null,
      required: null,
      hop: 0,
    });
  });

  it("names a check's Preflight twin by the check's key; error.chromium keeps Chromium's name", () => {
    expect(byId('s026').error?.chromium).toBe('PreflightMissingAllowOriginHeader');
    expect(byId('s026').reason?.key).toBe('MissingAllowOriginHeader');
    expect(byId('s026').error?.stage).toBe('preflight');
  });

  it("every blocked sample: the key is error.chromium's, and the failing check cites the entry's section", () => {
    const blocked = verdicts.filter((v) => v.verdict === 'blocked');
    expect(blocked.length).toBe(31);
    for (const v of blocked) {
      expect(corsErrorOf(v.error!.chromium!)?.key).toBe(v.reason!.key);
      const failed = v.checks.filter((c) => c.result === 'fail').at(-1)!;
      expect(failed.hop).toBe(v.reason!.hop);
      expect(failed.spec).toBe(CORS_ERRORS[v.reason!.key as keyof typeof CORS_ERRORS].spec);
    }
  });
});

describe('the catalog', () => {
  it("knows Chromium's Preflight twins, and only the checks that have one", () => {
    expectTypeOf<'PreflightMissingAllowOriginHeader'>().toExtend<ChromiumErrorName>();
    expectTypeOf<'PreflightInvalidAllowCredentials'>().toExtend<ChromiumErrorName>();
    expectTypeOf<'PreflightMethodDisallowedByPreflightResponse'>().not.toExtend<ChromiumErrorName>();
    expect(corsErrorOf('PreflightWildcardOriginNotAllowed')).toEqual({
      key: 'WildcardOriginNotAllowed',
      twin: true,
    });
    expect(corsErrorOf('PreflightInvalidStatus')).toEqual({ key: 'PreflightInvalidStatus', twin: false });
    expect(corsErrorOf('PreflightHeaderDisallowedByPreflightResponse')).toBeNull();
    expect(corsErrorOf('SomethingNew')).toBeNull();
  });

  it('words a name for the list, a twin\'s with "preflight:", an unknown one from its own words', () => {
    expect(plainReason('PreflightAllowOriginMismatch', 'null')).toBe(
      'preflight: Access-Control-Allow-Origin is null',
    );
    expect(plainReason('HeaderDisallowedByPreflightResponse', 'x-a')).toBe(
      'header x-a not in Access-Control-Allow-Headers',
    );
    expect(plainReason('PreflightSomethingNew', null)).toBe('preflight: something new');
  });
});

describe('consumers read the fields, not the sentence', () => {
  const rows = storedRows(samples);
  const row = (id: string) => rows.find((r) => r.exchange.id === id)!;
  const withSummary = (id: string, summary: string, reason?: null) => {
    const r = row(id);
    const evaluation: Verdict = { ...r.evaluation, summary, ...(reason === null ? { reason } : {}) };
    return { ...r, evaluation };
  };

  it("the list's words and the report's stay when the summary says something else", () => {
    const odd = withSummary('s058', 'Something else: entirely (really), here.');
    expect(summarize(odd).reason).toBe('No response arrived');
    expect(toMarkdown([{ exchange: odd.exchange, evaluation: odd.evaluation }])).toContain(
      '| network-error | No response arrived | — | 1 |',
    );
    const blocked = withSummary('s035', 'Blocked: nothing to see.');
    expect(summarize(blocked).reason).toBe('method PUT not in Access-Control-Allow-Methods');
  });

  it('a row stored before verdicts carried a reason shows its sentence as it stands', () => {
    const old = withSummary('s058', 'Network error: No response arrived (connection refused).', null);
    expect(summarize(old).reason).toBe('Network error: No response arrived (connection refused).');
  });

  it('the tables drop only the opening their verdict column already says', () => {
    expect(summaryBody(byId('s058'))).toBe(
      'No response arrived (connection refused, reset, or the request was aborted).',
    );
    expect(summaryBody({ verdict: 'opaque', summary: 'Opaque: mode "no-cors".' })).toBe(
      'Opaque: mode "no-cors".',
    );
    expect(
      summaryBody({ verdict: 'network-error', summary: 'The call failed, or its end was not seen.' }),
    ).toBe('The call failed, or its end was not seen.');
  });
});

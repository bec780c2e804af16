// The what-if model: a recorded call's draft (request and responses) → the exchange the browser would make →
// the evaluator's verdict → the difference from what was recorded. Recorded samples (tests/fixtures/exchange),
// stored and evaluated as capture stores them; every expectation is written out, the console lines as Chromium
// and Firefox printed them for the recorded calls (expected.jsonl).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Evaluator, type Exchange } from '../../../src/cors';
import type { StoredExchange } from '../../../src/store/row';
import { probeCommand } from '../../../src/ui/probe-command';
import {
  applyToDraft,
  build,
  type Draft,
  evaluateDraft,
  ignoredHeaders,
  initialDraft,
  recordedSteps,
  recordingDraft,
  requestProblem,
  type Slot,
  type WhatIfResult,
  withResponse,
} from '../../../src/ui/whatif';
import { sampleRows } from './rows';

const rows = sampleRows();
const row = (id: string) => rows.find((r) => r.exchange.id === id) as StoredExchange;
const PAGE = 'http://127.0.0.1:8101';

function result(r: StoredExchange, draft: Draft): WhatIfResult {
  const out = evaluateDraft(r.exchange, r.evaluation, draft);
  if ('problem' in out) throw new Error(out.problem);
  return out;
}
const recording = (id: string) => recordingDraft(row(id).exchange, row(id).evaluation);
const fixed = (id: string) => initialDraft(row(id).exchange, row(id).evaluation);
/** Each wire entry in a few words: type, method, URL, status. */
const wireOf = (res: WhatIfResult) =>
  res.built.exchange.wire.map((e) => `${e.type} ${e.request.method} ${e.request.url} ${e.response?.status}`);
const fixesOf = (res: WhatIfResult) =>
  res.verdict.fixes.map((f) => `${f.on} ${f.hop}: ${f.action} ${f.header} ${f.value}`);
const PREFLIGHT: Slot = { step: 0, kind: 'preflight' };
const RESPONSE: Slot = { step: 0, kind: 'response' };

describe('the draft of a recorded call', () => {
  it('holds the request as the script made it and the responses step by step', () => {
    expect(recording('s026')).toEqual({
      method: 'PUT',
      headers: [
        ['X-Custom', 'v1'],
        ['Content-Type', 'text/plain;charset=UTF-8'],
      ],
      credentials: 'same-origin',
      steps: [
        {
          preflight: {
            status: 204,
            headers: [
              ['Access-Control-Allow-Methods', 'PUT'],
              ['Access-Control-Allow-Headers', 'X-Custom'],
              ['Content-Length', '0'],
              ['Connection', 'close'],
            ],
          },
        },
      ],
    });
  });

  it('groups a redirect chain: each preflight with the request after it', () => {
    const steps = recordedSteps(row('s054').exchange);
    expect(steps.map((s) => [s.preflight?.status, s.response?.status])).toEqual([
      [204, 307],
      [204, 200],
    ]);
  });

  it('keeps a response that never arrived as null (a refused connection)', () => {
    expect(recordedSteps(row('s058').exchange)).toEqual([{ response: null }]);
  });
});

describe('starts from the recording with the proposed fix applied', () => {
  it('a preflight without Access-Control-Allow-Origin: the preflight and the request not yet sent both get it', () => {
    const draft = fixed('s026');
    expect(draft.steps).toEqual([
      {
        preflight: {
          status: 204,
          headers: [
            ['Access-Control-Allow-Methods', 'PUT'],
            ['Access-Control-Allow-Headers', 'X-Custom'],
            ['Content-Length', '0'],
            ['Connection', 'close'],
            ['Access-Control-Allow-Origin', PAGE],
          ],
        },
        response: { status: 200, headers: [['Access-Control-Allow-Origin', PAGE]] },
      },
    ]);
    const res = result(row('s026'), draft);
    expect([res.verdict.verdict, res.verdict.preflight, res.verdict.error]).toEqual([
      'allowed',
      'sent',
      null,
    ]);
    expect(res.diff).toMatchObject({ verdict: true, preflight: false, console: true, goneChecks: [] });
  });

  it('a redirect the browser stopped at: the redirect and the hop after it, which the recording does not hold', () => {
    const draft = fixed('s052');
    expect(draft.steps).toEqual([
      {
        response: {
          status: 302,
          headers: [
            ['Location', 'http://localhost:8102/p/s052/b'],
            ['Content-Length', '0'],
            ['Connection', 'close'],
            ['Access-Control-Allow-Origin', PAGE],
          ],
        },
      },
      // After a redirect to another origin the Origin is "null": only "*" allows it (without credentials).
      { response: { status: 200, headers: [['Access-Control-Allow-Origin', '*']] } },
    ]);
    const res = result(row('s052'), draft);
    expect(res.verdict.verdict).toBe('allowed');
    expect(wireOf(res)).toEqual([
      'request GET http://127.0.0.1:8102/p/s052 302',
      'request GET http://localhost:8102/p/s052/b 200',
    ]);
    expect(res.policies.map((p) => [p.url, p.policy?.origin ?? null])).toEqual([
      ['http://127.0.0.1:8102/p/s052', PAGE],
      ['http://localhost:8102/p/s052/b', null],
    ]);
    expect(res.policies[1]!.note).toContain('the browser sends "Origin: null"');
  });

  it('leaves an allowed call as recorded', () => {
    expect(fixed('s054')).toEqual(recording('s054'));
    const res = result(row('s054'), fixed('s054'));
    expect(res.verdict.verdict).toBe('allowed');
    expect(res.diff.checks.every((m) => m === 'same')).toBe(true);
    expect(res.diff).toMatchObject({ verdict: false, summary: false, console: false, goneChecks: [] });
    expect(res.edits).toEqual([]);
  });

  it('a call whose preflight came from the cache: from an empty cache its preflight is sent, answered as it needs', () => {
    expect(row('s043').evaluation.preflight).toBe('cached');
    const asRecorded = result(row('s043'), recording('s043'));
    // The preflight the recording does not hold starts as an empty 204.
    expect(wireOf(asRecorded)).toEqual([
      'preflight OPTIONS http://127.0.0.1:8102/p/s042 204',
      'request PUT http://127.0.0.1:8102/p/s042 200',
    ]);
    expect(asRecorded.verdict.error?.console).toBe(
      "Access to fetch at 'http://127.0.0.1:8102/p/s042' from origin 'http://127.0.0.1:8101' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    );
    const draft = fixed('s043');
    expect(draft.steps[0]!.preflight).toEqual({
      status: 204,
      headers: [
        ['Access-Control-Allow-Origin', PAGE],
        ['Access-Control-Allow-Methods', 'PUT'],
        ['Access-Control-Allow-Headers', 'x-custom'],
      ],
    });
    const res = result(row('s043'), draft);
    expect([res.verdict.verdict, res.verdict.preflight]).toEqual(['allowed', 'sent']);
    expect(res.diff).toMatchObject({ verdict: false, preflight: true });
    expect(res.diff.goneChecks.map((c) => c.rule)).toContain('preflight-cache');
  });
});

describe('every edit is evaluated again', () => {
  it('the recording as it was: the verdict and the console line Chromium printed, nothing different', () => {
    const res = result(row('s026'), recording('s026'));
    expect([res.verdict.verdict, res.verdict.error?.console]).toEqual([
      'blocked',
      "Access to fetch at 'http://127.0.0.1:8102/p/s026' from origin 'http://127.0.0.1:8101' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ]);
    expect(res.diff).toEqual({
      verdict: false,
      preflight: false,
      summary: false,
      console: false,
      checks: ['same', 'same'],
      goneChecks: [],
      warnings: [],
      goneWarnings: [],
    });
    expect(res.stoppedAt).toBe(0);
  });

  it('Access-Control-Allow-Origin on the preflight only: now the actual response fails, and the rest is new', () => {
    const d = recording('s026');
    const res = result(
      row('s026'),
      withResponse(d, PREFLIGHT, {
        status: 204,
        headers: [...d.steps[0]!.preflight!.headers, ['Access-Control-Allow-Origin', PAGE]],
      }),
    );
    expect([res.verdict.verdict, res.verdict.error?.console, res.stoppedAt]).toEqual([
      'blocked',
      "Access to fetch at 'http://127.0.0.1:8102/p/s026' from origin 'http://127.0.0.1:8101' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
      1,
    ]);
    expect(res.verdict.checks.map((c) => `${c.rule} ${c.result}`)).toEqual([
      'preflight-sent info',
      'acao pass',
      'preflight-ok-status pass',
      'acam pass',
      'acah pass',
      'max-age info',
      'preflight-needed info',
      'acao fail',
    ]);
    expect(res.diff.checks).toEqual(['same', 'changed', 'new', 'new', 'new', 'new', 'new', 'new']);
    expect(fixesOf(res)).toEqual([`request 1: set Access-Control-Allow-Origin ${PAGE}`]);
  });

  it('a method the preflight does not allow', () => {
    const res = result(row('s025'), { ...recording('s025'), method: 'DELETE' });
    expect(res.built.exchange.wire[0]!.request.headers).toEqual([
      ['Origin', PAGE],
      ['Access-Control-Request-Method', 'DELETE'],
      ['Access-Control-Request-Headers', 'x-custom'],
    ]);
    expect(res.verdict.error?.console).toBe(
      "Access to fetch at 'http://127.0.0.1:8102/p/s025' from origin 'http://127.0.0.1:8101' has been blocked by CORS policy: Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.",
    );
    expect(fixesOf(res)).toEqual(['preflight 0: set Access-Control-Allow-Methods PUT, DELETE']);
  });

  it('a simple GET instead: no preflight goes out, and its checks are gone', () => {
    const res = result(row('s025'), { ...recording('s025'), method: 'GET', headers: [] });
    expect(wireOf(res)).toEqual(['request GET http://127.0.0.1:8102/p/s025 200']);
    expect([res.verdict.verdict, res.verdict.preflight]).toEqual(['allowed', 'none']);
    expect(res.diff.preflight).toBe(true);
    expect(res.diff.goneChecks.map((c) => c.rule)).toEqual([
      'preflight-sent',
      'acao',
      'preflight-ok-status',
      'acam',
      'acah',
      'max-age',
    ]);
  });

  it('credentials included against "*"', () => {
    const res = result(row('s002'), { ...recording('s002'), credentials: 'include' });
    expect(res.verdict.error?.console).toBe(
      "Access to fetch at 'http://127.0.0.1:8102/p/s002' from origin 'http://127.0.0.1:8101' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
    );
    expect(fixesOf(res)).toEqual([
      `request 0: set Access-Control-Allow-Origin ${PAGE}`,
      'request 0: set Access-Control-Allow-Credentials true',
    ]);
  });

  it('a redirect status changed to 303: the next hop is a GET, preflighted for its custom header, from Origin null', () => {
    const d = recording('s054');
    const res = result(row('s054'), withResponse(d, RESPONSE, { ...d.steps[0]!.response!, status: 303 }));
    expect(wireOf(res)).toEqual([
      'preflight OPTIONS http://127.0.0.1:8102/p/s054 204',
      'request PUT http://127.0.0.1:8102/p/s054 303',
      'preflight OPTIONS http://localhost:8102/p/s054/b 204',
      'request GET http://localhost:8102/p/s054/b 200',
    ]);
    expect(res.built.exchange.wire[2]!.request.headers).toEqual([
      ['Origin', 'null'],
      ['Access-Control-Request-Method', 'GET'],
      ['Access-Control-Request-Headers', 'x-custom'],
    ]);
    expect(res.verdict.verdict).toBe('allowed');
  });

  it('no redirect any more: the chain ends at the first response', () => {
    const d = recording('s054');
    const res = result(row('s054'), withResponse(d, RESPONSE, { ...d.steps[0]!.response!, status: 200 }));
    expect(wireOf(res)).toEqual([
      'preflight OPTIONS http://127.0.0.1:8102/p/s054 204',
      'request PUT http://127.0.0.1:8102/p/s054 200',
    ]);
    expect(res.diff.goneChecks.map((c) => `${c.rule} ${c.hop}`)).toEqual([
      'redirect 1',
      'preflight-sent 2',
      'acao 2',
      'preflight-ok-status 2',
      'acam 2',
      'acah 2',
      'max-age 2',
      'preflight-needed 3',
      'acao 3',
    ]);
  });

  it('a Location edited to the same origin: the next hop goes there with the page origin', () => {
    const d = fixed('s052');
    const res = result(
      row('s052'),
      withResponse(d, RESPONSE, {
        status: 302,
        headers: [
          ['Location', '/p/s052/c'],
          ['Access-Control-Allow-Origin', PAGE],
        ],
      }),
    );
    expect(wireOf(res)).toEqual([
      'request GET http://127.0.0.1:8102/p/s052 302',
      'request GET http://127.0.0.1:8102/p/s052/c 200',
    ]);
    expect(res.built.exchange.wire[1]!.request.headers).toEqual([['Origin', PAGE]]);
  });

  it('a response that never arrived stays a network error until it is given one', () => {
    const r = row('s058');
    const res = result(r, recording('s058'));
    expect([res.verdict.verdict, res.verdict.reason?.key]).toEqual(['network-error', 'NoResponse']);
    const answered = result(r, withResponse(recording('s058'), RESPONSE, { status: 200, headers: [] }));
    expect([answered.verdict.verdict, answered.verdict.error?.chromium]).toEqual([
      'blocked',
      'MissingAllowOriginHeader',
    ]);
  });

  it("by Firefox's rules for a call Firefox made, in Firefox's words", () => {
    const samples = readFileSync(join(process.cwd(), 'tests/fixtures/exchange/firefox/samples.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Exchange);
    const ex = samples.find((s) => s.id === 's003')!;
    const recorded = new Evaluator({ engine: 'firefox' }).evaluate(ex);
    const out = evaluateDraft(ex, recorded, recordingDraft(ex, recorded)) as WhatIfResult;
    expect([out.verdict.engine, out.verdict.error?.console]).toEqual([
      'firefox',
      'Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:8102/p/s003. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.',
    ]);
    expect((evaluateDraft(ex, recorded, initialDraft(ex, recorded)) as WhatIfResult).verdict.verdict).toBe(
      'allowed',
    );
  });
});

describe('the edits as the server changes they stand for', () => {
  it('only the CORS headers that differ from the recording, on the response they are on', () => {
    const res = result(row('s026'), fixed('s026'));
    expect(
      res.edits.map((f) => `${f.on} ${f.hop} ${f.method} ${f.url}: ${f.action} ${f.header} ${f.value}`),
    ).toEqual([
      `preflight 0 OPTIONS http://127.0.0.1:8102/p/s026: set Access-Control-Allow-Origin ${PAGE}`,
      `request 1 PUT http://127.0.0.1:8102/p/s026: set Access-Control-Allow-Origin ${PAGE}`,
    ]);
    expect(res.policies).toEqual([
      {
        url: 'http://127.0.0.1:8102/p/s026',
        note: null,
        policy: {
          origin: PAGE,
          server: 'http://127.0.0.1:8102',
          host: '127.0.0.1:8102',
          port: '8102',
          path: '/p/s026',
          methods: ['PUT'],
          headers: ['x-custom'],
          credentials: false,
          preflight: true,
        },
      },
    ]);
  });

  it('an edited "*" where the page\'s Origin went stands for the exact origin, never "*"', () => {
    const res = result(
      row('s003'),
      withResponse(recording('s003'), RESPONSE, {
        status: 200,
        headers: [['access-control-allow-origin', '*']],
      }),
    );
    expect(res.verdict.verdict).toBe('allowed');
    expect(res.edits.map((f) => `${f.action} ${f.header} ${f.value}`)).toEqual([
      `set Access-Control-Allow-Origin ${PAGE}`,
    ]);
    expect(res.policies[0]!.policy).toMatchObject({ origin: PAGE, methods: ['GET'], preflight: false });
  });

  it('a removed header and a changed status', () => {
    const d = recording('s025');
    const res = result(
      row('s025'),
      withResponse(d, PREFLIGHT, {
        status: 200,
        headers: d.steps[0]!.preflight!.headers.filter(([n]) => n !== 'Access-Control-Allow-Headers'),
      }),
    );
    expect(res.edits.map((f) => `${f.on} ${f.action} ${f.header} ${f.value}`)).toEqual([
      'preflight status status 200',
      'preflight remove Access-Control-Allow-Headers null',
    ]);
  });

  it('the edited call as a corscope probe command', () => {
    const res = result(row('s025'), { ...recording('s025'), method: 'DELETE', credentials: 'include' });
    expect(probeCommand(res.built.exchange, res.verdict)).toBe(
      "corscope probe 'http://127.0.0.1:8102/p/s025' --origin 'http://127.0.0.1:8101' --method 'DELETE' -H 'X-Custom: v1' -H 'Content-Type: text/plain;charset=UTF-8' --credentials include",
    );
  });
});

describe('what else a call carries goes along', () => {
  it('the fields the evaluator may read besides the wire (Local Network Access), but not the outcome', () => {
    const r = row('s058');
    // s058: a refused connection. As FORMAT.md records a call Local Network Access stopped.
    const ex = {
      ...r.exchange,
      addressSpace: 'public',
      localNetworkAccess: 'denied',
      request: { ...r.exchange.request, targetAddressSpace: 'local' },
      wire: r.exchange.wire.map((e) => ({ ...e, addressSpace: 'loopback' })),
    } as Exchange;
    const out = evaluateDraft(ex, r.evaluation, recordingDraft(ex, r.evaluation)) as WhatIfResult;
    const built = out.built.exchange as Exchange & Record<string, unknown>;
    expect([built.addressSpace, built.localNetworkAccess, built.outcome]).toEqual([
      'public',
      'denied',
      undefined,
    ]);
    expect(built.request).toMatchObject({ targetAddressSpace: 'local' });
    expect(built.wire[0]).toMatchObject({ addressSpace: 'loopback', response: null });
  });

  it("a response's own fields stay when the proposed fix edits its headers", () => {
    const r = row('s003');
    const ex = {
      ...r.exchange,
      wire: r.exchange.wire.map((e) => ({ ...e, response: { ...e.response!, addressSpace: 'local' } })),
    } as Exchange;
    const draft = initialDraft(ex, r.evaluation);
    expect(draft.steps[0]!.response).toMatchObject({
      addressSpace: 'local',
      headers: [
        ['Content-Type', 'text/plain'],
        ['Content-Length', '2'],
        ['Connection', 'close'],
        ['Access-Control-Allow-Origin', PAGE],
      ],
    });
    const built = (evaluateDraft(ex, r.evaluation, draft) as WhatIfResult).built.exchange;
    expect(built.wire[0]!.response).toMatchObject({ addressSpace: 'local' });
  });
});

describe('fixes for a response the browser has not got yet', () => {
  it('land on the step after the last one, preflight or response as the fix says', () => {
    const r = row('s052');
    const draft = recording('s052');
    const built = build(r.exchange, draft, 'chromium');
    expect(built.slots).toEqual([{ step: 0, kind: 'response' }]);
    const out = applyToDraft(draft, built, [
      ...r.evaluation.fixes,
      {
        on: 'preflight',
        hop: 2,
        url: 'http://localhost:8102/p/s052/b',
        method: 'OPTIONS',
        action: 'set',
        header: 'Access-Control-Allow-Methods',
        value: 'PUT',
        why: '',
      },
    ]);
    expect(out.steps.map((s) => Object.keys(s).sort())).toEqual([['response'], ['response'], ['preflight']]);
    expect(out.steps[1]!.response).toEqual({ status: 200, headers: [['Access-Control-Allow-Origin', '*']] });
    expect(out.steps[2]!.preflight).toEqual({
      status: 200,
      headers: [['Access-Control-Allow-Methods', 'PUT']],
    });
  });
});

describe('a request fetch() refuses, and headers the browser ignores', () => {
  const base = (patch: Partial<Draft>): Draft => ({ ...recording('s003'), ...patch });

  it('says why fetch() would throw, and evaluates nothing', () => {
    expect(requestProblem(base({ method: 'PU T' }))).toBe(
      '"PU T" is not a method name: fetch() throws a TypeError.',
    );
    expect(requestProblem(base({ method: 'connect' }))).toBe(
      'fetch() refuses the method connect (a forbidden method) and throws a TypeError.',
    );
    expect(requestProblem(base({ headers: [['X Bad', '1']] }))).toBe(
      '"X Bad" is not a header name: fetch() throws a TypeError.',
    );
    expect(requestProblem(base({ headers: [['X-Ok', 'a\nb']] }))).toBe(
      'The value of X-Ok holds NUL, CR or LF: fetch() throws a TypeError.',
    );
    expect(evaluateDraft(row('s003').exchange, row('s003').evaluation, base({ method: '' }))).toEqual({
      problem: '"" is not a method name: fetch() throws a TypeError.',
    });
  });

  it("a line with no name yet is not a header; the browser's own names are ignored", () => {
    expect(requestProblem(base({ headers: [['', 'half typed']] }))).toBeNull();
    expect(
      ignoredHeaders(
        base({
          headers: [
            ['Cookie', 'a=1'],
            ['Origin', 'x'],
            ['X-Ok', '1'],
          ],
        }),
        'chromium',
      ),
    ).toEqual(['cookie', 'origin']);
    const res = result(row('s003'), base({ headers: [['Origin', 'https://evil.example']] }));
    expect(res.verdict.preflight).toBe('none');
  });
});

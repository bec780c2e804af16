// `corscope scan URL` against loopback APIs with the misconfigurations scanners look for: which origins it sends,
// what it finds and how severe, what it sends (GET and OPTIONS only), and the fix. tests/e2e/scan.e2e.test.ts
// makes the same calls from pages on those origins in Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTING, originChecks } from '../../../src/cli/scan';
import { SCAN_USAGE } from '../../../src/cli/usage';
import { policies } from '../../e2e/harness/policies';
import { type ScenarioRequest, type ScenarioServer, startScenarioServer } from '../../e2e/harness/server';
import { run } from './run';

const TRUSTED = 'https://app.example.com';

interface Finding {
  kind: string;
  severity: string;
  title: string;
  origin: string;
  passed: string[];
  evidence: string[];
  warnings: string[];
  fix: string[];
}

describe('corscope scan', () => {
  let server: ScenarioServer;
  beforeAll(async () => {
    server = await startScenarioServer();
    for (const [name, policy] of Object.entries(policies(TRUSTED)))
      server.route(`/${name}`, (req: ScenarioRequest) => policy(req.headers.origin, req.preflight));
  });
  afterAll(() => server.close());

  const scan = async (policy: string, ...more: string[]) => {
    server.requests.length = 0;
    const r = await run([
      'scan',
      `${server.origins.api}/${policy}`,
      '--origin',
      TRUSTED,
      '--rate',
      '1000',
      '--format',
      'json',
      ...more,
    ]);
    return {
      ...r,
      json: JSON.parse(r.out) as {
        findings: Finding[];
        probes: { origin: string; call: string; passed: boolean; outcome: string }[];
      },
    };
  };
  const summary = (f: Finding[]) => f.map((x) => [x.severity, x.kind, x.origin, x.passed]);

  it("builds its origins from the trusted origin's name, and adds the http: one only for an https: API", () => {
    expect(originChecks('https://api.example.com/x', TRUSTED).map((c) => [c.kind, c.origin])).toEqual([
      ['arbitrary', 'https://attacker.example'],
      ['null', 'null'],
      ['prefix', 'https://app.example.com.attacker.example'],
      ['suffix', 'https://attackerexample.com'],
      ['unescaped-dot', 'https://appxexample.com'],
      ['http-origin', 'http://app.example.com'],
      ['subdomain', 'https://attacker.example.com'],
      ...HOSTING.map((h) => [`hosting:${h}`, `https://attacker.${h}`]),
    ]);
    // The most there can be, as --help says.
    expect(originChecks('https://api.example.com/x', TRUSTED)).toHaveLength(13);
    expect(SCAN_USAGE).toContain('3 calls per origin, at most\n      13 origins');
    expect(
      originChecks('http://api.example.co.uk/x', null)
        .map((c) => c.origin)
        .slice(0, 6),
    ).toEqual([
      'https://attacker.example',
      'null',
      'http://api.example.co.uk.attacker.example',
      'http://attackerexample.co.uk',
      'http://apixexample.co.uk',
      'http://attacker.example.co.uk',
    ]);
  });

  it('sends GET and OPTIONS only, three calls per origin, and never the PUT', async () => {
    const { json } = await scan('reflect-credentials');
    const origins = originChecks(`${server.origins.api}/x`, TRUSTED).length;
    expect(json.probes).toHaveLength(origins * 3);
    expect(new Set(server.requests.map((r) => r.method))).toEqual(new Set(['GET', 'OPTIONS']));
    expect(
      server.requests
        .filter((r) => r.method === 'OPTIONS')
        .every((r) => r.headers['access-control-request-method'] === 'PUT'),
    ).toBe(true);
  });

  it('an API that reflects any origin with credentials: high, once, with the tricks folded in, and null on its own', async () => {
    const { code, json } = await scan('reflect-credentials');
    expect(code).toBe(2);
    const calls = ['read', 'read with credentials', 'write with credentials (preflight only)'];
    expect(summary(json.findings)).toEqual([
      ['high', 'arbitrary', 'https://attacker.example', calls],
      ['high', 'null', 'null', calls],
    ]);
    const [arbitrary] = json.findings;
    expect(arbitrary!.evidence[1]).toBe(
      `read with credentials: GET ${server.origins.api}/reflect-credentials with Origin: https://attacker.example → Vary: Origin; Access-Control-Allow-Origin: https://attacker.example; Access-Control-Allow-Credentials: true`,
    );
    expect(arbitrary!.evidence).toContain('The same for https://app.example.com.attacker.example (prefix).');
    expect(arbitrary!.evidence).toContain('The same for https://attacker.github.io (hosting:github.io).');
    expect(arbitrary!.warnings.some((w) => w.includes("echoes the request's Origin"))).toBe(true);
    expect(arbitrary!.fix).toEqual([
      'Answer https://attacker.example without Access-Control-Allow-Origin: check Origin against an exact list of the origins you trust, and send "Vary: Origin".',
      `For ${TRUSTED}: set Access-Control-Allow-Origin: ${TRUSTED}; set Access-Control-Allow-Credentials: true.`,
    ]);
    expect(new Set(json.probes.map((p) => p.outcome))).toEqual(new Set(['allowed', 'preflight passed']));
  });

  it.each([
    ['prefix', [['high', 'prefix', 'https://app.example.com.attacker.example']]],
    [
      'suffix',
      [
        ['high', 'suffix', 'https://attackerexample.com'],
        // /example\.com$/ takes appxexample.com too.
        ['high', 'unescaped-dot', 'https://appxexample.com'],
        ['medium', 'subdomain', 'https://attacker.example.com'],
      ],
    ],
    ['unescaped-dot', [['high', 'unescaped-dot', 'https://appxexample.com']]],
    ['null', [['high', 'null', 'null']]],
    ['subdomains', [['medium', 'subdomain', 'https://attacker.example.com']]],
    ['github-pages', [['high', 'hosting:github.io', 'https://attacker.github.io']]],
  ])('a %s policy: the finding is that trick alone', async (policy, expected) => {
    const { code, json } = await scan(policy);
    expect(code).toBe(2);
    expect(json.findings.map((f) => [f.severity, f.kind, f.origin])).toEqual(expected);
  });

  it('reflection without credentials is low; "*" is info only, once, and exits 0', async () => {
    const reflect = await scan('reflect');
    expect(reflect.code).toBe(2);
    expect(summary(reflect.json.findings)).toEqual([
      ['low', 'arbitrary', 'https://attacker.example', ['read']],
      ['low', 'null', 'null', ['read']],
    ]);
    const star = await scan('star');
    expect(star.code).toBe(0);
    expect(summary(star.json.findings)).toEqual([['info', 'public', 'https://attacker.example', ['read']]]);
  });

  it('an exact allowlist has no finding (exit 0), in every format', async () => {
    const { code, json } = await scan('allowlist');
    expect(code).toBe(0);
    expect(json.findings).toEqual([]);
    const table = await run([
      'scan',
      `${server.origins.api}/allowlist`,
      '--origin',
      TRUSTED,
      '--rate',
      '1000',
    ]);
    expect(table.out).toContain(
      `No finding for ${server.origins.api}/allowlist (36 calls from 12 origins, 36 requests).`,
    );
    const md = await run([
      'scan',
      `${server.origins.api}/prefix`,
      '--origin',
      TRUSTED,
      '--rate',
      '1000',
      '--format',
      'markdown',
    ]);
    expect(md.out).toContain(
      '| high | An origin that starts with app.example.com is trusted, with credentials | `https://app.example.com.attacker.example` |',
    );
  });

  it("without --origin, builds the tricks on the API's own name and says how to get the exact fix", async () => {
    const r = await run([
      'scan',
      `${server.origins.api}/reflect-credentials`,
      '--rate',
      '1000',
      '--format',
      'json',
    ]);
    const f = JSON.parse(r.out).findings as Finding[];
    expect(f[0]!.fix[1]).toBe("Give --origin with your page's origin for the exact headers to send it.");
  });

  it('stops at a server that does not answer: exit 1', async () => {
    const { code, err } = await run(['scan', 'http://127.0.0.1:9/x', '--rate', '1000']);
    expect(code).toBe(1);
    expect(err).toBe('corscope scan: 127.0.0.1:9 refused the connection\n');
  });

  it.each([
    [[], 'a URL is needed'],
    [['http://a.test/', '--origin', 'null'], 'a page the API trusts has a real origin'],
    [['http://a.test/', '--rate', '5000'], '--rate takes a whole number from 1 to 1000'],
  ])('bad usage %j exits 64', async (args, why) => {
    const { code, err } = await run(['scan', ...args]);
    expect(code).toBe(64);
    expect(err).toContain(why);
  });
});

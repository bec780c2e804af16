// `corscope scan` against real Chromium: for each misconfigured policy (and one done right) on
// https://api.example.com, every call scan makes from every origin it tries is made again by a page on that very
// origin in Chromium (https://attacker.example, http://app.example.com, a sandboxed frame for "null", ...: any
// origin, through a loopback proxy): the page reads the answer exactly when scan says the call passes, and a
// blocked call's console line is the one Chromium printed.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../unit/cli/run';
import { launchPlain, type PlainBrowser } from './harness/plain-browser';
import { policies } from './harness/policies';
import { startWorld, type World } from './harness/world';

const TRUSTED = 'https://app.example.com';
const API = 'https://api.example.com';
const POLICIES = Object.keys(policies(TRUSTED));

interface ScanProbe {
  kind: string;
  origin: string;
  call: string;
  method: string;
  credentials: 'omit' | 'include';
  passed: boolean;
  outcome: string;
  console: string | null;
}

const PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body></body></html>';

describe('corscope scan against Chromium', () => {
  let world: World;
  let chromium: PlainBrowser;
  const scans = new Map<
    string,
    { code: number; findings: { kind: string; severity: string }[]; probes: ScanProbe[] }
  >();

  beforeAll(async () => {
    const byName = policies(TRUSTED);
    world = await startWorld((req) => {
      if (req.host === 'api.example.com') {
        const policy = byName[req.path.replace(/^\/p\//, '')];
        if (policy) return policy(req.headers.origin, req.preflight);
        return { status: 404, headers: [] };
      }
      return { status: 200, headers: [['Content-Type', 'text/html; charset=utf-8']], body: PAGE };
    });
    chromium = await launchPlain([
      `--proxy-server=http://127.0.0.1:${world.proxyPort}`,
      '--ignore-certificate-errors',
    ]);
    const env = {
      HTTPS_PROXY: `http://127.0.0.1:${world.proxyPort}`,
      HTTP_PROXY: `http://127.0.0.1:${world.proxyPort}`,
    };
    for (const name of POLICIES) {
      const r = await run(
        ['scan', `${API}/p/${name}`, '--origin', TRUSTED, '--insecure', '--rate', '1000', '--format', 'json'],
        '',
        env,
      );
      const j = JSON.parse(r.out);
      scans.set(name, { code: r.code, findings: j.findings, probes: j.probes });
    }
  });
  afterAll(async () => {
    await chromium?.close();
    await world?.close();
  });

  it('finds what each policy gets wrong, and nothing on the exact allowlist', () => {
    const kinds = (name: string) => scans.get(name)!.findings.map((f) => `${f.severity} ${f.kind}`);
    expect(kinds('reflect-credentials')).toEqual(['high arbitrary', 'high null']);
    expect(kinds('prefix')).toEqual(['high prefix']);
    expect(kinds('unescaped-dot')).toEqual(['high unescaped-dot']);
    expect(kinds('null')).toEqual(['high null']);
    // Over an https: API the subdomain pattern also takes http://app.example.com.
    expect(kinds('subdomains')).toEqual(['medium http-origin', 'medium subdomain']);
    expect(kinds('github-pages')).toEqual(['high hosting:github.io']);
    expect(kinds('reflect')).toEqual(['low arbitrary', 'low null']);
    expect(kinds('star')).toEqual(['info public']);
    expect(kinds('allowlist')).toEqual([]);
    expect(scans.get('allowlist')!.code).toBe(0);
    expect(scans.get('prefix')!.code).toBe(2);
  });

  it('every call scan made passes in Chromium exactly when scan says so, from a page on the same origin', async () => {
    const origins = [...new Set(scans.get('allowlist')!.probes.map((p) => p.origin))];
    expect(origins).toHaveLength(13);
    let compared = 0;
    for (const origin of origins) {
      const page = await chromium.newPage();
      // "null": a sandboxed frame (an opaque origin) inside a page.
      await page.goto(origin === 'null' ? `${TRUSTED}/page` : `${origin}/page`);
      let target: Page | import('playwright-core').Frame = page;
      if (origin === 'null') {
        await page.evaluate(() => {
          const f = document.createElement('iframe');
          f.setAttribute('sandbox', 'allow-scripts');
          f.srcdoc = '<!doctype html><p>sandboxed</p>';
          document.body.appendChild(f);
          return new Promise((resolve) => f.addEventListener('load', resolve));
        });
        target = page.frames().find((f) => f !== page.mainFrame())!;
      }
      for (const name of POLICIES) {
        for (const p of scans.get(name)!.probes.filter((x) => x.origin === origin)) {
          const lines = chromium.consoleOf(page).length;
          const result = await target.evaluate(
            async (s) => {
              try {
                const r = await fetch(s.url, {
                  method: s.method,
                  credentials: s.credentials,
                  headers: s.method === 'PUT' ? { 'Content-Type': 'application/json' } : {},
                  body: s.method === 'PUT' ? '{}' : undefined,
                });
                await r.text();
                return true;
              } catch {
                return false;
              }
            },
            { url: `${API}/p/${name}`, method: p.method, credentials: p.credentials },
          );
          await page.waitForTimeout(20);
          const cors = chromium
            .consoleOf(page)
            .slice(lines)
            .filter((l) => l.includes('blocked by CORS policy'));
          const where = `${name}: ${p.call} from ${origin}: scan ${p.outcome}, Chromium ${result ? 'read it' : `failed ${JSON.stringify(cors)}`}`;
          expect(result, where).toBe(p.passed);
          if (!p.passed) expect(p.console, where).toBe(cors[0] ?? null);
          compared++;
        }
      }
      await page.close();
    }
    expect(compared).toBe(POLICIES.length * 13 * 3);
  });
});

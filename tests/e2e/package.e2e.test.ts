// The command line as users get it (no browser needed; here with the other end-to-end tests, as it packs and
// installs): `npm pack` (its prepare step builds dist/corscope.js), `npm install` of the
// tarball into an empty folder, with no network and nothing else installed, and `npx corscope` there. The
// package holds JavaScript only: no TypeScript, no transpiler, no dependency.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonl } from '../factories';

const ROOT = resolve(import.meta.dirname, '../..');
const HAR = join(ROOT, 'tests/fixtures/har/devtools-cors.har');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

// npm reads its settings from npm_config_* variables, which `npm test` sets for its own run: not for these.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
) as NodeJS.ProcessEnv;

const quiet = { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...env, ...quiet } });
  if (r.error) throw r.error;
  return r;
}

/** As run, without blocking this process (a server in it answers the command). */
function runAsync(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...env, ...quiet }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

// npx starts npm before the command: seconds each on a loaded 2-core machine.
describe('the npm package', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'corscope-pack-'));
  let packed: { filename: string; files: { path: string }[] };

  beforeAll(() => {
    const pack = run('npm', ['pack', '--json', '--pack-destination', dir], ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
    const install = run('npm', ['install', '--offline', join(dir, packed.filename)], dir);
    expect(install.status, install.stderr).toBe(0);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the built command line, its format document and nothing else', () => {
    expect(packed.filename).toBe(`corscope-${version}.tgz`);
    expect(packed.files.map((f) => f.path).sort()).toEqual([
      'README.md',
      'bin/corscope.js',
      'dist/corscope.js',
      'dist/net.js',
      'package.json',
      'tests/fixtures/exchange/FORMAT.md',
    ]);
  });

  it('installs into an empty folder offline, with no dependency', () => {
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules/corscope/package.json'), 'utf8'));
    expect(installed.dependencies).toBeUndefined();
    expect(readdirSync(join(dir, 'node_modules')).sort()).toEqual(['.bin', '.package-lock.json', 'corscope']);
    expect(existsSync(join(dir, 'node_modules/corscope/src'))).toBe(false);
  });

  it('runs `npx corscope har` on a HAR: the table and the exit status CI reads', () => {
    const r = run('npx', ['--no-install', 'corscope', 'har', HAR], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(2);
    expect(r.stdout.split('\n')[0]).toBe(
      '18 HAR entries, 12 calls: 10 CORS calls (5 blocked), 2 not governed by CORS, 0 same-origin, 0 cannot tell',
    );
    expect(r.stdout).toMatch(
      /^e4 +PUT +http:\/\/127\.0\.0\.1:8102\/d\/c +blocked +the preflight \(OPTIONS\)/m,
    );
    const jsonl = run('npx', ['--no-install', 'corscope', 'har', HAR, '--format', 'jsonl'], dir);
    expect(readJsonl(jsonl.stdout)).toHaveLength(12);
  });

  it('runs the commands that call servers (dist/net.js): `npx corscope probe` against a loopback server', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Access-Control-Allow-Origin': 'http://app.test', 'Content-Type': 'text/plain' });
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/items`;
      const args = [
        '--no-install',
        'corscope',
        'probe',
        url,
        '--origin',
        'http://app.test',
        '--format',
        'json',
      ];
      const r = await runAsync('npx', args, dir);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).verdict).toMatchObject({ verdict: 'allowed', preflight: 'none' });
    } finally {
      server.close();
    }
  });

  it('answers --version and --help, and the format document --help names is in the package', () => {
    const v = run('npx', ['--no-install', 'corscope', '--version'], dir);
    expect([v.status, v.stdout]).toEqual([0, `${version}\n`]);
    const help = run('npx', ['--no-install', 'corscope', 'evaluate', '--help'], dir);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('The format: tests/fixtures/exchange/FORMAT.md in the corscope package.');
    expect(existsSync(join(dir, 'node_modules/corscope/tests/fixtures/exchange/FORMAT.md'))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { StoredExchange } from '../../../src/capture/types';
import { type CorsPolicy, nginx, policiesFor, snippets } from '../../../src/ui/snippets';
import { sampleRows } from './rows';

const rows = sampleRows();
const row = (id: string) => rows.find((r) => r.exchange.id === id) as StoredExchange;
const policies = (id: string) => policiesFor(row(id).exchange, row(id).evaluation);
const ORIGIN = 'http://127.0.0.1:8101';

describe('policiesFor', () => {
  it('has nothing for an allowed call', () => {
    expect(policies('s001')).toEqual([]);
  });

  it('a missing ACAO: the exact origin, no preflight', () => {
    expect(policies('s003')).toEqual([
      {
        url: 'http://127.0.0.1:8102/p/s003',
        note: null,
        policy: {
          origin: ORIGIN,
          server: 'http://127.0.0.1:8102',
          host: '127.0.0.1:8102',
          port: '8102',
          path: '/p/s003',
          methods: ['GET'],
          headers: [],
          credentials: false,
          preflight: false,
        },
      },
    ]);
  });

  it('a preflighted PUT with a custom header: method, header and preflight', () => {
    const [p] = policies('s026');
    expect(p?.policy).toMatchObject({ methods: ['PUT'], headers: ['x-custom'], preflight: true });
  });

  it('credentials: from the fixes and the credentials mode', () => {
    const [p] = policies('s020');
    expect(p?.policy).toMatchObject({ origin: ORIGIN, credentials: true });
  });

  it('a hop reached with Origin: null gets a note, not a snippet naming "null" or the page', () => {
    const [first, second] = policies('s052');
    expect(first?.policy?.origin).toBe(ORIGIN);
    expect(second?.policy).toBeNull();
    expect(second?.note).toContain('Origin: null');
  });
});

describe('snippets', () => {
  const credentialed = policies('s034')[0]!.policy as CorsPolicy;
  const all = snippets(credentialed);

  it('covers the servers people use', () => {
    expect(all.map((s) => s.server)).toEqual([
      'express',
      'fastify',
      'nginx',
      'apache',
      'caddy',
      'spring',
      'aspnet',
      'go',
    ]);
  });

  it.each(all.map((s) => [s.server, s.code]))(
    '%s names the exact origin, never "*" or a reflected origin',
    (_, code) => {
      expect(code).toContain(ORIGIN);
      expect(code).not.toMatch(/["']\*["']/);
      expect(code).not.toMatch(
        /origin:\s*true|\$http_origin|%\{HTTP:Origin\}|AllowAnyOrigin|SetIsOriginAllowed/i,
      );
      expect(code).toContain('x-custom');
    },
  );

  it.each(all.map((s) => [s.server, s.code]))('%s allows credentials', (_, code) => {
    expect(code).toMatch(/credentials: true|Allow-Credentials "true"|allowCredentials|AllowCredentials/i);
  });

  it('adds Vary: Origin where the framework does not', () => {
    for (const s of all.filter((s) => ['fastify', 'nginx', 'apache', 'caddy', 'aspnet'].includes(s.server))) {
      expect(s.code, s.server).toMatch(/Vary.{0,4}Origin/);
    }
  });

  it('nginx answers the preflight with 204 and adds the headers to every response', () => {
    expect(nginx(credentialed)).toBe(
      [
        '# in the server block for 127.0.0.1:8102',
        'location /p/s034 {',
        '    # Answer the preflight here: add_header inside "if" replaces the outer ones.',
        '    if ($request_method = OPTIONS) {',
        '        add_header Access-Control-Allow-Origin "http://127.0.0.1:8101" always;',
        '        add_header Access-Control-Allow-Credentials "true" always;',
        '        add_header Access-Control-Allow-Methods "GET" always;',
        '        add_header Access-Control-Allow-Headers "x-custom" always;',
        '        add_header Vary "Origin" always;',
        '        return 204;',
        '    }',
        '    add_header Access-Control-Allow-Origin "http://127.0.0.1:8101" always;',
        '    add_header Access-Control-Allow-Credentials "true" always;',
        '    add_header Vary "Origin" always;',
        '    # ... proxy_pass or root as before',
        '}',
      ].join('\n'),
    );
  });

  it('no preflight block for a simple request', () => {
    const simple = policies('s003')[0]!.policy as CorsPolicy;
    for (const s of snippets(simple)) expect(s.code).not.toContain('Allow-Headers');
    expect(nginx(simple)).not.toContain('OPTIONS');
  });

  it('Spring leaves a method the enum lacks to CorsConfiguration', () => {
    const p: CorsPolicy = { ...credentialed, methods: ['GET', 'patch'] };
    const code = snippets(p).find((s) => s.server === 'spring')!.code;
    expect(code).not.toContain('RequestMethod.');
    expect(code).toContain('List.of("GET", "patch")');
  });
});

import { describe, expect, it } from 'vitest';
import type { StoredExchange } from '../../../src/store/row';
import { type CorsPolicy, nginx, pcrePath, policiesFor, re2Path, snippets } from '../../../src/ui/snippets';
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
        'location ~ ^/p/s034$ {',
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

describe('paths and names a config would read as syntax', () => {
  // What a browser sends for fetch('/api/it ems(1);v=2:x*y/中'): "(" ")" ";" ":" "*" stay, the rest is escaped.
  const hostile: CorsPolicy = {
    origin: 'https://app.example',
    server: 'http://127.0.0.1:8080',
    host: '127.0.0.1:8080',
    port: '8080',
    path: '/api/it%20ems(1);v=2:x*y/%E4%B8%AD',
    methods: ['PUT'],
    headers: ['x-rate%limit'],
    credentials: false,
    preflight: true,
  };
  const code = (server: string) => snippets(hostile).find((s) => s.server === server)!.code;

  it('nginx, Apache and Caddy get an anchored pattern of the decoded path with every other character hex-escaped', () => {
    expect(pcrePath(hostile.path)).toBe(
      '^/api/it\\x20ems\\x281\\x29\\x3bv\\x3d2\\x3ax\\x2ay/\\xe4\\xb8\\xad$',
    );
    expect(re2Path(hostile.path)).toBe('^/api/it\\x20ems\\x281\\x29\\x3bv\\x3d2\\x3ax\\x2ay/\\x{4e2d}$');
    expect(code('nginx')).toContain(`location ~ ${pcrePath(hostile.path)} {`);
    expect(code('apache')).toContain(`<LocationMatch "${pcrePath(hostile.path)}">`);
    expect(code('apache')).toContain(`RewriteRule ${pcrePath(hostile.path)} - [R=204,L]`);
    expect(code('caddy')).toContain(`@cors path_regexp ${re2Path(hostile.path)}`);
  });

  it('an escape that is not one stays, a brace or a quote decoded from the path never reaches the config', () => {
    expect(pcrePath('/a%zz/%7B%22%7D')).toBe('^/a\\x25zz/\\x7b\\x22\\x7d$');
    expect(re2Path('/a%7B%7D')).toBe('^/a\\x7b\\x7d$');
  });

  it('Caddy refuses a path that is not UTF-8 text, with a comment saying why', () => {
    expect(re2Path('/a%FF')).toBeNull();
    expect(snippets({ ...hostile, path: '/a%FF' }).find((s) => s.server === 'caddy')!.code).toBe(
      '# No Caddy configuration: the path /a%FF decodes to bytes that are not UTF-8 text, which Caddy cannot match.',
    );
  });

  it('Apache doubles "%" in header values (mod_headers reads it as a format); the others keep it', () => {
    expect(code('apache')).toContain('Header always set Access-Control-Allow-Headers "x-rate%%limit"');
    expect(code('nginx')).toContain('add_header Access-Control-Allow-Headers "x-rate%limit" always;');
    expect(code('caddy')).toContain('Access-Control-Allow-Headers "x-rate%limit"');
  });

  it('Express gets a regular expression for a path with pattern syntax, a string otherwise', () => {
    expect(code('express')).toContain(
      'app.use(/^\\/api\\/it%20ems\\(1\\);v=2:x\\*y\\/%E4%B8%AD(?=\\/|$)/, cors(corsOptions));',
    );
    expect(
      snippets({ ...hostile, path: '/api/v1.2/items%20x' }).find((s) => s.server === 'express')!.code,
    ).toContain("app.use('/api/v1.2/items%20x', cors(corsOptions));");
  });

  it('Go (rs/cors) refuses a header name it cannot read, with a comment saying why', () => {
    expect(code('go')).toBe(
      '// No rs/cors configuration: rs/cors reads only letters, digits, "-" and "_" in request header names, so it cannot allow x-rate%limit.',
    );
  });

  it('Spring says when "*" in the path widens its pattern', () => {
    expect(code('spring')).toContain('Spring reads "*" in a path pattern as a wildcard');
  });
});

describe('a preflight refused before CORS handling: the variants that put it first', () => {
  const refused: CorsPolicy = {
    origin: ORIGIN,
    server: 'http://127.0.0.1:8102',
    host: '127.0.0.1:8102',
    port: '8102',
    path: '/api/items',
    methods: ['GET'],
    headers: ['authorization'],
    credentials: false,
    preflight: true,
    before: 'authentication',
  };
  const code = (p: CorsPolicy, server: string) => snippets(p).find((s) => s.server === server)!.code;

  it('Spring: Spring Security answers the preflight with its CORS filter, before authentication', () => {
    expect(code(refused, 'spring').split('\n').slice(0, 9)).toEqual([
      '// With Spring Security: its CORS filter answers the preflight before authentication and the handlers,',
      '// with the CorsConfigurationSource bean below.',
      '@Bean',
      'SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {',
      '    http.cors(Customizer.withDefaults());',
      '    // ... authorizeHttpRequests and the rest, as before',
      '    return http.build();',
      '}',
      '',
    ]);
  });

  it('nginx and Apache: the same configuration, said to answer before authentication', () => {
    expect(code(refused, 'nginx')).toContain(
      '    # "return" runs in the rewrite phase, before auth_basic and auth_request (the access phase):\n    # the preflight is answered before authentication. Keep this first in the location.\n    if ($request_method = OPTIONS) {',
    );
    expect(code(refused, 'apache')).toContain(
      '# Answer the preflight with 204 while the URL is mapped, before authentication (Require) runs.\nRewriteEngine On',
    );
  });

  it('Fastify and Go: where the CORS handling goes', () => {
    expect(code(refused, 'fastify').split('\n').slice(-2)).toEqual([
      '// Register it before the authentication hook: @fastify/cors answers the preflight in its onRequest',
      '// hook, and Fastify runs onRequest hooks in the order they were added.',
    ]);
    expect(code(refused, 'go').split('\n').slice(-2)).toEqual([
      '// Wrap the whole handler, authentication included: rs/cors answers the preflight before it runs.',
      'http.ListenAndServe(":8102", c.Handler(handler)) // handler: mux inside its authentication',
    ]);
  });

  it('Caddy: a route, so the preflight is answered before basic_auth, which Caddy orders before handle', () => {
    expect(code(refused, 'caddy').split('\n')).toEqual([
      'http://127.0.0.1:8102 {',
      '\t@cors path_regexp ^/api/items$',
      '\theader @cors {',
      `\t\tAccess-Control-Allow-Origin "${ORIGIN}"`,
      '\t\tVary "Origin"',
      '\t}',
      '\t# In a route, handlers run in the order written: the preflight is answered before authentication.',
      '\troute {',
      '\t\t@preflight {',
      '\t\t\tmethod OPTIONS',
      '\t\t\tpath_regexp ^/api/items$',
      '\t\t}',
      '\t\thandle @preflight {',
      '\t\t\theader {',
      `\t\t\t\tAccess-Control-Allow-Origin "${ORIGIN}"`,
      '\t\t\t\tAccess-Control-Allow-Methods "GET"',
      '\t\t\t\tAccess-Control-Allow-Headers "authorization"',
      '\t\t\t\tVary "Origin"',
      '\t\t\t}',
      '\t\t\trespond 204',
      '\t\t}',
      '\t\t# ... basic_auth (basicauth before Caddy 2.8) or forward_auth, then reverse_proxy or file_server, as before',
      '\t}',
      '}',
    ]);
  });

  it('a refused route (404, 405): Express and ASP.NET Core say their middleware answers OPTIONS itself', () => {
    const routing = { ...refused, before: 'routing' as const };
    expect(code(routing, 'express').split('\n').slice(-2)).toEqual([
      '// First, before the routes: cors answers the preflight (OPTIONS → 204) itself, and a preflight carries no credentials.',
      "app.use('/api/items', cors(corsOptions));",
    ]);
    expect(code(routing, 'aspnet').split('\n').slice(-3)).toEqual([
      '// Before UseAuthentication() and UseAuthorization(): the CORS middleware answers the preflight itself,',
      '// so OPTIONS needs no endpoint and is never refused by authentication.',
      'app.UseCors("CorsFix");',
    ]);
  });
});

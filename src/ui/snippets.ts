// Copy-ready server configuration that lets one blocked call through, generated from the verdict's fixes
// and the exchange. Every snippet names the page's exact origin: never "*" (with or without credentials),
// never the request's Origin echoed back, and "Vary: Origin" where the framework does not add it itself.
import { requestedHeaderNames } from '../cors/headers';
import type { Cause, Exchange, Fix, Verdict } from '../cors/types';

/** What the server must allow, for one URL. */
export interface CorsPolicy {
  /** The page's exact origin. */
  origin: string;
  /** The server's origin, e.g. "https://api.example.com:8443", its host:port, port and the URL's path. */
  server: string;
  host: string;
  port: string;
  path: string;
  /** Methods for Access-Control-Allow-Methods, exact case, the call's own first. */
  methods: string[];
  /** Request header names for Access-Control-Allow-Headers, lower-case. */
  headers: string[];
  credentials: boolean;
  /** Whether the server must answer a preflight (OPTIONS) itself. */
  preflight: boolean;
  /**
   * What answered the preflight before any CORS handling ran (src/cors/messenger.ts): authentication (it was
   * refused 401 or 403) or routing (404 or 405, no OPTIONS route). The snippet then says where it goes, first.
   */
  before?: 'authentication' | 'routing';
}

export type ServerKind = 'express' | 'fastify' | 'nginx' | 'apache' | 'caddy' | 'spring' | 'aspnet' | 'go';

export interface Snippet {
  server: ServerKind;
  label: string;
  code: string;
}

// A serialized origin: scheme://host[:port], nothing a config file would read as syntax.
const SAFE_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9.:[\]-]+$/;
// Header field-name tokens without "$" (nginx and Caddy would read it as a variable).
const SAFE_TOKEN = /^[A-Za-z0-9!#%&'*+.^_`|~-]+$/;

/** An item a snippet may name: a token, not "*". */
const snippetItem = (s: string) => s !== '' && s !== '*' && SAFE_TOKEN.test(s);

function splitList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(snippetItem);
}

function uniq(list: string[]): string[] {
  return [...new Set(list)];
}

/** One server that needs a change: its policy, or a note on why no snippet can express it. */
export interface PolicyResult {
  url: string;
  policy: CorsPolicy | null;
  note: string | null;
}

const isCorsFix = (f: Fix) => f.header.startsWith('Access-Control-') || f.action === 'status';

/**
 * What the servers must allow, one entry per URL the fixes name, in order; empty when no response header
 * can fix the call (an allowed call, or a redirect to fix). A preflight refused before CORS handling ran
 * (`cause`) gets the variant that puts the CORS handling first.
 */
export function policiesFor(ex: Exchange, v: Verdict, cause: Cause | null = null): PolicyResult[] {
  const urls = uniq(v.fixes.filter(isCorsFix).map((f) => f.url));
  const refused = cause?.kind === 'preflight-refused' ? ex.wire[cause.hop]?.request.url : undefined;
  return urls.map((url) => {
    const fixes = v.fixes.filter((f) => isCorsFix(f) && f.url === url);
    const result = { url, ...policyAt(ex, v, url, fixes) };
    if (result.policy && url === refused)
      result.policy.before = cause!.status === 401 || cause!.status === 403 ? 'authentication' : 'routing';
    return result;
  });
}

/** Where a snippet goes when the preflight was answered before CORS handling, in a few words. */
const FIRST: Record<NonNullable<CorsPolicy['before']>, string> = {
  authentication: 'before the authentication middleware',
  routing: 'before the routes',
};

function policyAt(
  ex: Exchange,
  v: Verdict,
  url: string,
  fixes: Fix[],
): { policy: CorsPolicy | null; note: string | null } {
  const acao = fixes.find((f) => f.header === 'Access-Control-Allow-Origin');
  if (acao && acao.value !== ex.initiator) {
    return {
      policy: null,
      note:
        `After the redirect to another origin the browser sends "Origin: null" to ${url}, so naming the page's ` +
        `origin cannot work there. ${acao.value === '*' ? 'The fix is "Access-Control-Allow-Origin: *", possible only without credentials; or' : 'Instead,'} ` +
        'avoid the cross-origin redirect. Never allow "null": any sandboxed page can send it.',
    };
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { policy: null, note: null };
  }
  if (!SAFE_ORIGIN.test(ex.initiator)) {
    return { policy: null, note: `The page's origin is "${ex.initiator}": no snippet allows it.` };
  }
  const values = (header: string) =>
    fixes.filter((f) => f.header === header).flatMap((f) => splitList(f.value));
  const preflights = ex.wire.filter((w) => w.type === 'preflight' && w.request.url === url);
  const requested = preflights.flatMap((w) => requestedHeaderNames(w.request.headers).filter(snippetItem));
  const method = fixes.find((f) => f.on === 'request')?.method ?? ex.request.method;
  return {
    note: null,
    policy: {
      origin: ex.initiator,
      server: u.origin,
      host: u.host,
      port: u.port || (u.protocol === 'https:' ? '443' : '80'),
      path: u.pathname,
      methods: uniq([
        ...(SAFE_TOKEN.test(method) ? [method] : []),
        ...values('Access-Control-Allow-Methods'),
      ]),
      headers: uniq([...values('Access-Control-Allow-Headers'), ...requested].map((h) => h.toLowerCase())),
      credentials:
        ex.credentials === 'include' ||
        fixes.some((f) => f.header === 'Access-Control-Allow-Credentials' && f.value === 'true'),
      preflight:
        fixes.some((f) => f.on === 'preflight') ||
        preflights.length > 0 ||
        (v.preflight === 'cached' && url === ex.request.url),
    },
  };
}

const js = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const dq = (s: string) => JSON.stringify(s);
const jsList = (l: string[]) => `[${l.map(js).join(', ')}]`;
const dqList = (l: string[]) => l.map(dq).join(', ');

// Paths. A policy's path is the URL's, percent-encoded as the browser sends it. nginx, Apache and Caddy match
// the decoded path, and each reads characters of its own as syntax (";" ends an nginx directive, "*" and "?" are
// wildcards in an Apache <Location> and a Caddy path, "{" opens a Caddy placeholder, "%" a format in Apache):
// so they get an anchored regular expression of the decoded path in which every character but letters, digits
// and "/_~-" is a hex escape, and no quoting is needed. Express matches the encoded path, and reads "( ) * : ? +
// ! [ ] { }" as pattern syntax: a plain path stays a string, any other becomes a regular expression.

/** The bytes of a percent-encoded path (an invalid escape stays as it is, as servers leave it). */
function pathBytes(path: string): number[] {
  const out: number[] = [];
  const raw = new TextEncoder().encode(path);
  for (let i = 0; i < raw.length; i++) {
    const hex = i + 2 < raw.length ? String.fromCharCode(raw[i + 1]!, raw[i + 2]!) : '';
    if (raw[i] === 0x25 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(raw[i]!);
  }
  return out;
}

const PLAIN_BYTE = /[A-Za-z0-9/_~-]/;
const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** ^path$ for PCRE (nginx, Apache): byte by byte, as they match a path that is not UTF-8 text too. */
export function pcrePath(path: string): string {
  const body = pathBytes(path)
    .map((b) =>
      b < 0x80 && PLAIN_BYTE.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\x${hex2(b)}`,
    )
    .join('');
  return `^${body}$`;
}

/** ^path$ for RE2 (Caddy), character by character; null when the decoded path is not UTF-8 text. */
export function re2Path(path: string): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(pathBytes(path)));
  } catch {
    return null;
  }
  let body = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    body += cp < 0x80 && PLAIN_BYTE.test(ch) ? ch : cp < 0x100 ? `\\x${hex2(cp)}` : `\\x{${cp.toString(16)}}`;
  }
  return `^${body}$`;
}

/** Express's mount path: the path as a string, or a regular expression when it holds pattern syntax. */
function expressPath(path: string): string {
  if (/^[A-Za-z0-9/._~%-]*$/.test(path)) return js(path);
  return `/^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?=\\/|$)/`;
}

/** A header value for Apache's mod_headers, which reads "%" as the start of a format. */
const apacheValue = (v: string) => dq(v.replace(/%/g, '%%'));

/** The response headers, as name/value pairs, for the actual response and for the preflight. */
function headerLines(p: CorsPolicy, preflight: boolean): [string, string][] {
  const out: [string, string][] = [['Access-Control-Allow-Origin', p.origin]];
  if (p.credentials) out.push(['Access-Control-Allow-Credentials', 'true']);
  if (preflight) {
    out.push(['Access-Control-Allow-Methods', p.methods.join(', ')]);
    if (p.headers.length) out.push(['Access-Control-Allow-Headers', p.headers.join(', ')]);
  }
  out.push(['Vary', 'Origin']);
  return out;
}

export function express(p: CorsPolicy): string {
  return [
    '// npm install cors',
    "const cors = require('cors');",
    '',
    'const corsOptions = {',
    `  origin: ${js(p.origin)}, // one exact origin: cors adds Vary: Origin`,
    `  methods: ${jsList(p.methods)},`,
    ...(p.headers.length ? [`  allowedHeaders: ${jsList(p.headers)},`] : []),
    ...(p.credentials ? ['  credentials: true,'] : []),
    '};',
    p.before
      ? `// First, ${FIRST[p.before]}: cors answers the preflight (OPTIONS → 204) itself, and a preflight carries no credentials.`
      : p.preflight
        ? '// Answers the preflight (OPTIONS → 204) and adds the headers to the response.'
        : '// Adds the headers to the response.',
    `app.use(${expressPath(p.path)}, cors(corsOptions));`,
    ...(p.before === 'authentication'
      ? ['// ... then the authentication middleware and the routes, as before']
      : []),
  ].join('\n');
}

export function fastify(p: CorsPolicy): string {
  return [
    '// npm install @fastify/cors',
    "await fastify.register(require('@fastify/cors'), {",
    `  origin: ${js(p.origin)}, // one exact origin`,
    `  methods: ${jsList(p.methods)},`,
    ...(p.headers.length ? [`  allowedHeaders: ${jsList(p.headers)},`] : []),
    ...(p.credentials ? ['  credentials: true,'] : []),
    '});',
    '// @fastify/cors adds Vary: Origin only for a dynamic origin option.',
    "fastify.addHook('onSend', async (request, reply) => {",
    "  reply.header('Vary', 'Origin');",
    '});',
    ...(p.before === 'authentication'
      ? [
          '// Register it before the authentication hook: @fastify/cors answers the preflight in its onRequest',
          '// hook, and Fastify runs onRequest hooks in the order they were added.',
        ]
      : p.before === 'routing'
        ? ['// @fastify/cors adds the OPTIONS route itself.']
        : []),
  ].join('\n');
}

export function nginx(p: CorsPolicy): string {
  const add = (pad: string, pre: boolean) =>
    headerLines(p, pre).map(([n, v]) => `${pad}add_header ${n} ${dq(v)} always;`);
  return [
    `# in the server block for ${p.host}`,
    `location ~ ${pcrePath(p.path)} {`,
    ...(p.preflight
      ? [
          '    # Answer the preflight here: add_header inside "if" replaces the outer ones.',
          ...(p.before === 'authentication'
            ? [
                '    # "return" runs in the rewrite phase, before auth_basic and auth_request (the access phase):',
                '    # the preflight is answered before authentication. Keep this first in the location.',
              ]
            : p.before === 'routing'
              ? ['    # nginx answers the preflight itself: the application needs no OPTIONS route.']
              : []),
          '    if ($request_method = OPTIONS) {',
          ...add('        ', true),
          '        return 204;',
          '    }',
        ]
      : []),
    ...add('    ', false),
    '    # ... proxy_pass or root as before',
    '}',
  ].join('\n');
}

export function apache(p: CorsPolicy): string {
  const lines = headerLines(p, p.preflight).map(([n, v]) =>
    n === 'Vary'
      ? `    Header always merge Vary ${apacheValue(v)}`
      : `    Header always set ${n} ${apacheValue(v)}`,
  );
  const path = pcrePath(p.path);
  return [
    `# mod_headers${p.preflight ? ' and mod_rewrite' : ''}, in the <VirtualHost> for ${p.host}`,
    `<LocationMatch "${path}">`,
    ...lines,
    '</LocationMatch>',
    ...(p.preflight
      ? [
          p.before === 'authentication'
            ? '# Answer the preflight with 204 while the URL is mapped, before authentication (Require) runs.'
            : '# Answer the preflight with 204 instead of passing OPTIONS to the application.',
          'RewriteEngine On',
          'RewriteCond %{REQUEST_METHOD} =OPTIONS',
          `RewriteRule ${path} - [R=204,L]`,
        ]
      : []),
  ].join('\n');
}

export function caddy(p: CorsPolicy): string {
  const block = (pad: string, pre: boolean) => headerLines(p, pre).map(([n, v]) => `${pad}${n} ${dq(v)}`);
  const path = re2Path(p.path);
  if (path === null)
    return `# No Caddy configuration: the path ${p.path} decodes to bytes that are not UTF-8 text, which Caddy cannot match.`;
  if (p.before === 'authentication' && p.preflight) {
    // Caddy orders its directives itself (basic_auth and forward_auth before handle); in a route they run
    // in the order written.
    return [
      `${p.server} {`,
      `\t@cors path_regexp ${path}`,
      '\theader @cors {',
      ...block('\t\t', false),
      '\t}',
      '\t# In a route, handlers run in the order written: the preflight is answered before authentication.',
      '\troute {',
      '\t\t@preflight {',
      '\t\t\tmethod OPTIONS',
      `\t\t\tpath_regexp ${path}`,
      '\t\t}',
      '\t\thandle @preflight {',
      '\t\t\theader {',
      ...block('\t\t\t\t', true),
      '\t\t\t}',
      '\t\t\trespond 204',
      '\t\t}',
      '\t\t# ... basic_auth (basicauth before Caddy 2.8) or forward_auth, then reverse_proxy or file_server, as before',
      '\t}',
      '}',
    ].join('\n');
  }
  return [
    `${p.server} {`,
    `\t@cors path_regexp ${path}`,
    ...(p.preflight
      ? [
          '\t@preflight {',
          '\t\tmethod OPTIONS',
          `\t\tpath_regexp ${path}`,
          '\t}',
          '\thandle @preflight {',
          '\t\theader {',
          ...block('\t\t\t', true),
          '\t\t}',
          '\t\trespond 204',
          '\t}',
        ]
      : []),
    '\theader @cors {',
    ...block('\t\t', false),
    '\t}',
    '\t# ... reverse_proxy or file_server as before',
    '}',
  ].join('\n');
}

const SPRING_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE']);

export function spring(p: CorsPolicy): string {
  const attrs = [`origins = ${dq(p.origin)}`];
  if (p.methods.every((m) => SPRING_METHODS.has(m)))
    attrs.push(`methods = {${p.methods.map((m) => `RequestMethod.${m}`).join(', ')}}`);
  if (p.headers.length) attrs.push(`allowedHeaders = {${dqList(p.headers)}}`);
  if (p.credentials) attrs.push('allowCredentials = "true"');
  const security = p.before
    ? [
        '// With Spring Security: its CORS filter answers the preflight before authentication and the handlers,',
        '// with the CorsConfigurationSource bean below.',
        '@Bean',
        'SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {',
        '    http.cors(Customizer.withDefaults());',
        '    // ... authorizeHttpRequests and the rest, as before',
        '    return http.build();',
        '}',
        '',
      ]
    : [];
  return [
    ...security,
    '// On the controller or handler method (Spring adds Vary: Origin itself):',
    `@CrossOrigin(${attrs.join(', ')})`,
    '',
    '// Or in one place, as a CorsConfigurationSource bean (Spring MVC and Spring Security):',
    '@Bean',
    'CorsConfigurationSource corsConfigurationSource() {',
    '    CorsConfiguration config = new CorsConfiguration();',
    `    config.setAllowedOrigins(List.of(${dq(p.origin)}));`,
    `    config.setAllowedMethods(List.of(${dqList(p.methods)}));`,
    ...(p.headers.length ? [`    config.setAllowedHeaders(List.of(${dqList(p.headers)}));`] : []),
    ...(p.credentials ? ['    config.setAllowCredentials(true);'] : []),
    '    UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();',
    ...(p.path.includes('*')
      ? [
          '    // Spring reads "*" in a path pattern as a wildcard: this one covers other paths than the call\'s too.',
        ]
      : []),
    `    source.registerCorsConfiguration(${dq(p.path)}, config);`,
    '    return source;',
    '}',
  ].join('\n');
}

export function aspnet(p: CorsPolicy): string {
  return [
    '// Program.cs',
    'builder.Services.AddCors(options =>',
    '{',
    '    options.AddPolicy("CorsFix", policy => policy',
    `        .WithOrigins(${dq(p.origin)})`,
    `        .WithMethods(${dqList(p.methods)})`,
    ...(p.headers.length ? [`        .WithHeaders(${dqList(p.headers)})`] : []),
    ...(p.credentials ? ['        .AllowCredentials()'] : []),
    '    );',
    '});',
    'var app = builder.Build();',
    '// ASP.NET Core adds Vary: Origin only for several origins: add it for this one.',
    'app.Use(async (context, next) => { context.Response.Headers.Append("Vary", "Origin"); await next(); });',
    ...(p.before
      ? [
          '// Before UseAuthentication() and UseAuthorization(): the CORS middleware answers the preflight itself,',
          '// so OPTIONS needs no endpoint and is never refused by authentication.',
        ]
      : []),
    'app.UseCors("CorsFix");',
    ...(p.before === 'authentication' ? ['app.UseAuthentication();', 'app.UseAuthorization();'] : []),
  ].join('\n');
}

// rs/cors reads only letters, digits, "-" and "_" in Access-Control-Request-Headers and echoes what it read (measured
// with 1.7.0): a name with any other character can never be allowed through it.
const RS_CORS_NAME = /^[A-Za-z0-9_-]+$/;

export function go(p: CorsPolicy): string {
  const unreadable = p.headers.filter((h) => !RS_CORS_NAME.test(h));
  if (unreadable.length)
    return `// No rs/cors configuration: rs/cors reads only letters, digits, "-" and "_" in request header names, so it cannot allow ${unreadable.join(', ')}.`;
  return [
    '// go get github.com/rs/cors (it answers the preflight and adds Vary: Origin)',
    'c := cors.New(cors.Options{',
    `\tAllowedOrigins: []string{${dq(p.origin)}},`,
    `\tAllowedMethods: []string{${dqList(p.methods)}},`,
    ...(p.headers.length ? [`\tAllowedHeaders: []string{${dqList(p.headers)}},`] : []),
    ...(p.credentials ? ['\tAllowCredentials: true,'] : []),
    '})',
    ...(p.before === 'authentication'
      ? [
          '// Wrap the whole handler, authentication included: rs/cors answers the preflight before it runs.',
          `http.ListenAndServe(":${p.port}", c.Handler(handler)) // handler: mux inside its authentication`,
        ]
      : [
          ...(p.before === 'routing'
            ? ['// rs/cors answers the preflight itself: the mux needs no OPTIONS route.']
            : []),
          `http.ListenAndServe(":${p.port}", c.Handler(mux))`,
        ]),
  ].join('\n');
}

const GENERATORS: [ServerKind, string, (p: CorsPolicy) => string][] = [
  ['express', 'Express (cors)', express],
  ['fastify', 'Fastify (@fastify/cors)', fastify],
  ['nginx', 'nginx', nginx],
  ['apache', 'Apache', apache],
  ['caddy', 'Caddy', caddy],
  ['spring', 'Spring', spring],
  ['aspnet', 'ASP.NET Core', aspnet],
  ['go', 'Go (rs/cors)', go],
];

export function snippets(p: CorsPolicy): Snippet[] {
  return GENERATORS.map(([server, label, gen]) => ({ server, label, code: gen(p) }));
}

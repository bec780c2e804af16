// `corscope probe` against loopback servers: what it sends (checked header by header against what Chromium 156
// sent in the same situations, see tests/e2e/probe.e2e.test.ts for the browser side), when it stops, what it
// prints, its exit status, TLS and proxies.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { close, forwardProxy, httpsServer, rawServer, silentServer } from '../../e2e/harness/net';
import { closedPort, type ScenarioServer, startScenarioServer } from '../../e2e/harness/server';
import { run } from './run';

const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

describe('corscope probe', () => {
  let server: ScenarioServer;
  let page: string;
  let api: string;
  let api2: string;
  beforeAll(async () => {
    server = await startScenarioServer();
    ({ page, api, api2 } = server.origins);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const sent = () => server.requests.map((r) => [r.method, r.path, r.headers.origin ?? '(none)']);

  it('sends a simple GET with the headers Chromium sends to a loopback API, and exits 0 when allowed', async () => {
    server.route('/a', { actual: { status: 200, headers: [['Access-Control-Allow-Origin', page]] } });
    const { code, out } = await run(['probe', `${api}/a?q=1`, '--origin', page]);
    expect(code).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.url).toBe('/a?q=1');
    expect(server.requests[0]!.rawHeaders).toEqual([
      ['Host', `127.0.0.1:${server.apiPort}`],
      ['Connection', 'keep-alive'],
      ['sec-ch-ua-platform', '"Linux"'],
      ['User-Agent', UA],
      ['sec-ch-ua', '"Not:A-Brand";v="8", "Chromium";v="156"'],
      ['sec-ch-ua-mobile', '?0'],
      ['Accept', '*/*'],
      ['Origin', page],
      ['Sec-Fetch-Site', 'same-site'],
      ['Sec-Fetch-Mode', 'cors'],
      ['Sec-Fetch-Dest', 'empty'],
      ['Referer', `${page}/`],
      ['Accept-Encoding', 'gzip, deflate, br, zstd'],
      ['Accept-Language', 'en-US,en;q=0.9'],
    ]);
    expect(out).toContain('Verdict: allowed (preflight none)');
    expect(out).toContain(`Allowed: ${api} answered GET with Access-Control-Allow-Origin: ${page}.`);
  });

  it('sends the preflight of a PUT (lower-cased, sorted Access-Control-Request-Headers) but not the PUT without --send', async () => {
    server.route('/p', {
      preflight: {
        status: 204,
        headers: [
          ['Access-Control-Allow-Origin', page],
          ['Access-Control-Allow-Methods', 'PUT'],
          ['Access-Control-Allow-Headers', 'X-B, X-A'],
        ],
      },
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', page]] },
    });
    const { code, out } = await run([
      'probe',
      `${api}/p`,
      '--origin',
      page,
      '-X',
      'put',
      '-H',
      'X-B: 2',
      '-H',
      'X-A: 1',
    ]);
    expect(code).toBe(0);
    expect(server.requests.map((r) => r.method)).toEqual(['OPTIONS']);
    expect(server.requests[0]!.rawHeaders).toEqual([
      ['Host', `127.0.0.1:${server.apiPort}`],
      ['Connection', 'keep-alive'],
      ['Accept', '*/*'],
      ['Access-Control-Request-Method', 'PUT'],
      ['Access-Control-Request-Headers', 'x-a,x-b'],
      ['Origin', page],
      ['User-Agent', UA],
      ['Sec-Fetch-Mode', 'cors'],
      ['Sec-Fetch-Site', 'same-site'],
      ['Sec-Fetch-Dest', 'empty'],
      ['Referer', `${page}/`],
      ['Accept-Encoding', 'gzip, deflate, br, zstd'],
      ['Accept-Language', 'en-US,en;q=0.9'],
    ]);
    expect(out).toContain(
      'Verdict: preflight passed; PUT not sent (without --send only GET and HEAD are sent)',
    );
    expect(out).toContain(`(not sent)  PUT ${api}/p`);
  });

  it('with --send sends the PUT after its preflight and judges its response (exit 2 when blocked)', async () => {
    server.route('/p', {
      preflight: {
        status: 204,
        headers: [
          ['Access-Control-Allow-Origin', page],
          ['Access-Control-Allow-Methods', 'PUT'],
        ],
      },
      actual: { status: 200, headers: [] },
    });
    const { code, out } = await run([
      'probe',
      `${api}/p`,
      '--origin',
      page,
      '-X',
      'PUT',
      '--data',
      'x',
      '--send',
    ]);
    expect(code).toBe(2);
    expect(sent()).toEqual([
      ['OPTIONS', '/p', page],
      ['PUT', '/p', page],
    ]);
    expect(server.requests[1]!.body).toBe('x');
    expect(server.requests[1]!.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(out).toContain(
      `Access to fetch at '${api}/p' from origin '${page}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
    );
    expect(out).toContain(`On the response to PUT ${api}/p: set Access-Control-Allow-Origin: ${page}`);
  });

  it('stops at a failed preflight: the request is never sent, exit 2, with the console line and the fix', async () => {
    server.route('/f', { preflight: { status: 204, headers: [] }, actual: { status: 200, headers: [] } });
    const { code, out } = await run(['probe', `${api}/f`, '--origin', page, '-H', 'X-Trace: 1', '--send']);
    expect(code).toBe(2);
    expect(sent()).toEqual([['OPTIONS', '/f', page]]);
    expect(out).toContain(
      `Access to fetch at '${api}/f' from origin '${page}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
    );
    expect(out).toContain(
      `On the preflight (OPTIONS) response from ${api}/f: set Access-Control-Allow-Origin: ${page}`,
    );
  });

  it('follows a cross-origin redirect as the browser does: Origin null, a new preflight, Authorization dropped', async () => {
    server.route('/r', {
      preflight: {
        status: 204,
        headers: [
          ['Access-Control-Allow-Origin', page],
          ['Access-Control-Allow-Methods', 'PUT'],
          ['Access-Control-Allow-Headers', 'authorization'],
        ],
      },
      actual: {
        status: 307,
        headers: [
          ['Location', `${api2}/r2`],
          ['Access-Control-Allow-Origin', page],
        ],
      },
    });
    server.route('/r2', {
      preflight: {
        status: 204,
        headers: [
          ['Access-Control-Allow-Origin', '*'],
          ['Access-Control-Allow-Methods', 'PUT'],
        ],
      },
      actual: { status: 200, headers: [['Access-Control-Allow-Origin', '*']] },
    });
    const { code, out } = await run([
      'probe',
      `${api}/r`,
      '--origin',
      page,
      '-X',
      'PUT',
      '-H',
      'Authorization: Bearer t',
      '--send',
    ]);
    expect(code).toBe(0);
    expect(sent()).toEqual([
      ['OPTIONS', '/r', page],
      ['PUT', '/r', page],
      ['OPTIONS', '/r2', 'null'],
      ['PUT', '/r2', 'null'],
    ]);
    expect(server.requests[2]!.headers['access-control-request-headers']).toBeUndefined();
    expect(server.requests[3]!.headers.authorization).toBeUndefined();
    expect(server.requests[3]!.headers['sec-fetch-site']).toBe('cross-site');
    expect(out).toContain('Verdict: allowed (preflight sent)');
  });

  it('does not follow a redirect whose response fails the CORS check', async () => {
    server.route('/r', { actual: { status: 302, headers: [['Location', `${api2}/r2`]] } });
    const { code, out } = await run(['probe', `${api}/r`, '--origin', page]);
    expect(code).toBe(2);
    expect(sent()).toEqual([['GET', '/r', page]]);
    expect(out).toContain(
      `Access to fetch at '${api}/r' from origin '${page}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
    );
  });

  it('refuses a POST that needs no preflight without --send, before anything is sent (exit 64)', async () => {
    const { code, err } = await run(['probe', `${api}/x`, '--origin', page, '--data', 'a=1']);
    expect(code).toBe(64);
    expect(err).toContain('POST needs no preflight, so without --send there is nothing to ask the server');
    expect(server.requests).toEqual([]);
  });

  it.each([
    [[], 'a URL is needed'],
    [['http://a.test/'], '--origin is needed'],
    [
      ['http://a.test/', '--origin', 'http://b.test/path'],
      'is not an origin: no user, path, query or fragment',
    ],
    [['http://a.test/', '--origin', 'ftp://b.test'], "a page's origin here is http: or https:, or null"],
    [['ftp://a.test/', '--origin', 'http://b.test'], 'only http: and https: URLs can be probed'],
    [['http://a.test/', '--origin', 'http://b.test', '-H', 'Host: x'], 'the browser sets this header itself'],
    [['http://a.test/', '--origin', 'http://b.test', '-H', 'Cookie: a=1'], 'only with --credentials include'],
    [['http://a.test/', '--origin', 'http://b.test', '-H', 'no colon'], 'expected "Name: value"'],
    [
      ['http://a.test/', '--origin', 'http://b.test', '--credentials', 'all'],
      '--credentials takes omit, same-origin, include',
    ],
    [['http://a.test/', '--origin', 'http://b.test', '--engine', 'ie'], 'unknown engine "ie"'],
    [['http://a.test/', '--origin', 'http://b.test', '--format', 'xml'], 'unknown format "xml"'],
    [['http://a.test/', '--origin', 'http://b.test', '--timeout', '0'], '--timeout takes seconds'],
    [['http://a.test/', '--origin', 'http://b.test', '--bogus'], "Unknown option '--bogus'"],
    [
      ['http://a.test/', '--origin', 'http://b.test', '-X', 'GET', '-d', 'x'],
      'fetch() refuses a body on GET and HEAD',
    ],
    [['http://a.test/', '--origin', 'http://b.test', '-X', 'TRACE'], 'a forbidden method'],
  ])('bad usage %j exits 64 with the reason', async (args, why) => {
    const { code, err, out } = await run(['probe', ...args]);
    expect(code).toBe(64);
    expect(err).toContain(why);
    expect(err).toContain('corscope probe URL --origin ORIGIN');
    expect(out).toBe('');
  });

  it('a refused connection is a probe failure: exit 1 and a plain message', async () => {
    const port = await closedPort();
    const { code, err } = await run(['probe', `http://127.0.0.1:${port}/x`, '--origin', page]);
    expect(code).toBe(1);
    expect(err).toBe(`corscope probe: 127.0.0.1:${port} refused the connection\n`);
  });

  it('a name that does not resolve is a probe failure', async () => {
    const { code, err } = await run(['probe', 'http://no-such-host.invalid/x', '--origin', page]);
    expect(code).toBe(1);
    expect(err).toBe('corscope probe: cannot resolve no-such-host.invalid\n');
  });

  it('a server that never answers is a probe failure after --timeout', async () => {
    const silent = await silentServer();
    try {
      const { code, err } = await run([
        'probe',
        `http://127.0.0.1:${silent.port}/x`,
        '--origin',
        page,
        '--timeout',
        '0.3',
      ]);
      expect(code).toBe(1);
      expect(err).toBe(`corscope probe: 127.0.0.1:${silent.port} did not answer within 0.3 s (--timeout)\n`);
    } finally {
      await close(silent.server);
    }
  });

  it('makes control characters a server sends visible in the output', async () => {
    const raw = await rawServer(
      'HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: http://evil.test\x1b]8;;http://x\x07\x1b[2J\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    try {
      const { code, out } = await run(['probe', `http://127.0.0.1:${raw.port}/x`, '--origin', page]);
      expect(code).toBe(2);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character but the newline may be printed
      expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
      expect(out).toContain('http://evil.test\\x1b]8;;http://x\\x07\\x1b[2J');
    } finally {
      await close(raw.server);
    }
  });

  it('--format json gives the exchange as sent and the verdict', async () => {
    server.route('/a', { actual: { status: 200, headers: [['Access-Control-Allow-Origin', '*']] } });
    const { code, out } = await run(['probe', `${api}/a`, '--origin', page, '--format', 'json']);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.verdict).toMatchObject({ verdict: 'allowed', preflight: 'none', engine: 'chromium' });
    expect(j.exchange).toMatchObject({
      initiator: page,
      credentials: 'same-origin',
      request: { method: 'GET' },
    });
    expect(j.exchange.wire).toHaveLength(1);
    expect(j.exchange.wire[0].response.status).toBe(200);
    expect(j).toMatchObject({ notSent: null, failure: null, refusedRedirect: null });
  });

  it('--format markdown gives a report with the console line fenced', async () => {
    server.route('/a', { actual: { status: 200, headers: [] } });
    const { code, out } = await run(['probe', `${api}/a`, '--origin', page, '--format', 'markdown']);
    expect(code).toBe(2);
    expect(out).toContain(`## GET \`${api}/a\``);
    expect(out).toContain('Chromium console:\n\n```text\nAccess to fetch at');
    expect(out).toContain(
      `| fail | Access-Control-Allow-Origin allows the origin | "${page}" or "\\*" | (absent) |`,
    );
  });

  it('--engine firefox judges by Firefox and prints its console line', async () => {
    server.route('/a', { actual: { status: 200, headers: [] } });
    const { code, out } = await run(['probe', `${api}/a`, '--origin', page, '--engine', 'firefox']);
    expect(code).toBe(2);
    expect(out).toContain('Firefox console:');
    expect(out).toContain(
      `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ${api}/a. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.`,
    );
  });

  it('--credentials include sends the cookie given with -H Cookie, judges Access-Control-Allow-Credentials, and prints no cookie', async () => {
    server.route('/c', {
      actual: {
        status: 200,
        headers: [
          ['Access-Control-Allow-Origin', page],
          ['Set-Cookie', 'sid=1; Path=/'],
        ],
      },
    });
    const { code, out } = await run([
      'probe',
      `${api}/c`,
      '--origin',
      page,
      '--credentials',
      'include',
      '-H',
      'Cookie: sid=1',
      '--format',
      'json',
    ]);
    expect(code).toBe(2);
    expect(server.requests[0]!.headers.cookie).toBe('sid=1');
    // What it prints keeps the values out, as capture does.
    expect(out).not.toContain('sid=1');
    expect(out).toContain('"Cookie","[redacted: 5 bytes]"');
    expect(out).toContain('"Set-Cookie","[redacted: 13 bytes]"');
    expect(out).toContain(
      "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
    );
  });

  describe('TLS and proxies', () => {
    const allow = () => ({
      status: 200,
      headers: [['Access-Control-Allow-Origin', '*']] as [string, string][],
    });

    it('refuses an untrusted certificate (exit 1) unless --insecure', async () => {
      const tls = await httpsServer(allow);
      try {
        const url = `https://127.0.0.1:${tls.port}/t`;
        const refused = await run(['probe', url, '--origin', page]);
        expect(refused.code).toBe(1);
        expect(refused.err).toContain(`127.0.0.1:${tls.port}: the TLS certificate is not trusted`);
        expect(refused.err).toContain('--insecure skips the check');
        expect(tls.seen).toEqual([]);
        const ok = await run(['probe', url, '--origin', page, '--insecure']);
        expect(ok.code).toBe(0);
        expect(tls.seen.map((s) => s.method)).toEqual(['GET']);
      } finally {
        await close(tls.server);
      }
    });

    it('sends http: requests through HTTP_PROXY in absolute form, and not for NO_PROXY hosts', async () => {
      server.route('/a', { actual: allow() });
      const proxy = await forwardProxy();
      try {
        const env = { HTTP_PROXY: `http://user:pw@127.0.0.1:${proxy.port}` };
        const { code } = await run(['probe', `${api}/a`, '--origin', page], '', env);
        expect(code).toBe(0);
        expect(proxy.seen.map((s) => [s.method, s.url])).toEqual([['GET', `${api}/a`]]);
        expect(proxy.seen[0]!.headers).toContainEqual(['Proxy-Authorization', `Basic ${btoa('user:pw')}`]);
        expect(server.requests[0]!.rawHeaders[0]).toEqual(['Host', `127.0.0.1:${server.apiPort}`]);
        const direct = await run(['probe', `${api}/a`, '--origin', page], '', {
          ...env,
          NO_PROXY: 'localhost,127.0.0.1',
        });
        expect(direct.code).toBe(0);
        expect(proxy.seen).toHaveLength(1);
        expect(server.requests).toHaveLength(2);
      } finally {
        await close(proxy.server);
      }
    });

    it('tunnels https: requests through HTTPS_PROXY with CONNECT', async () => {
      const tls = await httpsServer(allow);
      // Only the proxy knows where tunnel.test is: a request that bypassed it would not resolve.
      const proxy = await forwardProxy((host) => (host === 'tunnel.test' ? '127.0.0.1' : host));
      try {
        const url = `https://tunnel.test:${tls.port}/t`;
        const { code } = await run(['probe', url, '--origin', page, '--insecure'], '', {
          https_proxy: `127.0.0.1:${proxy.port}`,
        });
        expect(code).toBe(0);
        expect(proxy.seen.map((s) => [s.method, s.url])).toEqual([['CONNECT', `tunnel.test:${tls.port}`]]);
        expect(tls.seen[0]!.headers[0]).toEqual(['Host', `tunnel.test:${tls.port}`]);
        expect(tls.seen.map((s) => [s.method, s.url])).toEqual([['GET', '/t']]);
      } finally {
        await close(proxy.server);
        await close(tls.server);
      }
    });
  });
});

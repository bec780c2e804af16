// The Local Network Access check before CORS (src/cors/local-network.ts): the recorded samples in detail, what the
// verdict says where the recording names no address space, the address-space table, and the advice.
import { describe, expect, it } from 'vitest';
import { type Exchange, evaluateAll, type Verdict } from '../../../src/cors/index';
import {
  determineIpAddressSpace,
  hostAddressSpace,
  potentiallyTrustworthy,
  targetAddressSpaceOf,
} from '../../../src/cors/local-network';
import { parseExchange } from '../../../src/cors/validate';
import { fakeExchange, response, wireRequest } from '../../factories';
import { readSampleSet } from './sample-set';

const lna = readSampleSet(new URL('../../fixtures/exchange/lna/', import.meta.url));
const verdicts = evaluateAll(lna.samples);
const byId = (id: string) => verdicts.find((v) => v.id === id)!;
const firefox = readSampleSet<{ id: string; verdict: string; preflight: string; console: string | null }>(
  new URL('../../fixtures/exchange/lna/firefox/', import.meta.url),
);
const firefoxVerdicts = evaluateAll(firefox.samples, { engine: 'firefox' });

const BLOCKED = 'net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS';

/** A fetch GET the browser reported its Local Network Access check stopped, nothing else recorded. */
function stoppedCall(page: string, url: string, error = BLOCKED): Exchange {
  return fakeExchange({
    initiator: page,
    request: { method: 'GET', url, headers: [] },
    wire: [{ type: 'request', request: { method: 'GET', url, headers: [] }, response: null }],
    outcome: 'error',
    netError: error,
  });
}

describe('the recorded samples, in detail', () => {
  it('prints only lines Chromium printed for the call, and never a header fix for a call the check stopped', () => {
    lna.expected.forEach((_exp, i) => {
      const v = verdicts[i]!;
      if (v.error?.console) expect(lna.catalog[i]!.console.map((c) => c.text)).toContain(v.error.console);
      if (v.localNetwork?.blocked) {
        expect(v.fixes).toEqual([]);
        expect(v.advice.length).toBeGreaterThan(1);
        expect(v.advice.join(' ')).not.toMatch(/Private-Network|Local-Network/);
      }
    });
  });

  it('names the address spaces, the permission and the page on a call stopped for want of permission', () => {
    const v = byId('l004');
    expect(v.reason).toEqual({
      key: 'LocalNetworkAccessPermissionDenied',
      header: null,
      seen: 'local',
      required: 'local-network',
      hop: 0,
    });
    expect(v.localNetwork).toEqual({
      initiator: 'public',
      resource: 'local',
      target: null,
      secureContext: true,
      permission: 'local-network',
      permissionState: 'denied',
      hop: 0,
      blocked: true,
      basis: 'the address spaces as recorded',
    });
    expect(v.summary).toBe(
      'Blocked: Chromium\'s Local Network Access check stopped the request to http://127.0.0.1:8506 before it was sent: the page is in the `public` address space, http://127.0.0.1:8506 in the `local` address space, and the user has not granted the page the "local-network" permission; the server never saw it (no response header can change that).',
    );
    expect(v.advice[0]).toBe(
      'The user grants the permission: Chrome asks when http://127.0.0.1:8501 first makes such a call, and keeps the answer in the site\'s settings (the icon left of the address, or chrome://settings/content/siteDetails?site=http%3A%2F%2F127.0.0.1%3A8501: "Local network"). It is "local-network", for the local network (a router, a printer, 192.168.x.x, 10.x.x.x, *.local); granting one does not grant the other. A browser that cannot ask (headless, automated) refuses at once.',
    );
    expect(v.advice).toContain(
      'From a cross-origin iframe, the embedding page must delegate it: <iframe allow="local-network" src="…"> (the older "local-network-access" covers both).',
    );
    expect(v.advice).toContain(
      'On managed computers, an administrator can allow http://127.0.0.1:8501 by policy: LocalNetworkAllowedForUrls (LocalNetworkAccessAllowedForUrls covers both).',
    );
    expect(v.advice.at(-1)).toBe(
      'Once the browser lets the request through, ordinary CORS applies: the response to GET http://127.0.0.1:8506/lna/l004 must allow http://127.0.0.1:8501; it cannot be checked yet, since the server never answered.',
    );
  });

  it('stops a preflight on its own, and says the actual request was never sent', () => {
    const v = byId('l005');
    expect(v.error?.stage).toBe('preflight');
    expect(v.summary).toMatch(
      /stopped the preflight to http:\/\/127\.0\.0\.1:8505 .*, so the browser never sent the PUT\.$/,
    );
    expect(v.checks.map((c) => [c.rule, c.result])).toEqual([
      ['preflight-sent', 'info'],
      ['local-network-access', 'fail'],
      ['local-network-access', 'info'],
    ]);
  });

  it('blocks a page that is not a secure context even with the permission, and says the permission is not the cause', () => {
    const v = byId('l010');
    expect(v.localNetwork?.secureContext).toBe(false);
    expect(v.localNetwork?.permissionState).toBe('granted');
    expect(v.advice[0]).toBe(
      'Serve http://pub.test:8502 over HTTPS: a page that is not a secure context may not reach the "loopback" address space at all, even with the permission.',
    );
    expect(v.advice[1]).toBe(
      'The "loopback-network" permission is granted: it is not what stopped the request.',
    );
  });

  it("reads fetch()'s targetAddressSpace and tells what to pass instead", () => {
    const v = byId('l016');
    expect(v.reason).toMatchObject({ key: 'InvalidLocalNetworkAccess', seen: 'loopback', required: 'local' });
    expect(v.advice[0]).toBe(
      'Correct fetch()\'s targetAddressSpace: http://127.0.0.1:8505 is in "loopback", so pass targetAddressSpace: "loopback" or leave the option out (it exists to let an HTTPS page call a plain-HTTP device on the local network without a mixed-content block).',
    );
    // The permission was granted: nothing to ask the user.
    expect(v.advice.join(' ')).not.toContain('The user grants');
  });

  it('shows the check passing, then the ordinary CORS check, on a call the permission let through', () => {
    const v = byId('l008');
    expect(v.checks.map((c) => [c.rule, c.result])).toEqual([
      ['cross-origin', 'info'],
      ['preflight-needed', 'info'],
      ['local-network-access', 'pass'],
      ['acao', 'fail'],
    ]);
    expect(v.localNetwork).toMatchObject({
      blocked: false,
      permission: 'loopback-network',
      permissionState: 'granted',
    });
    expect(v.fixes.map((f) => `${f.header}: ${f.value}`)).toEqual([
      'Access-Control-Allow-Origin: http://127.0.0.1:8501',
    ]);
  });

  it('checks nothing where the page is not public, or the server not more private', () => {
    for (const id of ['l011', 'l012', 'l013']) {
      expect(byId(id).localNetwork).toBeUndefined();
      expect(byId(id).checks.some((c) => c.rule === 'local-network-access')).toBe(false);
    }
  });

  it('in Firefox, a refusal is a network error that names the check, and Firefox prints its line only for CORS requests', () => {
    const f = (id: string) => firefoxVerdicts.find((v) => v.id === id)!;
    expect(f('l001').reason?.key).toBe('LocalNetworkAccessRefused');
    expect(f('l001').summary).toBe(
      'Network error: Firefox\'s Local Network Access check refused the request before it was sent: the page is in the `public` address space, the server in the `loopback` address space, and the user has not granted the page the "loopback-network" permission; the server never saw it.',
    );
    expect(f('l001').advice[0]).toMatch(/^The user grants the permission: Firefox asks/);
    expect(f('l017').error).toMatchObject({ firefox: null, console: null });
    expect(f('l014').error?.stage).toBe('redirect');
    firefox.expected.forEach((exp, i) => {
      const v = firefoxVerdicts[i]!;
      if (v.error?.console) expect(firefox.catalog[i]!.console.map((c) => c.text)).toContain(v.error.console);
      expect(v.verdict).toBe(exp.verdict);
    });
  });
});

describe('where the recording names no address space', () => {
  it("takes the browser's error as the check's refusal: the page was public, the server's space is its address's", () => {
    const [v] = evaluateAll([stoppedCall('https://app.example', 'http://127.0.0.1:5000/api')]);
    expect(v!.verdict).toBe('blocked');
    expect(v!.error?.console).toBe(
      "Access to fetch at 'http://127.0.0.1:5000/api' from origin 'https://app.example' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space.",
    );
    expect(v!.localNetwork).toMatchObject({
      initiator: 'public',
      resource: 'loopback',
      permissionState: 'denied',
      basis: `the browser's error ${BLOCKED}`,
    });
  });

  it("reads an older file's error on the stopped request's entry as the call's netError", () => {
    const url = 'http://127.0.0.1:5000/api';
    const stopped = { type: 'preflight', request: { method: 'OPTIONS', url, headers: [] }, response: null };
    const older = {
      id: 'x1',
      initiator: 'https://app.example',
      request: { method: 'PUT', url, headers: [['X-Custom', 'v1']] },
      wire: [{ ...stopped, error: BLOCKED }],
      outcome: 'error',
      netError: 'net::ERR_FAILED',
    };
    const parsed = parseExchange(older);
    expect(parsed).toEqual({
      exchange: { ...older, wire: [{ ...stopped, request: { ...stopped.request } }], netError: BLOCKED },
    });
    const [v] = evaluateAll(['exchange' in parsed ? parsed.exchange : fakeExchange({})]);
    expect(v).toMatchObject({
      verdict: 'blocked',
      preflight: 'sent',
      error: {
        stage: 'preflight',
        chromium: 'LocalNetworkAccessPermissionDenied',
        console:
          "Access to fetch at 'http://127.0.0.1:5000/api' from origin 'https://app.example' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space.",
      },
      localNetwork: { resource: 'loopback', blocked: true, basis: `the browser's error ${BLOCKED}` },
    });
    expect(parseExchange({ ...older, wire: [{ ...stopped, error: 7 }] })).toMatchObject({
      field: 'wire[0].error',
    });
  });

  it('gives a page that is not a secure context the insecure-context failure', () => {
    const [v] = evaluateAll([stoppedCall('http://app.example', 'http://192.168.1.20/status')]);
    expect(v!.error?.chromium).toBe('InsecureLocalNetwork');
    expect(v!.error?.console).toBe(
      "Access to fetch at 'http://192.168.1.20/status' from origin 'http://app.example' has been blocked by CORS policy: The request client is not a secure context and the resource is in more-private address space `local`.",
    );
  });

  it('prints no console line, and says so, where the server is a name whose address the recording lacks', () => {
    const [v] = evaluateAll([stoppedCall('https://app.example', 'http://printer.lan/status')]);
    expect(v!.error?.chromium).toBe('LocalNetworkAccessPermissionDenied');
    expect(v!.error?.console).toBeNull();
    expect(v!.reason?.seen).toBeNull();
    expect(v!.summary).toContain(
      'a more private address space (`local` or `loopback`; which one, the recording does not say)',
    );
    expect(v!.advice[0]).toContain('It is "loopback-network", for this device');
    expect(v!.advice[0]).toContain('or "local-network", for the local network');
  });

  it("trusts no address when the page's own address says the browser counts addresses otherwise", () => {
    // A page on a loopback address is never checked: the browser's overrides are in play.
    const [v] = evaluateAll([stoppedCall('http://127.0.0.1:8080', 'http://127.0.0.1:5000/api')]);
    expect(v!.localNetwork?.resource).toBeNull();
    expect(v!.error?.console).toBeNull();
  });

  it("takes Firefox's error the same way under Firefox's rules", () => {
    const [v] = evaluateAll(
      [stoppedCall('http://app.example', 'http://localhost:3000/x', 'NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED')],
      {
        engine: 'firefox',
      },
    );
    expect(v!.verdict).toBe('network-error');
    expect(v!.reason).toMatchObject({
      key: 'LocalNetworkAccessRefused',
      seen: 'loopback',
      required: 'loopback-network',
    });
    expect(v!.error).toMatchObject({ firefox: 'CORSDidNotSucceed', stage: 'request' });
  });

  it('lets the recording win where it shows an answer the recorded permission would have refused', () => {
    const ex = fakeExchange({
      initiator: 'https://app.example',
      addressSpace: 'public',
      localNetworkAccess: 'denied',
      request: { method: 'GET', url: 'http://127.0.0.1:5000/api', headers: [] },
      wire: [
        {
          ...wireRequest(
            'GET',
            'http://127.0.0.1:5000/api',
            'https://app.example',
            response(200, [['Access-Control-Allow-Origin', '*']]),
          ),
        },
      ],
    });
    ex.wire[0]!.response!.addressSpace = 'loopback';
    const [v] = evaluateAll([ex]);
    expect(v!.verdict).toBe('allowed');
    expect(v!.checks.find((c) => c.rule === 'local-network-access')?.result).toBe('pass');
  });

  it('leaves a call alone when nothing says the check applied', () => {
    const ex = fakeExchange({
      request: { method: 'GET', url: 'http://127.0.0.1:5000/api', headers: [] },
      wire: [wireRequest('GET', 'http://127.0.0.1:5000/api', 'http://127.0.0.1:8101', null)],
    });
    const [v] = evaluateAll([ex]);
    expect(v!.reason?.key).toBe('NoResponse');
    expect(v!.localNetwork).toBeUndefined();
  });
});

describe('Private Network Access headers', () => {
  it('warns that Access-Control-Allow-Private-Network is obsolete where a response sends it', () => {
    const url = 'http://192.168.1.20/status';
    const ex = fakeExchange({
      initiator: 'https://app.example',
      request: { method: 'GET', url, headers: [] },
      wire: [
        wireRequest(
          'GET',
          url,
          'https://app.example',
          response(200, [
            ['Access-Control-Allow-Origin', 'https://app.example'],
            ['Access-Control-Allow-Private-Network', 'true'],
            ['Vary', 'Origin'],
          ]),
        ),
      ],
    });
    const [v] = evaluateAll([ex]) as Verdict[];
    expect(v!.warnings).toEqual([
      {
        code: 'private-network-access-obsolete',
        hop: 0,
        message:
          'http://192.168.1.20 sends Access-Control-Allow-Private-Network, a header of Private Network Access, which browsers no longer read: Local Network Access replaced it with a permission the user grants, and no response header can grant it. It does no harm, and it does nothing.',
      },
    ]);
  });
});

describe('address spaces and secure contexts', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'local'],
    ['172.16.0.1', 'local'],
    ['172.31.255.255', 'local'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'local'],
    ['169.254.10.10', 'local'],
    ['100.64.0.1', 'local'],
    ['8.8.8.8', 'public'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fd00::2', 'local'],
    ['fe80::1', 'local'],
    ['::ffff:192.168.1.1', 'local'],
    ['::ffff:7f00:1', 'loopback'],
    ['2606:4700::1111', 'public'],
    ['2001:db8::1', null],
    ['198.18.0.1', null],
    ['0.0.0.0', null],
    ['example.com', null],
    ['1.2.3', null],
    ['::1::2', null],
  ])('%s is %s', (address, space) => {
    expect(determineIpAddressSpace(address)).toBe(space);
  });

  it('reads the space a URL alone says: an address, or localhost', () => {
    expect(hostAddressSpace('http://localhost:3000/x')).toBe('loopback');
    expect(hostAddressSpace('http://api.localhost/x')).toBe('loopback');
    expect(hostAddressSpace('http://[::1]:8080/')).toBe('loopback');
    expect(hostAddressSpace('http://192.168.0.1/')).toBe('local');
    expect(hostAddressSpace('https://router.local/')).toBeNull();
    expect(hostAddressSpace('https://example.com/')).toBeNull();
  });

  it('knows a secure context by its origin', () => {
    expect(potentiallyTrustworthy('https://app.example')).toBe(true);
    expect(potentiallyTrustworthy('http://127.0.0.1:8501')).toBe(true);
    expect(potentiallyTrustworthy('http://localhost:3000')).toBe(true);
    expect(potentiallyTrustworthy('http://pub.test:8502')).toBe(false);
    expect(potentiallyTrustworthy('http://192.168.1.2')).toBe(false);
    expect(potentiallyTrustworthy('null')).toBe(false);
  });

  it("reads fetch()'s targetAddressSpace as Chromium does", () => {
    expect(targetAddressSpaceOf('private')).toBe('local');
    expect(targetAddressSpaceOf('public')).toBe('public');
    expect(targetAddressSpaceOf('unknown')).toBeNull();
    expect(targetAddressSpaceOf(undefined)).toBeNull();
  });
});

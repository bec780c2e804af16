// The Local Network Access check: https://wicg.github.io/local-network-access/#local-network-access-check. The
// browser runs it on every connection before anything is sent (the draft hooks it into HTTP-network fetch,
// right after a connection is obtained), so before CORS: for each preflight, each request and each redirect
// hop. The draft leaves the order and the permissions to the browser; these are Chromium 156's
// (services/network/local_network_access_checker.cc) and Firefox ESR 153's, as measured in both
// (tests/fixtures/exchange/lna).
//
// Chromium 156, in this order:
//   1. fetch()'s targetAddressSpace given and not the server's space: InvalidLocalNetworkAccess, whatever the
//      page and the permission (the draft's step 3; Chromium honours "public" too). A preflight does not carry
//      the option: it goes to the permission rule.
//   2. A page in the public address space and a server in a more private one ("less public"; Chromium does not
//      check a local page reaching loopback): from a page that is not a secure context, InsecureLocalNetwork,
//      even with the permission (the secure-context restriction); otherwise LocalNetworkAccessPermissionDenied
//      unless the permission for the server's space is granted. There are two: "loopback-network" and
//      "local-network"; granting one does not cover the other.
// Firefox ESR 153: rule 2 without the secure-context part, and no targetAddressSpace; a refusal is a network
// error, which Firefox's console shows only as "CORS request did not succeed".
//
// A stopped request never reaches the server, so no response header can change the outcome; once the check
// lets a request through, the CORS checks apply to it unchanged.
import type { ChromiumErrorName } from './catalog';
import { getCombined } from './headers';
import { originOf, parseUrl } from './origin';
import { LNA_SPEC } from './spec';
import type {
  AddressSpace,
  Exchange,
  LocalNetworkAccess,
  LocalNetworkFacts,
  LocalNetworkPermission,
  PermissionState,
} from './types';
import { blocked, type Fetch, failure, networkError, type Walk } from './walk';

/** The errors the browsers report for a request their Local Network Access check stopped (measured). */
const LOCAL_NETWORK_ERRORS: Readonly<Record<string, 'chromium' | 'firefox'>> = {
  // Chromium: webRequest's onErrorOccurred for a simple request, DevTools for a preflight.
  'net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS': 'chromium',
  // Firefox: webRequest's onErrorOccurred and BiDi's fetchError, for a preflight and a request alike.
  NS_ERROR_LOCAL_NETWORK_ACCESS_DENIED: 'firefox',
};

/** Whether a recorded browser error says the Local Network Access check stopped the request. */
export function isLocalNetworkError(error: string | null | undefined): boolean {
  return !!error && Object.hasOwn(LOCAL_NETWORK_ERRORS, error);
}

// ---------------------------------------------------------------------------------------------------------
// Address spaces

const RANK: Record<AddressSpace, number> = { public: 0, local: 1, loopback: 2 };

/** https://wicg.github.io/local-network-access/#ip-address-space-section: `a` is less public than `b`. */
function lessPublic(a: AddressSpace, b: AddressSpace): boolean {
  return RANK[a] > RANK[b];
}

function ipv4(address: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included); null when it is not one. */
function ipv6(address: string): number[] | null {
  let a = address.toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (!a.includes(':')) return null;
  const tail: number[] = [];
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const p = ipv4(v4[1]!);
    if (!p) return null;
    tail.push((p[0]! << 8) | p[1]!, (p[2]! << 8) | p[3]!);
    const prefix = a.slice(0, v4.index);
    a = prefix.endsWith(':') ? `${prefix}:` : prefix;
  }
  const halves = a.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const fill = new Array<string>(8 - known).fill('0');
  const all = [...head, ...(halves.length === 2 ? fill : []), ...rest];
  const out: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    out.push(Number.parseInt(g, 16));
  }
  return [...out, ...tail];
}

const inV4 = (p: number[], base: number[], bits: number) => {
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if ((p[i]! & mask) !== (base[i]! & mask)) return false;
  }
  return true;
};

/**
 * https://wicg.github.io/local-network-access/#determine-the-ip-address-space of an IP address: its space by
 * the draft's table of non-public blocks, as far as Chromium 156 follows it. Null when `address` is not an IP
 * address, or sits in a block where the draft and the browsers differ (benchmarking, documentation, the null
 * addresses): the space is then not known here. The browser can be configured to count addresses otherwise
 * (Chromium's --ip-address-space-overrides and its LocalNetworkAccessIpAddressSpaceOverrides policy, Firefox's
 * network.lna.address_space.*.override prefs).
 */
export function determineIpAddressSpace(address: string): AddressSpace | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  let v4 = ipv4(bare);
  if (!v4) {
    const v6 = ipv6(bare);
    if (!v6) return null;
    // ::ffff:0:0/96, IPv4-mapped: the embedded IPv4 address decides.
    if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff)
      v4 = [v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff];
    else {
      if (v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1) return 'loopback'; // ::1/128
      if ((v6[0]! & 0xfe00) === 0xfc00) return 'local'; // fc00::/7, unique local
      if ((v6[0]! & 0xffc0) === 0xfe80) return 'local'; // fe80::/10, link-local
      if ((v6[0]! & 0xffc0) === 0xfec0) return 'local'; // fec0::/10, site-local
      if (v6.every((g) => g === 0)) return null; // ::/128
      if (v6[0] === 0x2001 && v6[1] === 0x0db8) return null; // documentation
      if ((v6[0]! & 0xfff0) === 0x3ff0) return null; // documentation
      return 'public';
    }
  }
  if (inV4(v4, [127, 0, 0, 0], 8)) return 'loopback';
  if (
    inV4(v4, [10, 0, 0, 0], 8) ||
    inV4(v4, [172, 16, 0, 0], 12) ||
    inV4(v4, [192, 168, 0, 0], 16) ||
    inV4(v4, [169, 254, 0, 0], 16) ||
    inV4(v4, [100, 64, 0, 0], 10)
  )
    return 'local';
  if (inV4(v4, [0, 0, 0, 0], 8) || inV4(v4, [198, 18, 0, 0], 15)) return null;
  return 'public';
}

/** A URL's host. */
function hostOf(url: string): string | null {
  const origin = parseUrl(url)?.origin;
  if (!origin || origin === 'null') return null;
  const authority = origin.slice(origin.indexOf('//') + 2);
  const close = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  return colon > close ? authority.slice(0, colon) : authority;
}

/**
 * The address space of a URL's server as its host alone says it: an IP address (by the draft's table), or
 * `localhost` and its subdomains (which browsers resolve to loopback themselves). Null for any other name:
 * where it resolves is not in the URL.
 */
export function hostAddressSpace(url: string): AddressSpace | null {
  const host = hostOf(url);
  if (host === null) return null;
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  return determineIpAddressSpace(host);
}

/**
 * https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy, for a serialized origin: https: and
 * wss:, and http: on a loopback address or a localhost name. The page is then a secure context (an iframe
 * also needs its ancestors to be, which a recording of the call does not show).
 */
export function potentiallyTrustworthy(origin: string): boolean {
  const scheme = parseUrl(origin)?.scheme;
  if (scheme === 'https:' || scheme === 'wss:') return true;
  if (scheme !== 'http:' && scheme !== 'ws:') return false;
  return hostAddressSpace(origin) === 'loopback';
}

/** fetch()'s targetAddressSpace as Chromium reads it: "private" is "local", "unknown" is none. */
export function targetAddressSpaceOf(value: string | undefined): AddressSpace | null {
  if (value === 'public' || value === 'local' || value === 'loopback') return value;
  return value === 'private' ? 'local' : null;
}

/** The permission that opens a more private address space to a public page. */
function permissionFor(space: AddressSpace): LocalNetworkPermission | null {
  return space === 'loopback' ? 'loopback-network' : space === 'local' ? 'local-network' : null;
}

function permissionState(
  granted: LocalNetworkAccess | undefined,
  space: AddressSpace | null,
): PermissionState | null {
  if (granted === undefined || space === null) return null;
  if (typeof granted === 'string') return granted;
  return (space === 'loopback' ? granted.loopback : space === 'local' ? granted.local : undefined) ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// The check

/**
 * The server's address space at hop `i` when the recording does not say it but the browser reported that its
 * check stopped the request: what the URL's host says, unless the page's own host says the browser counts
 * addresses otherwise (a page on a loopback address is never checked: the browser's overrides are in play, and
 * then the target's address proves nothing either).
 */
function inferredResource(ex: Exchange, url: string): AddressSpace | null {
  const page = hostAddressSpace(ex.initiator);
  if (page !== null && page !== 'public') return null;
  return hostAddressSpace(url);
}

/** Where the facts come from, in plain words: the recorded spaces, else the browser's error. */
function basisOf(ex: Exchange, recorded: boolean): string {
  return recorded ? 'the address spaces as recorded' : `the browser's error ${ex.netError}`;
}

/**
 * https://wicg.github.io/local-network-access/#local-network-access-check for the connection of hop `i` (a
 * preflight or a request), under the walk's engine: fails the call, or records what it checked and returns
 * null. Where the recording says nothing of address spaces, the call is not restricted.
 */
export function localNetworkAccessCheck(f: Fetch, i: number): Walk | null {
  const { ex, walk: w } = f;
  const entry = ex.wire[i]!;
  const answered = entry.response !== null;
  const recorded = entry.response?.addressSpace ?? entry.addressSpace ?? null;
  // The browser said so: its check stopped this request (it then names no space we could read). The call's
  // error is that of the request where it ended: the one with no response, since the walk stops there.
  const reported = !answered && isLocalNetworkError(ex.netError);
  if (!reported && (recorded === null || !ex.addressSpace)) return null;
  // Only a public page is checked (Chromium 156, Firefox ESR 153): a refusal says the page was public.
  const initiator = ex.addressSpace ?? 'public';
  const resource = recorded ?? inferredResource(ex, entry.request.url);
  const secureContext = potentiallyTrustworthy(f.origin);
  // A preflight does not carry fetch()'s targetAddressSpace (measured: it goes to the permission rule).
  const target =
    !f.firefox && entry.type === 'request' ? targetAddressSpaceOf(ex.request?.targetAddressSpace) : null;
  const permission = resource ? permissionFor(resource) : null;
  let state = permissionState(ex.localNetworkAccess, resource);
  const facts: LocalNetworkFacts = {
    initiator,
    resource,
    target,
    secureContext,
    permission,
    permissionState: state,
    hop: i,
    blocked: false,
    basis: basisOf(ex, recorded !== null),
  };
  const stage = f.redirectCount > 0 ? 'redirect' : entry.type === 'preflight' ? 'preflight' : 'request';
  const check = (title: string, required: string, seen: string, result: 'pass' | 'fail' | 'info') =>
    w.checks.push({
      rule: 'local-network-access',
      title,
      spec: LNA_SPEC.check,
      hop: i,
      required,
      seen,
      result,
    });
  const where = `${originOf(entry.request.url)} is in ${resource ? `\`${resource}\`` : 'a more private space (which, the recording does not say)'}`;

  // 1. targetAddressSpace given and not the server's space (Chromium; a response means it matched).
  if (target !== null && resource !== null && target !== resource && !answered) {
    check(
      'targetAddressSpace names the server’s address space',
      `\`${target}\` (fetch()’s targetAddressSpace)`,
      where,
      'fail',
    );
    return stop(f, i, stage, facts, 'InvalidLocalNetworkAccess', target, target);
  }
  const localNetworkRequest =
    initiator === 'public' && (resource !== null ? lessPublic(resource, initiator) : reported);
  if (!localNetworkRequest) {
    if (!reported) return null;
    // The recording says the page may reach the server; the browser says it stopped the request: it wins.
  }
  w.localNetwork = facts;
  // 2. A public page reaching a more private space.
  if (answered) {
    check(
      'A public page may reach a more private address space',
      `the "${permission ?? 'local network access'}" permission`,
      `${where}; the browser let the request through (the permission or a policy allowed it)`,
      'pass',
    );
    if (state === null) facts.permissionState = 'granted';
    return null;
  }
  if (!f.firefox && !secureContext) {
    check(
      'A page that reaches a more private address space is a secure context',
      'a secure context (HTTPS, or HTTP on localhost)',
      `${f.origin} is not one; ${where}`,
      'fail',
    );
    return stop(f, i, stage, facts, 'InsecureLocalNetwork', 'a secure context', null);
  }
  if (reported && state !== 'denied') state = 'denied';
  if (state === 'denied') {
    facts.permissionState = 'denied';
    check(
      'A public page may reach a more private address space',
      `the "${permission ?? 'local network access'}" permission, granted`,
      `${where}; not granted`,
      'fail',
    );
    return stop(f, i, stage, facts, 'LocalNetworkAccessPermissionDenied', permission, null);
  }
  check(
    'A public page may reach a more private address space',
    `the "${permission}" permission`,
    `${where}; ${state === 'granted' ? 'granted' : 'not recorded'}`,
    state === 'granted' ? 'pass' : 'info',
  );
  return null;
}

type LocalNetworkName = Extract<
  ChromiumErrorName,
  'LocalNetworkAccessPermissionDenied' | 'InsecureLocalNetwork' | 'InvalidLocalNetworkAccess'
>;

/** The check stopped hop `i`: blocked (Chromium), or a network error (Firefox refuses it outside CORS). */
function stop(
  f: Fetch,
  i: number,
  stage: 'request' | 'preflight' | 'redirect',
  facts: LocalNetworkFacts,
  name: LocalNetworkName,
  required: string | null,
  target: AddressSpace | null,
): Walk {
  const w = f.walk;
  facts.blocked = true;
  w.localNetwork = facts;
  const url = f.url;
  const fail = {
    ...failure(name, '', null, facts.resource, required),
    addressSpace: { resource: facts.resource, target },
  };
  // The CORS check this request would meet once the browser lets it through.
  if (f.corsFlag)
    w.checks.push({
      rule: 'local-network-access',
      title: 'Then the CORS check (not reached)',
      spec: LNA_SPEC.check,
      hop: i,
      required: `a response that allows ${w.originSent}`,
      seen: 'no response: the request was never sent',
      result: 'info',
    });
  w.corsHop = f.corsFlag;
  if (f.firefox) {
    w.failure = fail;
    w.stage = stage;
    return networkError(f, 'LocalNetworkAccessRefused', i, url, {
      ...(facts.resource ? { seen: facts.resource } : {}),
      ...(facts.permission ? { required: facts.permission } : {}),
      corsHop: f.corsFlag,
    });
  }
  return blocked(f, stage, i, url, fail);
}

// ---------------------------------------------------------------------------------------------------------
// What Firefox does with the same call, and what fixes it

/**
 * Firefox's reason for a call Chromium's check stopped: Firefox refuses it too when the permission is not
 * granted (it has no secure-context rule and ignores targetAddressSpace), and then logs "CORS request did not
 * succeed" for a CORS request only (an element's load logs nothing). Null where Firefox lets it through or
 * prints no reason.
 */
export function firefoxLocalNetworkReason(
  facts: LocalNetworkFacts,
  corsRequest: boolean,
): 'CORSDidNotSucceed' | null {
  return facts.permissionState === 'denied' && corsRequest ? 'CORSDidNotSucceed' : null;
}

// Chromium 156's names for the two permissions in a site's settings.
const SETTING: Record<LocalNetworkPermission, string> = {
  'loopback-network': 'Apps on device',
  'local-network': 'Local network',
};

const PERMISSION_WHAT: Record<LocalNetworkPermission, string> = {
  'loopback-network': 'this device (localhost, 127.0.0.1, ::1)',
  'local-network': 'the local network (a router, a printer, 192.168.x.x, 10.x.x.x, *.local)',
};

/**
 * What fixes a call the Local Network Access check stopped: not a header (the server never saw the request),
 * but the user's permission, a secure page, the iframe's `allow` attribute, an enterprise policy, or a call that
 * goes through the page's own origin; and once the browser lets it through, the CORS check it meets.
 */
export function localNetworkAdvice(
  ex: Exchange,
  facts: LocalNetworkFacts,
  key: string,
  o: {
    engine: 'chromium' | 'firefox';
    url: string;
    method: string;
    originSent: string;
    corsRequest: boolean;
    preflighted: boolean;
  },
): string[] {
  const page = originOf(ex.initiator);
  const server = originOf(o.url);
  const perms: LocalNetworkPermission[] = facts.permission
    ? [facts.permission]
    : ['loopback-network', 'local-network'];
  const permText = perms.map((p) => `"${p}", for ${PERMISSION_WHAT[p]}`).join(', or ');
  const out: string[] = [];
  if (key === 'InvalidLocalNetworkAccess')
    out.push(
      `Correct fetch()'s targetAddressSpace: ${server} is in ${facts.resource ? `"${facts.resource}"` : 'another address space'}, so pass targetAddressSpace: "${facts.resource ?? '…'}" or leave the option out (it exists to let an HTTPS page call a plain-HTTP device on the local network without a mixed-content block).`,
    );
  if (key === 'InsecureLocalNetwork')
    out.push(
      `Serve ${page} over HTTPS: a page that is not a secure context may not reach ${facts.resource ? `the "${facts.resource}" address space` : 'a more private address space'} at all, even with the permission.`,
    );
  if (facts.initiator === 'public' && facts.permissionState !== 'granted') {
    out.push(
      o.engine === 'chromium'
        ? `The user grants the permission: Chrome asks when ${page} first makes such a call, and keeps the answer in the site's settings (the icon left of the address, or chrome://settings/content/siteDetails?site=${encodeURIComponent(page)}: ${perms.map((p) => `"${SETTING[p]}"`).join(' and ')}). It is ${permText}; granting one does not grant the other. A browser that cannot ask (headless, automated) refuses at once.`
        : `The user grants the permission: Firefox asks when ${page} first makes such a call, and keeps the answer in the site's permissions (the icon left of the address). It is ${permText}; granting one does not grant the other. While the question is open, the request waits (up to 5 minutes).`,
    );
    out.push(
      `From a cross-origin iframe, the embedding page must delegate it: <iframe allow="${perms.join('; ')}" src="…"> (the older "local-network-access" covers both).`,
    );
    if (o.engine === 'chromium')
      out.push(
        `On managed computers, an administrator can allow ${page} by policy: ${perms.map((p) => (p === 'loopback-network' ? 'LoopbackNetworkAllowedForUrls' : 'LocalNetworkAllowedForUrls')).join(' or ')} (LocalNetworkAccessAllowedForUrls covers both).`,
      );
  } else if (key === 'LocalNetworkAccessPermissionDenied' || key === 'InsecureLocalNetwork')
    out.push(`The "${facts.permission}" permission is granted: it is not what stopped the request.`);
  if (key !== 'InvalidLocalNetworkAccess')
    out.push(
      `Or keep the call off the user's network: have ${page}'s own server (a same-origin endpoint or proxy) talk to ${server}, or serve the page from ${facts.resource === 'loopback' ? 'the same device' : 'the same network'} as the server.`,
    );
  if (o.corsRequest)
    out.push(
      `Once the browser lets the request through, ordinary CORS applies: the ${o.preflighted ? 'preflight and the ' : ''}response to ${o.method} ${o.url} must allow ${o.originSent}${o.preflighted ? ' (and the preflight the method and headers)' : ''}; it cannot be checked yet, since the server never answered.`,
    );
  return out;
}

/**
 * Private Network Access (the draft Local Network Access replaced) had a preflight header pair that no browser
 * reads any more: where a response sends Access-Control-Allow-Private-Network, it has no effect.
 */
export function privateNetworkAccessHeaders(ex: Exchange): number[] {
  const hops: number[] = [];
  ex.wire.forEach((e, i) => {
    if (e.response && getCombined(e.response.headers, 'access-control-allow-private-network') !== null)
      hops.push(i);
  });
  return hops;
}

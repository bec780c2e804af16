// Reading untrusted input into an Exchange: every required field checked, the first problem named.
// The rules for what can cross the wire (a method, a header name, a status) are here, once: the HAR
// importer applies the same ones.
import { isToken } from './headers';
import { isSerializedOrigin } from './origin';
import type { Exchange, Header, WireEntry } from './types';

/** A request method is a token (RFC 9110 §9.1): no space, no control character, no Markdown or shell syntax. */
export function methodProblem(method: unknown): string | null {
  if (typeof method !== 'string' || method === '') return 'required: a string';
  return isToken(method) ? null : "must be an HTTP method (a token: letters, digits and !#$%&'*+-.^_`|~)";
}

/** A header name is a token (RFC 9110 §5.1): a name with a space, a colon, CR or LF never crossed the wire. */
export function headerNameProblem(name: string): string | null {
  return isToken(name) ? null : 'a header name must be a token (no space, colon, CR or LF)';
}

/** A response status is an integer from 100 to 599 (RFC 9110 §15). */
export function isHttpStatus(status: unknown): status is number {
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599;
}

export type Parsed = { exchange: Exchange } | { field: string; message: string; id?: string };

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function headersProblem(v: unknown, field: string): { field: string; message: string } | null {
  if (!Array.isArray(v)) return { field, message: 'must be an array of [name, value] pairs' };
  for (let i = 0; i < v.length; i++) {
    const h = v[i];
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string') {
      return { field: `${field}[${i}]`, message: 'must be a [name, value] pair of strings' };
    }
    const name = headerNameProblem(h[0]);
    if (name) return { field: `${field}[${i}]`, message: name };
  }
  return null;
}

const SPACES = ['public', 'local', 'loopback'];
const STATES = ['granted', 'denied'];

function addressSpaceProblem(v: unknown, field: string): { field: string; message: string } | null {
  if (v === undefined || SPACES.includes(v as string)) return null;
  return { field, message: 'must be one of "public", "local", "loopback"' };
}

function localNetworkAccessProblem(v: unknown): { field: string; message: string } | null {
  if (v === undefined || STATES.includes(v as string)) return null;
  const message = 'must be "granted", "denied", or { "local": ..., "loopback": ... } with those values';
  if (!isObj(v)) return { field: 'localNetworkAccess', message };
  for (const [k, state] of Object.entries(v)) {
    if (k !== 'local' && k !== 'loopback') return { field: `localNetworkAccess.${k}`, message };
    if (!STATES.includes(state as string)) return { field: `localNetworkAccess.${k}`, message };
  }
  return null;
}

/** Checks that `v` has the shape tests/fixtures/exchange/FORMAT.md defines; unknown extra fields are kept. */
export function parseExchange(v: unknown): Parsed {
  if (!isObj(v)) return { field: '(line)', message: 'must be a JSON object' };
  const id = typeof v.id === 'string' ? v.id : undefined;
  const bad = (field: string, message: string): Parsed => ({
    field,
    message,
    ...(id !== undefined ? { id } : {}),
  });
  if (typeof v.id !== 'string' || v.id === '') return bad('id', 'required: a non-empty string');
  if (typeof v.initiator !== 'string')
    return bad('initiator', 'required: the serialized origin of the page, or "null"');
  if (!isSerializedOrigin(v.initiator))
    return bad(
      'initiator',
      'must be the serialized origin of the page (scheme://host[:port], no path), or "null"',
    );
  if (!isObj(v.request)) return bad('request', 'required: an object with method and url');
  const method = methodProblem(v.request.method);
  if (method) return bad('request.method', method);
  if (typeof v.request.url !== 'string' || v.request.url === '')
    return bad('request.url', 'required: a string');
  if (v.request.headers !== undefined) {
    const p = headersProblem(v.request.headers, 'request.headers');
    if (p) return bad(p.field, p.message);
  }
  if (!Array.isArray(v.wire)) return bad('wire', 'required: an array (empty if nothing was sent)');
  for (let i = 0; i < v.wire.length; i++) {
    const e = v.wire[i] as unknown;
    const f = `wire[${i}]`;
    if (!isObj(e)) return bad(f, 'must be an object');
    if (e.type !== 'preflight' && e.type !== 'request')
      return bad(`${f}.type`, 'must be "preflight" or "request"');
    if (!isObj(e.request)) return bad(`${f}.request`, 'required: an object with method, url and headers');
    const wireMethod = methodProblem(e.request.method);
    if (wireMethod) return bad(`${f}.request.method`, wireMethod);
    if (typeof e.request.url !== 'string') return bad(`${f}.request.url`, 'required: a string');
    const hp = headersProblem(e.request.headers ?? [], `${f}.request.headers`);
    if (hp) return bad(hp.field, hp.message);
    const space = addressSpaceProblem(e.addressSpace, `${f}.addressSpace`);
    if (space) return bad(space.field, space.message);
    // Older files wrote the error of a request the browser stopped on its entry (read as the call's netError).
    if (e.error !== undefined && typeof e.error !== 'string') return bad(`${f}.error`, 'must be a string');
    if (e.response !== null) {
      if (!isObj(e.response))
        return bad(`${f}.response`, 'required: an object, or null when no response arrived');
      const answered = addressSpaceProblem(e.response.addressSpace, `${f}.response.addressSpace`);
      if (answered) return bad(answered.field, answered.message);
      // 0: what a recording writes when the status was not seen.
      if (!isHttpStatus(e.response.status) && e.response.status !== 0) {
        return bad(
          `${f}.response.status`,
          'required: an integer from 100 to 599 (null response: none arrived)',
        );
      }
      const rp = headersProblem(e.response.headers ?? [], `${f}.response.headers`);
      if (rp) return bad(rp.field, rp.message);
    }
  }
  for (const [key, allowed] of [
    ['api', ['fetch', 'xhr', 'image', 'font', 'script', 'stylesheet', 'other']],
    ['mode', ['cors', 'no-cors', 'same-origin', 'navigate']],
    ['credentials', ['omit', 'same-origin', 'include']],
    ['outcome', ['success', 'error']],
  ] as const) {
    const val = v[key];
    if (val !== undefined && !(allowed as readonly unknown[]).includes(val)) {
      return bad(key, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    }
  }
  const space = addressSpaceProblem(v.addressSpace, 'addressSpace');
  if (space) return bad(space.field, space.message);
  const permission = localNetworkAccessProblem(v.localNetworkAccess);
  if (permission) return bad(permission.field, permission.message);
  if (v.request.targetAddressSpace !== undefined && typeof v.request.targetAddressSpace !== 'string')
    return bad('request.targetAddressSpace', "must be a string (fetch()'s targetAddressSpace option)");
  if (v.headersJoined !== undefined && typeof v.headersJoined !== 'boolean')
    return bad('headersJoined', 'must be true or false');
  if (v.netError !== undefined && (typeof v.netError !== 'string' || v.netError === ''))
    return bad('netError', 'must be the browser\'s error string ("net::ERR_CONNECTION_REFUSED")');
  // Normalize optional header lists so the evaluator never meets undefined where it reads headers.
  const wire = (v.wire as Record<string, unknown>[]).map(({ error: _older, ...e }) => {
    const req = e.request as Record<string, unknown>;
    const res = e.response as Record<string, unknown> | null;
    return {
      ...e,
      request: { ...req, headers: (req.headers as Header[] | undefined) ?? [] },
      response: res === null ? null : { ...res, headers: (res.headers as Header[] | undefined) ?? [] },
    } as unknown as WireEntry;
  });
  // The call ended at its last wire entry: an older file's error there is the call's.
  const ended = (v.wire as Record<string, unknown>[]).at(-1)?.error;
  const netError = (typeof ended === 'string' && ended) || v.netError;
  return { exchange: { ...(v as unknown as Exchange), wire, ...(netError ? { netError } : {}) } };
}

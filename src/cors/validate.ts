// Reading untrusted input into an Exchange: every required field checked, the first problem named.
import type { Exchange, Header, WireEntry } from './types';

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
  }
  return null;
}

/** Checks that `v` has the shape ../shared/exchange/README.md defines; unknown extra fields are kept. */
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
  if (!isObj(v.request)) return bad('request', 'required: an object with method and url');
  if (typeof v.request.method !== 'string' || v.request.method === '')
    return bad('request.method', 'required: a string');
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
    if (typeof e.request.method !== 'string') return bad(`${f}.request.method`, 'required: a string');
    if (typeof e.request.url !== 'string') return bad(`${f}.request.url`, 'required: a string');
    const hp = headersProblem(e.request.headers ?? [], `${f}.request.headers`);
    if (hp) return bad(hp.field, hp.message);
    if (e.response !== null) {
      if (!isObj(e.response))
        return bad(`${f}.response`, 'required: an object, or null when no response arrived');
      if (typeof e.response.status !== 'number' || !Number.isInteger(e.response.status)) {
        return bad(`${f}.response.status`, 'required: an integer');
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
  // Normalize optional header lists so the evaluator never meets undefined where it reads headers.
  const wire = (v.wire as Record<string, unknown>[]).map((e) => {
    const req = e.request as Record<string, unknown>;
    const res = e.response as Record<string, unknown> | null;
    return {
      ...e,
      request: { ...req, headers: (req.headers as Header[] | undefined) ?? [] },
      response: res === null ? null : { ...res, headers: (res.headers as Header[] | undefined) ?? [] },
    } as unknown as WireEntry;
  });
  return { exchange: { ...(v as unknown as Exchange), wire } };
}

// The end of a recording that stops before the browser did: a preflight with no request after it, or a
// redirect that was not followed. No spec algorithm ends there; the browser went on (or stopped for a
// reason outside CORS), so the walk says what the browser would have needed next.
import { originOf, sameOrigin } from './origin';
import { serializedOrigin } from './redirect';
import { corsSafelistedMethod } from './safelist';
import { type Fetch, networkError, type Walk } from './walk';

/** The wire ended before a final response: what the browser would have requested next. */
export function endOfRecording(f: Fetch): Walk {
  const { walk: w, method, unsafe } = f;
  const wire = f.ex.wire;
  const last = wire[wire.length - 1]!;
  const needsPreflight = !corsSafelistedMethod(method) || unsafe.names.length > 0;
  if (last.type === 'preflight') {
    w.ended = { after: 'preflight', url: f.url, method, needsPreflight };
    return networkError(f, 'RequestNotRecorded', wire.length - 1, f.url);
  }
  const next = f.locationUrl ?? f.url;
  const nextCors = f.corsFlag || f.taintedOrigin || !sameOrigin(f.origin, originOf(next));
  w.ended = { after: 'redirect', url: next, method, needsPreflight: nextCors && needsPreflight };
  w.originSent = serializedOrigin(f);
  // https://fetch.spec.whatwg.org/#http-fetch 8.2: with redirect mode "manual" the page gets an opaque-redirect
  // response (it saw success); with "error", a network error.
  if (f.ex.outcome === 'success') {
    w.verdict = 'opaque';
    return w;
  }
  return networkError(f, 'RedirectNotFollowed', wire.length - 1, f.url);
}

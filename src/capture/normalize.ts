// webRequest details (Chromium or Firefox shape) → RequestEvent, with secrets redacted on the way in.
import type { Header } from '../cors/types';
import type { RawDetails, RawKind, RequestEvent } from './events';
import type { Redactor } from './redact';

const KIND: Record<RawKind, RequestEvent['kind']> = {
  onSendHeaders: 'send',
  onHeadersReceived: 'response',
  onCompleted: 'complete',
  onErrorOccurred: 'error',
};

function headerList(raw: RawDetails['requestHeaders']): Header[] {
  if (!raw) return [];
  const out: Header[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const h = raw[i]!;
    let value = h.value;
    if (value === undefined && h.binaryValue) {
      value = '';
      for (let j = 0; j < h.binaryValue.length; j++) value += String.fromCharCode(h.binaryValue[j]!);
    }
    out[i] = [h.name, value ?? ''];
  }
  return out;
}

/** The serialized origin of a URL ("null" for an opaque one). Firefox gives URLs, Chromium origins. */
function originOfUrl(url: string): string {
  try {
    const u = new URL(url);
    // An extension's pages: their origin is scheme and host, though not every URL parser says so.
    if (u.protocol === 'moz-extension:' || u.protocol === 'chrome-extension:')
      return `${u.protocol}//${u.host}`;
    return u.origin;
  } catch {
    return 'null';
  }
}

/**
 * The serialized origin of whoever made the request: Chromium's `initiator`, or in Firefox the origin of
 * `originUrl` (the document or worker that triggered it), else of `documentUrl`. "" when neither is given.
 * Firefox gives URLs, so an opaque origin (a sandboxed frame) cannot be told from its document's URL here.
 */
export function initiatorOf(d: RawDetails): string {
  if (d.initiator !== undefined) return d.initiator;
  const url = d.originUrl ?? d.documentUrl;
  return url ? originOfUrl(url) : '';
}

export function normalize(kind: RawKind, d: RawDetails, redact: Redactor): RequestEvent {
  const ev: RequestEvent = {
    kind: KIND[kind],
    requestId: String(d.requestId),
    url: redact.url(d.url),
    method: d.method,
    tabId: d.tabId,
    frameId: d.frameId,
    documentId: d.documentId ?? null,
    initiator: initiatorOf(d),
    resourceType: d.type,
    time: d.timeStamp,
  };
  if (kind === 'onSendHeaders') ev.headers = redact.headers(headerList(d.requestHeaders));
  else if (kind === 'onHeadersReceived') {
    ev.headers = redact.headers(headerList(d.responseHeaders));
    ev.status = d.statusCode ?? 0;
  } else if (kind === 'onCompleted') ev.status = d.statusCode ?? 0;
  else if (kind === 'onErrorOccurred') ev.error = d.error ?? 'unknown error';
  return ev;
}

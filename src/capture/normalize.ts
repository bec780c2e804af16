// webRequest details (Chromium or Firefox shape) → RequestEvent, with secrets redacted on the way in.
import type { Header } from '../cors/types';
import type { RawDetails, RawKind, RequestEvent } from './events';

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
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}

export function normalize(
  kind: RawKind,
  d: RawDetails,
  redact: (headers: Header[]) => Header[],
): RequestEvent {
  const ev: RequestEvent = {
    kind: KIND[kind],
    requestId: String(d.requestId),
    url: d.url,
    method: d.method,
    tabId: d.tabId,
    frameId: d.frameId,
    documentId: d.documentId ?? null,
    initiator: d.initiator ?? (d.originUrl ? originOfUrl(d.originUrl) : ''),
    resourceType: d.type,
    time: d.timeStamp,
  };
  if (kind === 'onSendHeaders') ev.headers = redact(headerList(d.requestHeaders));
  else if (kind === 'onHeadersReceived') {
    ev.headers = redact(headerList(d.responseHeaders));
    ev.status = d.statusCode ?? 0;
  } else if (kind === 'onCompleted') ev.status = d.statusCode ?? 0;
  else if (kind === 'onErrorOccurred') ev.error = d.error ?? 'unknown error';
  return ev;
}

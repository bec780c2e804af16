// The service worker's capture over fake ports: events that arrive while it restores, rows written before
// the snapshot that no longer holds them, the listeners the settings ask for, the badge, the start time.
import { describe, expect, it } from 'vitest';
import { BADGE_MS, badgeText } from '../../../src/capture/badge';
import type { RawDetails, RawKind } from '../../../src/capture/events';
import { SETTLE_MS } from '../../../src/capture/pairing';
import {
  CaptureService,
  type Listener,
  type RequestFilter,
  type ServicePorts,
  SNAPSHOT_MS,
  type StorePort,
  type Timers,
  type WebRequestPort,
} from '../../../src/capture/service';
import type { Engine } from '../../../src/cors/types';
import { normalizeSettings, type Settings } from '../../../src/messaging/protocol';
import type { StoredExchange } from '../../../src/store/row';
import { API, PAGE } from '../../factories';

class FakeWebRequest implements WebRequestPort {
  regs: { kind: RawKind; listener: Listener; filter: RequestFilter; spec: readonly string[] }[] = [];
  constructor(readonly extraHeaders: boolean) {}
  addListener(kind: RawKind, listener: Listener, filter: RequestFilter, spec: readonly string[]): void {
    this.regs.push({ kind, listener, filter, spec });
  }
  removeListener(kind: RawKind, listener: Listener): void {
    this.regs = this.regs.filter((r) => !(r.kind === kind && r.listener === listener));
  }
  /** What is registered: event, URLs, types, extraInfoSpec. */
  registered(): string[] {
    return this.regs.map(
      (r) =>
        `${r.kind} ${r.filter.urls.join(',')}${r.filter.types ? ` [${r.filter.types}]` : ''} (${r.spec})`,
    );
  }
  /** Hands an event to each listener of its kind whose types admit it (the URL filter is the browser's). */
  fire([kind, details]: [RawKind, RawDetails]): void {
    for (const r of [...this.regs])
      if (r.kind === kind && (!r.filter.types || r.filter.types.includes(details.type))) r.listener(details);
  }
}

/** Timers on a clock the test moves; what is due runs in time order, promises settling in between. */
class FakeTimers implements Timers {
  t = 10_000;
  private due: { at: number; fn: () => void; every?: number }[] = [];
  setTimeout(fn: () => void, ms: number) {
    this.due.push({ at: this.t + ms, fn });
    return this.due.length;
  }
  setInterval(fn: () => void, ms: number) {
    this.due.push({ at: this.t + ms, fn, every: ms });
    return this.due.length;
  }
  now() {
    return this.t;
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      const next = this.due.filter((d) => d.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.t = next.at;
      if (next.every) next.at += next.every;
      else this.due.splice(this.due.indexOf(next), 1);
      next.fn();
    }
    this.t = end;
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** The ports, each writing what it is asked to do into one log. */
function ports(
  opts: {
    engine?: Engine;
    session?: Map<string, unknown>;
    blocked?: [number, number][];
    /** The settings a worker that starts finds saved, and what their reading waits for. */
    saved?: Settings;
    loading?: Promise<void>;
    /** What the store does when told the retention (the settings apply it). */
    setRetention?: (n: number) => void;
  } = {},
) {
  const log: string[] = [];
  const rows: StoredExchange[] = [];
  const session = opts.session ?? new Map<string, unknown>();
  const timers = new FakeTimers();
  const webRequest = new FakeWebRequest((opts.engine ?? 'chromium') === 'chromium');
  let saved: Settings | undefined = opts.saved;
  const store: StorePort = {
    enqueue: (row) => {
      rows.push(row);
      log.push(`enqueue ${row.exchange.capture.requestId} ${row.verdict}`);
    },
    addCounts: () => {},
    clearTab: (tabId) => {
      log.push(`clearTab ${tabId}`);
    },
    hasRequest: async () => false,
    flush: async () => {
      log.push('flush');
      await Promise.resolve();
      log.push('flushed');
    },
    setRetention: opts.setRetention ?? (() => {}),
    blockedByTab: async () => new Map(opts.blocked ?? []),
  };
  const p: ServicePorts = {
    webRequest,
    store,
    session: {
      get: async (keys) =>
        keys === null ? Object.fromEntries(session) : session.has(keys) ? { [keys]: session.get(keys) } : {},
      set: async (items) => {
        const keys = Object.keys(items);
        if (keys.some((k) => k.startsWith('pairing:'))) log.push('session.set');
        for (const [k, v] of Object.entries(items)) session.set(k, v);
      },
      remove: async (keys) => {
        for (const k of keys) session.delete(k);
      },
    },
    settings: {
      load: async () => {
        await opts.loading;
        return saved;
      },
      save: async (s) => {
        saved = s;
      },
    },
    badge: { setText: (tabId, text) => log.push(`badge ${tabId} "${text}"`) },
    timers,
  };
  const service = new CaptureService(p, {
    engine: opts.engine ?? 'chromium',
    selfOrigin: 'chrome-extension://self',
  });
  return { service, log, rows, session, timers, webRequest };
}

type Event = [RawKind, RawDetails];
const call = { tabId: 7, frameId: 0, initiator: PAGE, type: 'xmlhttprequest', method: 'GET' };
const send = (id: string, url: string, t: number): Event => [
  'onSendHeaders',
  { ...call, requestId: id, url, timeStamp: t, requestHeaders: [{ name: 'Origin', value: PAGE }] },
];
const answer = (id: string, url: string, t: number, allow: boolean): Event => [
  'onHeadersReceived',
  {
    ...call,
    requestId: id,
    url,
    timeStamp: t,
    statusCode: 200,
    responseHeaders: allow ? [{ name: 'Access-Control-Allow-Origin', value: PAGE }] : [],
  },
];
const fail = (id: string, url: string, t: number): Event => [
  'onErrorOccurred',
  { ...call, requestId: id, url, timeStamp: t, error: 'net::ERR_FAILED' },
];
/** A new page commits in tab 7. */
const page = (id: string, t: number): Event => [
  'onHeadersReceived',
  {
    ...call,
    type: 'main_frame',
    requestId: id,
    url: `${PAGE}/next`,
    timeStamp: t,
    statusCode: 200,
    responseHeaders: [{ name: 'Content-Type', value: 'text/html' }],
  },
];
const blockedCall = (id: string, t: number): Event[] => [
  send(id, `${API}/${id}`, t),
  answer(id, `${API}/${id}`, t + 1, false),
  fail(id, `${API}/${id}`, t + 2),
];

describe('CaptureService: restart', () => {
  it('handles events that arrive while it restores after the state a stopped worker left, in order', async () => {
    const first = ports();
    await first.service.start();
    first.webRequest.fire(send('r1', `${API}/r1`, 10_001));
    await first.timers.advance(SNAPSHOT_MS);
    // The call's part, then the index that names it.
    expect(first.log).toEqual(['flush', 'flushed', 'session.set', 'session.set']);

    // The successor: the answer and the error of r1, and a new call, come before its state is read.
    const second = ports({ session: first.session });
    const started = second.service.start();
    second.webRequest.fire(answer('r1', `${API}/r1`, 10_600, false));
    second.webRequest.fire(fail('r1', `${API}/r1`, 10_601));
    for (const e of blockedCall('r2', 10_602)) second.webRequest.fire(e);
    expect(second.rows).toEqual([]);
    await started;
    await second.timers.advance(0);
    // r1 is stored once the store said it does not hold it yet (a stopped worker may have written it).
    expect(second.log.slice(0, 2)).toEqual(['enqueue r2 blocked', 'enqueue r1 blocked']);
    const [r2, r1] = second.rows;
    // r1's request headers came from the snapshot: nothing is missing, and it says it was rebuilt.
    expect([r1!.exchange.capture.recovered, r1!.exchange.capture.missing]).toEqual([true, null]);
    expect(r1!.exchange.wire[0]!.request.headers).toEqual([['Origin', PAGE]]);
    expect(r2!.exchange.capture.recovered).toBe(false);
  });

  it('writes the calls that left pairing before the snapshot that no longer holds them', async () => {
    const { service, webRequest, timers, log } = ports();
    await service.start();
    for (const e of blockedCall('b1', 10_001)) webRequest.fire(e);
    webRequest.fire(send('s1', `${API}/s1`, 10_004));
    await timers.advance(SNAPSHOT_MS);
    const writes = () => log.filter((l) => !l.startsWith('badge'));
    expect(writes()).toEqual(['enqueue b1 blocked', 'flush', 'flushed', 'session.set', 'session.set']);
    // Nothing changed since: no snapshot.
    await timers.advance(SNAPSHOT_MS * 4);
    expect(writes()).toHaveLength(5);
  });

  it('keeps when capture began listening in the browser session', async () => {
    const first = ports();
    await first.service.start();
    const second = ports({ session: first.session });
    second.timers.t += 60_000;
    await second.service.start();
    expect(second.service.captureStartedAt()).toBe(first.service.captureStartedAt());
  });
});

describe('CaptureService: listeners', () => {
  const allSites = [
    'onSendHeaders <all_urls> (requestHeaders,extraHeaders)',
    'onHeadersReceived <all_urls> (responseHeaders,extraHeaders)',
    'onErrorOccurred <all_urls> ()',
  ];

  it('registers at once the events pairing needs; none while paused, again on resume', async () => {
    const { service, webRequest, rows } = ports();
    expect(webRequest.registered()).toEqual(allSites);
    await service.start();
    await service.setSettings({ paused: true });
    expect(webRequest.registered()).toEqual([]);
    for (const e of blockedCall('p1', 10_001)) webRequest.fire(e);
    await service.setSettings({ paused: false });
    expect(webRequest.registered()).toEqual(allSites);
    for (const e of blockedCall('p2', 10_010)) webRequest.fire(e);
    expect(rows.map((r) => r.exchange.capture.requestId)).toEqual(['p2']);
  });

  it('a patch whose fields are undefined changes nothing and loses nothing', async () => {
    const { service, webRequest } = ports();
    await service.start();
    await service.setSettings({ disabledSites: ['ads.test'], retention: 5_000 });
    const kept = await service.setSettings({ retention: undefined, disabledSites: undefined });
    expect([kept.retention, kept.disabledSites]).toEqual([5_000, ['ads.test']]);
    expect(webRequest.registered()).toEqual(allSites);
  });

  it('a change that arrives while the worker starts merges with the saved settings, not the defaults', async () => {
    let loaded!: () => void;
    const loading = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const saved = normalizeSettings({
      redactHeaders: ['x-secret'],
      redactParams: ['sid'],
      disabledSites: ['ads.test'],
    });
    const { service, webRequest } = ports({ saved, loading });
    const starting = service.start();
    // The popup's message that woke the worker, before the saved settings are read.
    const changing = service.setSettings({ paused: true });
    await new Promise((r) => setTimeout(r, 0));
    expect(service.current.redactHeaders).not.toContain('x-secret');
    loaded();
    await starting;
    const now = await changing;
    expect([now.paused, now.redactHeaders, now.redactParams, now.disabledSites]).toEqual([
      true,
      ['x-secret'],
      ['sid'],
      ['ads.test'],
    ]);
    // What start() read did not take the change back.
    expect(service.current).toEqual(now);
    expect(webRequest.registered()).toEqual([]);
  });

  it('is started, so messages are answered, even when restoring fails part way', async () => {
    const broken = new Error('retention refused');
    const { service } = ports({
      loading: Promise.reject(new Error('storage gone')),
      setRetention: () => {
        throw broken;
      },
    });
    await expect(service.start()).rejects.toBe(broken);
    await expect(service.started).resolves.toBeUndefined();
  });

  it('Firefox: onCompleted too, and no extraHeaders', async () => {
    const { webRequest } = ports({ engine: 'firefox' });
    expect(webRequest.registered()).toEqual([
      'onSendHeaders <all_urls> (requestHeaders)',
      'onHeadersReceived <all_urls> (responseHeaders)',
      'onCompleted <all_urls> ()',
      'onErrorOccurred <all_urls> ()',
    ]);
  });

  it('only listed sites: the listeners for them alone, navigations on a listener of their own', async () => {
    const { service, webRequest, log, rows } = ports();
    await service.start();
    const saved = await service.setSettings({ captureOn: 'listed', captureSites: ['127.0.0.1', 'api.test'] });
    expect(saved.captureOn).toBe('listed');
    expect(webRequest.registered()).toEqual([
      'onSendHeaders *://127.0.0.1/*,*://*.api.test/* (requestHeaders,extraHeaders)',
      'onHeadersReceived *://127.0.0.1/*,*://*.api.test/* (responseHeaders,extraHeaders)',
      'onErrorOccurred *://127.0.0.1/*,*://*.api.test/* ()',
      'onHeadersReceived <all_urls> [main_frame] (responseHeaders)',
    ]);
    // A new page: both onHeadersReceived listeners get it in this fake; the tab's log is cleared once.
    webRequest.fire(page('nav1', 10_001));
    expect(log).toEqual(['clearTab 7']);
    // A call to a site not listed that reaches capture anyway (registered before the settings were read).
    for (const e of blockedCall('x1', 10_002))
      webRequest.fire([e[0], { ...e[1], url: 'http://other.test/x1' }]);
    for (const e of blockedCall('a1', 10_010)) webRequest.fire(e);
    expect(rows.map((r) => r.exchange.capture.requestId)).toEqual(['a1']);
    // Listed, but none: navigations only.
    await service.setSettings({ captureSites: [] });
    expect(webRequest.registered()).toEqual(['onHeadersReceived <all_urls> [main_frame] (responseHeaders)']);
    await service.setSettings({ captureOn: 'all' });
    expect(webRequest.registered()).toEqual(allSites);
  });
});

describe('CaptureService: the toolbar badge', () => {
  it('counts blocked calls per tab as they are stored, once per batch, and empties with the log', async () => {
    const { service, webRequest, timers, log } = ports();
    await service.start();
    for (const e of [...blockedCall('b1', 10_001), ...blockedCall('b2', 10_004)]) webRequest.fire(e);
    webRequest.fire(send('ok', `${API}/ok`, 10_007));
    webRequest.fire(answer('ok', `${API}/ok`, 10_008, true));
    expect(log.filter((l) => l.startsWith('badge'))).toEqual([]);
    await timers.advance(BADGE_MS);
    expect(log.filter((l) => l.startsWith('badge'))).toEqual(['badge 7 "2"']);
    // The allowed call settles; the badge does not move.
    await timers.advance(SETTLE_MS);
    expect(log.filter((l) => l.startsWith('badge'))).toEqual(['badge 7 "2"']);
    expect(service.blocked(7)).toBe(2);
    // A new page clears the log, and the badge with it, at once.
    webRequest.fire(page('nav', 12_000));
    expect(log.slice(-2)).toEqual(['badge 7 ""', 'clearTab 7']);
    for (const e of blockedCall('b3', 12_001)) webRequest.fire(e);
    await timers.advance(BADGE_MS);
    expect(log.at(-1)).toBe('badge 7 "1"');
    // The user's Clear.
    service.cleared();
    expect(log.at(-1)).toBe('badge 7 ""');
    expect(service.blocked(7)).toBe(0);
  });

  it('says nothing for none, and at most four characters', () => {
    expect([0, 1, 999, 1000, 25_000].map(badgeText)).toEqual(['', '1', '999', '999+', '999+']);
  });

  it('a worker that starts goes on from the blocked calls stored', async () => {
    const { service, webRequest, timers, log } = ports({ blocked: [[7, 3]] });
    await service.start();
    for (const e of blockedCall('b4', 10_001)) webRequest.fire(e);
    await timers.advance(BADGE_MS);
    expect(log.filter((l) => l.startsWith('badge'))).toEqual(['badge 7 "4"']);
  });
});

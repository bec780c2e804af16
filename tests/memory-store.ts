// An ExchangeStore in memory, for the tests of the message handler and of redaction: the same contract as
// DexieExchangeStore (tests/unit/store/contract.test.ts holds both to it), without batching.

import { VERDICT_KINDS } from '../src/cors/types';
import {
  type CountsDelta,
  DEFAULT_RETENTION,
  type ExchangeStore,
  type ListOptions,
  type StoreStatus,
  type VerdictCounts,
} from '../src/store/repository';
import type { StoredExchange, TabCounts } from '../src/store/row';

export class MemoryExchangeStore implements ExchangeStore {
  rows: StoredExchange[] = [];
  readonly counts = new Map<number, TabCounts>();
  private nextSeq = 1;
  private retention = DEFAULT_RETENTION;

  enqueue(row: StoredExchange): void {
    this.rows.push({ ...row, seq: this.nextSeq++ });
    if (this.rows.length > this.retention) this.rows.splice(0, this.rows.length - this.retention);
  }

  addCounts(tabId: number, counts: CountsDelta): void {
    const c = this.counts.get(tabId) ?? { tabId, sameOrigin: 0, noCors: 0 };
    c.sameOrigin += counts.sameOrigin ?? 0;
    c.noCors += counts.noCors ?? 0;
    this.counts.set(tabId, c);
  }

  async flush(): Promise<void> {}

  setRetention(n: number): void {
    if (!Number.isFinite(n) || n < 1) return;
    this.retention = Math.floor(n);
    if (this.rows.length > this.retention) this.rows.splice(0, this.rows.length - this.retention);
  }

  async clearTab(tabId: number): Promise<void> {
    this.rows = this.rows.filter((r) => r.tabId !== tabId);
    this.counts.delete(tabId);
  }

  async clearAll(): Promise<void> {
    this.rows = [];
    this.counts.clear();
  }

  async listByTab(tabId?: number, opts: ListOptions = {}): Promise<StoredExchange[]> {
    let out = this.rows.filter(
      (r) =>
        (tabId === undefined || r.tabId === tabId) &&
        (opts.verdict === undefined || r.verdict === opts.verdict) &&
        (opts.afterSeq === undefined || (r.seq ?? 0) > opts.afterSeq),
    );
    if (opts.reverse) out.reverse();
    const start = opts.offset ?? 0;
    out = out.slice(start, opts.limit === undefined ? undefined : start + opts.limit);
    return out;
  }

  async countByVerdict(tabId?: number): Promise<VerdictCounts> {
    const out = Object.fromEntries(VERDICT_KINDS.map((k) => [k, 0])) as VerdictCounts;
    for (const r of this.rows) if (tabId === undefined || r.tabId === tabId) out[r.verdict]++;
    return out;
  }

  async getCounts(tabId: number): Promise<TabCounts> {
    return { ...(this.counts.get(tabId) ?? { tabId, sameOrigin: 0, noCors: 0 }) };
  }

  status(): StoreStatus {
    return { ok: true, lastError: null, droppedRows: 0, pending: 0, stored: this.rows.length };
  }
}

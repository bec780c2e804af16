// The one interface the rest of the code uses for storage, and its IndexedDB implementation.
// Writes are batched (one transaction per flush), capped by retention, and never throw into the
// service worker: failures are counted and reported through status().
import Dexie, { type DexieOptions } from 'dexie';
import { VERDICT_KINDS, type VerdictKind } from '../cors/types';
import { type BodyChunk, CorscopeDB, chunkReader, chunksOf, type ListChunk, listChunk } from './db';
import type { StoredExchange, TabCounts } from './row';
import type { RowSummary } from './summary';

export const DEFAULT_RETENTION = 20_000;
const DEFAULT_BATCH_SIZE = 200;
const DEFAULT_FLUSH_DELAY_MS = 100;
/** Rows waiting in memory beyond this are dropped (the database has stopped answering). */
const DEFAULT_MAX_PENDING = 100_000;
/** On a quota error, this share of the stored rows (the oldest) is deleted before the one retry. */
const QUOTA_EVICT_FRACTION = 0.1;

/** What the UI shows about storage. */
export interface StoreStatus {
  /** False when the last write failed. */
  ok: boolean;
  /** The most recent error, kept after later writes succeed; null when none happened. */
  lastError: string | null;
  /** Rows that could not be written and were given up. */
  droppedRows: number;
  /** Rows enqueued and not yet written. */
  pending: number;
  /** Rows in the database, as far as this store knows. */
  stored: number;
}

export type VerdictCounts = Record<VerdictKind, number>;

export interface ListOptions {
  /** Only rows with this verdict. */
  verdict?: VerdictKind;
  /** Only rows captured after this one (seq greater than it): for tailing. */
  afterSeq?: number;
  /** Newest first instead of capture order. */
  reverse?: boolean;
  offset?: number;
  limit?: number;
}

export interface CountsDelta {
  sameOrigin?: number;
  noCors?: number;
}

export interface ExchangeStore {
  /** Buffers a row; it is written with the next batch. O(1), never throws. */
  enqueue(row: StoredExchange): void;
  /** Buffers increments of a tab's counts of calls CORS does not govern. */
  addCounts(tabId: number, counts: CountsDelta): void;
  /** Writes everything buffered so far; resolves when it is written (or dropped). Never rejects. */
  flush(): Promise<void>;
  /** Caps the number of stored rows; the oldest go first. */
  setRetention(n: number): void;
  /** Deletes a tab's rows and counts, buffered ones included. Never rejects: failures show in status(). */
  clearTab(tabId: number): Promise<void>;
  /** Deletes everything. Never rejects: failures show in status(). */
  clearAll(): Promise<void>;
  /** Stored rows of one tab (all tabs when undefined), in capture order. */
  listByTab(tabId?: number, opts?: ListOptions): Promise<StoredExchange[]>;
  countByVerdict(tabId?: number): Promise<VerdictCounts>;
  getCounts(tabId: number): Promise<TabCounts>;
  status(): StoreStatus;
}

/** The timer the store batches with; tests pass one they control. */
export interface Scheduler {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realScheduler: Scheduler = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface DexieExchangeStoreOptions {
  /** An open or unopened database; default: a new CorscopeDB(dexieOptions, name). */
  db?: CorscopeDB;
  /** For tests: fake-indexeddb's `indexedDB` and `IDBKeyRange`. */
  dexieOptions?: DexieOptions;
  name?: string;
  /** Flush as soon as this many rows wait. */
  batchSize?: number;
  /** Flush this long after the first buffered row. */
  flushDelayMs?: number;
  retention?: number;
  maxPending?: number;
  scheduler?: Scheduler;
  /** Called after a write, clear or trim when status() differs from what it last reported. */
  onStatus?: (status: StoreStatus) => void;
}

interface CountsEntry {
  sameOrigin: number;
  noCors: number;
}

/** Rows and counts written together in one transaction. */
interface Batch {
  rows: StoredExchange[];
  counts: Map<number, CountsEntry>;
  /** Set once the batch's write is queued; rows enqueued before it starts still join it. */
  queued: Promise<void> | null;
}

function newBatch(): Batch {
  return { rows: [], counts: new Map(), queued: null };
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  inner?: unknown;
  cause?: unknown;
  failures?: unknown;
}

/**
 * Whether an error means the origin is out of storage: a DOMException or Dexie.QuotaExceededError,
 * or one wrapped by Dexie (an AbortError or BulkError whose inner error or failures are one).
 */
export function isQuotaError(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 4) return false;
  if (err instanceof Dexie.QuotaExceededError) return true;
  const e = err as ErrorLike;
  // Firefox before 4x names it NS_ERROR_DOM_QUOTA_REACHED.
  if (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  if (isQuotaError(e.inner, depth + 1) || isQuotaError(e.cause, depth + 1)) return true;
  return Array.isArray(e.failures) && e.failures.some((f) => isQuotaError(f, depth + 1));
}

/** One line for the UI: "Name: message", with a wrapped error's own words when they differ. */
export function describeError(err: unknown): string {
  if (err === null || typeof err !== 'object') return String(err);
  const e = err as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(err);
  let text = message ? `${name}: ${message}` : name;
  const inner = e.inner as ErrorLike | undefined;
  if (
    inner &&
    typeof inner === 'object' &&
    typeof inner.message === 'string' &&
    !message.includes(inner.message)
  ) {
    text += ` (${typeof inner.name === 'string' ? inner.name : 'Error'}: ${inner.message})`;
  }
  return text.replace(/\s*\n\s*/g, ' ');
}

/** The database behind an ExchangeStore. Only the background writes; pages read (liveQuery) and query. */
export class DexieExchangeStore implements ExchangeStore {
  readonly db: CorscopeDB;
  private readonly batchSize: number;
  private readonly flushDelayMs: number;
  private readonly maxPending: number;
  private readonly scheduler: Scheduler;
  private readonly onStatus: ((status: StoreStatus) => void) | undefined;
  private retention: number;

  private batch: Batch = newBatch();
  /** Batches handed to a write that has not committed yet. */
  private readonly inflight = new Set<Batch>();
  private timer: unknown = null;
  private timerArmed = false;
  /** Every database mutation runs after the previous one, in call order. */
  private tail: Promise<unknown> = Promise.resolve();

  /** Rows in the database: counted once, then kept up to date by each write and delete. */
  private stored: number | null = null;
  /** The last seq given to a row (read with `stored`): each write's rows get the next ones. */
  private seq = 0;
  private pending = 0;
  private ok = true;
  private lastError: string | null = null;
  private droppedRows = 0;
  private reported = '';

  constructor(options: DexieExchangeStoreOptions = {}) {
    this.db = options.db ?? new CorscopeDB(options.dexieOptions, options.name);
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.flushDelayMs = Math.max(0, options.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS);
    this.maxPending = Math.max(this.batchSize, options.maxPending ?? DEFAULT_MAX_PENDING);
    this.scheduler = options.scheduler ?? realScheduler;
    this.onStatus = options.onStatus;
    this.retention = validRetention(options.retention) ?? DEFAULT_RETENTION;
    void this.exclusive(async () => {
      await this.knownStored();
      await this.enforceRetention();
      this.report();
    });
  }

  enqueue(row: StoredExchange): void {
    if (this.pending >= this.maxPending) {
      this.droppedRows++;
      this.ok = false;
      this.lastError = `Write buffer full: ${this.pending} rows waiting for the database`;
      return;
    }
    const b = this.batch;
    b.rows.push(row);
    this.pending++;
    if (b.queued) return;
    if (b.rows.length >= this.batchSize) void this.flush();
    else this.arm();
  }

  addCounts(tabId: number, counts: CountsDelta): void {
    const sameOrigin = counts.sameOrigin ?? 0;
    const noCors = counts.noCors ?? 0;
    if (!sameOrigin && !noCors) return;
    const b = this.batch;
    const entry = b.counts.get(tabId);
    if (entry) {
      entry.sameOrigin += sameOrigin;
      entry.noCors += noCors;
    } else {
      b.counts.set(tabId, { sameOrigin, noCors });
    }
    if (!b.queued) this.arm();
  }

  flush(): Promise<void> {
    this.disarm();
    const b = this.batch;
    if (!b.queued) {
      this.inflight.add(b);
      b.queued = this.exclusive(async () => {
        // From here on, new rows go to a new batch.
        if (this.batch === b) this.batch = newBatch();
        try {
          await this.write(b);
        } finally {
          this.inflight.delete(b);
        }
        this.report();
      });
    }
    return b.queued;
  }

  setRetention(n: number): void {
    const cap = validRetention(n);
    if (cap === null || cap === this.retention) return;
    this.retention = cap;
    void this.exclusive(async () => {
      await this.enforceRetention();
      this.report();
    });
  }

  clearTab(tabId: number): Promise<void> {
    const b = this.batch;
    if (b.rows.length) {
      const before = b.rows.length;
      b.rows = b.rows.filter((r) => r.tabId !== tabId);
      this.pending -= before - b.rows.length;
    }
    b.counts.delete(tabId);
    // A batch already queued is sealed here: what is enqueued from now on is written after the delete.
    if (b.queued) this.batch = newBatch();
    return this.exclusive(async () => {
      try {
        const { lists, bodies, counts, meta } = this.db;
        const deleted = await this.db.transaction('rw', lists, bodies, counts, meta, async () => {
          await this.keepSeq();
          // A chunk keeps only other tabs' rows (and its key), or goes when none are left; so do its rows.
          let n = 0;
          await lists
            .where('tabs')
            .equals(tabId)
            .modify((chunk, ref: { value?: ListChunk }) => {
              const kept = chunk.rows.filter((r) => r.tabId !== tabId);
              n += chunk.rows.length - kept.length;
              if (kept.length) ref.value = { ...listChunk(kept), first: chunk.first };
              else delete ref.value;
            });
          await bodies
            .where('tabs')
            .equals(tabId)
            .modify((chunk, ref: { value?: BodyChunk }) => {
              const kept = withoutTab(chunk, tabId);
              if (kept) ref.value = kept;
              else delete ref.value;
            });
          await counts.delete(tabId);
          return n;
        });
        if (this.stored !== null) this.stored = Math.max(0, this.stored - deleted);
      } catch (err) {
        this.failed(err);
      }
      this.report();
    });
  }

  clearAll(): Promise<void> {
    const b = this.batch;
    this.pending -= b.rows.length;
    b.rows = [];
    b.counts.clear();
    if (b.queued) this.batch = newBatch();
    return this.exclusive(async () => {
      try {
        const { lists, bodies, counts, meta } = this.db;
        await this.db.transaction('rw', lists, bodies, counts, meta, async () => {
          await this.keepSeq();
          await lists.clear();
          await bodies.clear();
          await counts.clear();
        });
        this.stored = 0;
      } catch (err) {
        this.failed(err);
      }
      this.report();
    });
  }

  listByTab(tabId?: number, opts: ListOptions = {}): Promise<StoredExchange[]> {
    const { lists, bodies } = this.db;
    return this.db.transaction('r', lists, bodies, async () => {
      // The chunks' summaries say which rows, in which order; the body chunks hold the rows.
      const after = opts.afterSeq ?? -Infinity;
      let seqs = (await this.summaries(tabId, opts.verdict, after)).map((r) => r.seq);
      if (opts.reverse) seqs.reverse();
      const from = opts.offset ?? 0;
      seqs = seqs.slice(from, opts.limit === undefined ? undefined : from + opts.limit);
      if (!seqs.length) return [];
      const lo = Math.min(seqs[0]!, seqs[seqs.length - 1]!);
      const hi = Math.max(seqs[0]!, seqs[seqs.length - 1]!);
      const at = new Map<number, () => StoredExchange>();
      await bodies
        .where('last')
        .aboveOrEqual(lo)
        .until((chunk) => chunk.first > hi)
        .each((chunk) => {
          const read = chunkReader(chunk);
          for (const [i, seq] of chunk.seqs.entries()) at.set(seq, () => read(i));
        });
      const out: StoredExchange[] = [];
      for (const seq of seqs) {
        const read = at.get(seq);
        if (read) out.push(read());
      }
      return out;
    });
  }

  async countByVerdict(tabId?: number): Promise<VerdictCounts> {
    const out = Object.fromEntries(VERDICT_KINDS.map((k) => [k, 0])) as VerdictCounts;
    for (const r of await this.summaries(tabId)) out[r.verdict]++;
    return out;
  }

  /** How many blocked calls each tab has stored (tabs with none are left out): the toolbar badge's start. */
  async blockedByTab(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    await this.db.lists
      .where('verdicts')
      .equals('blocked')
      .each((chunk) => {
        for (const r of chunk.rows)
          if (r.verdict === 'blocked') out.set(r.tabId, (out.get(r.tabId) ?? 0) + 1);
      });
    return out;
  }

  async getCounts(tabId: number): Promise<TabCounts> {
    return (await this.db.counts.get(tabId)) ?? { tabId, sameOrigin: 0, noCors: 0 };
  }

  /** Rows enqueued but not yet committed: a worker that stops now would lose them (see the background). */
  unwritten(): StoredExchange[] {
    const out: StoredExchange[] = [];
    for (const b of this.inflight) out.push(...b.rows);
    if (!this.inflight.has(this.batch)) out.push(...this.batch.rows);
    return out;
  }

  /** Whether a call (by webRequest requestId) is stored already: to keep recovered calls from repeating. */
  async hasRequest(requestId: string): Promise<boolean> {
    if (this.unwritten().some((r) => r.exchange.capture.requestId === requestId)) return true;
    return (await this.db.lists.where('requestIds').equals(requestId).count()) > 0;
  }

  status(): StoreStatus {
    return {
      ok: this.ok,
      lastError: this.lastError,
      droppedRows: this.droppedRows,
      pending: this.pending,
      stored: this.stored ?? 0,
    };
  }

  /** Writes what is buffered, then closes the database. */
  async close(): Promise<void> {
    await this.flush();
    this.disarm();
    this.db.close();
  }

  // --- internals ---

  private exclusive(op: () => Promise<void>): Promise<void> {
    const run = this.tail.then(op).catch((err: unknown) => {
      this.failed(err);
    });
    this.tail = run;
    return run;
  }

  private arm(): void {
    if (this.timerArmed) return;
    this.timerArmed = true;
    this.timer = this.scheduler.set(() => {
      this.timerArmed = false;
      this.timer = null;
      void this.flush();
    }, this.flushDelayMs);
  }

  private disarm(): void {
    if (!this.timerArmed) return;
    this.timerArmed = false;
    this.scheduler.clear(this.timer);
    this.timer = null;
  }

  /**
   * The summaries of one tab's rows (every tab's when undefined), optionally of one verdict and after a
   * seq, in capture order: the index picks the chunks, the rows in them are filtered here.
   */
  private async summaries(tabId?: number, verdict?: VerdictKind, after = -Infinity): Promise<RowSummary[]> {
    const { lists } = this.db;
    const chunks =
      tabId !== undefined
        ? lists.where('tabs').equals(tabId)
        : verdict !== undefined
          ? lists.where('verdicts').equals(verdict)
          : lists.where('last').above(after);
    const out: RowSummary[] = [];
    await chunks.each((chunk) => {
      if (chunk.last <= after) return;
      for (const r of chunk.rows) {
        if (
          (tabId === undefined || r.tabId === tabId) &&
          (verdict === undefined || r.verdict === verdict) &&
          r.seq > after
        )
          out.push(r);
      }
    });
    return out;
  }

  private async knownStored(): Promise<number> {
    if (this.stored === null) {
      try {
        const { lists, bodies, meta } = this.db;
        // A write's body chunk lives as long as its list chunk and keeps the write's last seq; a clear
        // that deleted the last rows left the highest seq in `meta`.
        const [sizes, lastBody, kept] = await Promise.all([
          lists.orderBy('[first+n]').keys(),
          bodies.orderBy('last').lastKey(),
          meta.get('seq'),
        ]);
        this.stored = total(sizes);
        this.seq = Math.max(Number(lastBody ?? 0), kept?.value ?? 0);
      } catch (err) {
        this.failed(err);
        this.stored = 0;
      }
    }
    return this.stored;
  }

  /** One batch, one transaction; on a quota error, make room once and retry once; else drop. */
  private async write(b: Batch): Promise<void> {
    const { rows, counts } = b;
    if (!rows.length && !counts.size) return;
    await this.knownStored();
    try {
      await this.writeBatch(rows, counts);
      this.written(rows.length);
    } catch (err) {
      this.failed(err);
      let retried = false;
      if (isQuotaError(err)) {
        try {
          const freed = await this.deleteOldest(Math.ceil((this.stored ?? 0) * QUOTA_EVICT_FRACTION));
          await this.writeBatch(rows, counts);
          this.written(rows.length);
          this.lastError = `${describeError(err)} (recovered: deleted the ${freed} oldest rows)`;
          retried = true;
        } catch (again) {
          this.failed(again);
        }
      }
      if (!retried) this.droppedRows += rows.length;
    } finally {
      this.pending -= rows.length;
    }
    await this.enforceRetention();
  }

  private async writeBatch(rows: StoredExchange[], counts: Map<number, CountsEntry>): Promise<void> {
    const db = this.db;
    await db.transaction('rw', db.lists, db.bodies, db.counts, async () => {
      if (rows.length) {
        // Two records for the whole batch: its summaries and its full rows, under the batch's first seq.
        const { body, list } = chunksOf(rows.map((r) => ({ ...r, seq: ++this.seq })));
        await db.lists.add(list);
        await db.bodies.add(body);
      }
      if (counts.size) {
        const ids = [...counts.keys()];
        const old = await db.counts.bulkGet(ids);
        await db.counts.bulkPut(
          ids.map((tabId, i) => {
            const add = counts.get(tabId)!;
            const had = old[i];
            return {
              tabId,
              sameOrigin: (had?.sameOrigin ?? 0) + add.sameOrigin,
              noCors: (had?.noCors ?? 0) + add.noCors,
            };
          }),
        );
      }
    });
  }

  /** Inside a clear's transaction: the highest seq given so far outlives the rows it deletes. */
  private async keepSeq(): Promise<void> {
    await this.knownStored();
    await this.db.meta.put({ key: 'seq', value: this.seq });
  }

  private written(n: number): void {
    this.stored = (this.stored ?? 0) + n;
    this.ok = true;
  }

  private failed(err: unknown): void {
    this.ok = false;
    this.lastError = describeError(err);
  }

  private async enforceRetention(): Promise<void> {
    const stored = await this.knownStored();
    if (stored <= this.retention) return;
    try {
      await this.deleteOldest(stored - this.retention);
    } catch (err) {
      this.failed(err);
    }
  }

  /**
   * Deletes the n oldest rows (lowest seq): whole chunks, and the oldest rows of the chunk the cut falls in.
   * Returns how many went; the running count is set again from the chunks' sizes.
   */
  private async deleteOldest(n: number): Promise<number> {
    if (n <= 0) return 0;
    const { lists, bodies } = this.db;
    const { deleted, left: remaining } = await this.db.transaction('rw', lists, bodies, async () => {
      const sizes = (await lists.orderBy('[first+n]').keys()) as unknown as [number, number][];
      let left = n;
      let whole = 0;
      while (whole < sizes.length && sizes[whole]![1] <= left) left -= sizes[whole++]![1];
      if (whole)
        await lists
          .where('first')
          .belowOrEqual(sizes[whole - 1]![0])
          .delete();
      // The lowest seq kept: body chunks wholly below it go; one that straddles it stays.
      let kept = sizes[whole]?.[0] ?? Infinity;
      if (left && whole < sizes.length) {
        const chunk = (await lists.get(kept))!;
        const rows = chunk.rows.slice(left);
        await lists.put({ ...listChunk(rows), first: chunk.first });
        kept = rows[0]!.seq;
      }
      await bodies.where('last').below(kept).delete();
      const before = total(sizes);
      return { deleted: Math.min(n, before), left: Math.max(0, before - n) };
    });
    this.stored = remaining;
    return deleted;
  }

  private report(): void {
    if (!this.onStatus) return;
    const s = this.status();
    const key = `${s.ok}|${s.lastError}|${s.droppedRows}|${s.pending}|${s.stored}`;
    if (key === this.reported) return;
    this.reported = key;
    try {
      this.onStatus(s);
    } catch {
      // A listener's failure is not the store's.
    }
  }
}

/** The rows in chunks, from their `[first+n]` index keys. */
function total(sizes: unknown[]): number {
  let n = 0;
  for (const key of sizes as [number, number][]) n += key[1];
  return n;
}

function validRetention(n: number | undefined): number | null {
  if (n === undefined || !Number.isFinite(n) || n < 1) return null;
  return Math.floor(n);
}

/** A chunk without one tab's rows; null when nothing else is left in it. */
function withoutTab(chunk: BodyChunk, tabId: number): BodyChunk | null {
  const keep = chunk.tabIds.flatMap((t, i) => (t === tabId ? [] : [i]));
  if (!keep.length) return null;
  const tabIds = keep.map((i) => chunk.tabIds[i]!);
  return {
    ...chunk,
    seqs: keep.map((i) => chunk.seqs[i]!),
    tabIds,
    rows: keep.map((i) => chunk.rows[i]!),
    tabs: [...new Set(tabIds)],
  };
}

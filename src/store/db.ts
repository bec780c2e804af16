// The IndexedDB schema, through Dexie. Only src/store and extension/ touch browser storage.
import Dexie, { type DexieOptions, type EntityTable, type Table, type Transaction } from 'dexie';
import type { Header, WireEntry } from '../cors/types';
import type { StoredExchange, TabCounts } from './row';
import { type RowSummary, summarize } from './summary';

const DB_NAME = 'corscope';

/**
 * The full rows of one write, as one record: IndexedDB's cost is per record written (about as much for a
 * small record as for a large one), so a batch of exchanges costs two records: this and its ListChunk.
 */
export interface BodyChunk {
  /** The first seq in `seqs`: the key. */
  first: number;
  /** The last seq in `seqs`: retention deletes chunks wholly below a cut. */
  last: number;
  /** The seqs of the rows, ascending, and beside each its tab and its JSON (the StoredExchange, packed). */
  seqs: number[];
  tabIds: number[];
  rows: string[];
  /** The distinct tabs in the chunk (multi-entry index): clearing a tab finds its chunks. */
  tabs: number[];
  /**
   * What the rows repeat, held once (absent in chunks written before): the JSON of each distinct header
   * list, each distinct summary of the verdicts, and the JSON of each distinct check and warning. A packed
   * row names them by number: a page's calls send and receive the same lists, and pass the same checks,
   * call after call, and IndexedDB's cost grows with the bytes it clones. Chunks with `lists` and `texts`
   * but no `checks` hold each check and warning as an object whose texts are numbers into `texts`.
   */
  lists?: string[];
  texts?: string[];
  checks?: string[];
  warnings?: string[];
}

/**
 * The list's view of one write: a RowSummary per row, what the panel draws its list from. Same key as
 * the write's BodyChunk; the indexes find chunks, the rows in them are filtered in memory.
 */
export interface ListChunk {
  /** The lowest seq in `rows`: the key. */
  first: number;
  /** The highest seq in `rows`: queries for rows after a seq start at the chunks whose last is above it. */
  last: number;
  /** How many rows: `[first+n]` lets the store count and cut rows from index keys alone. */
  n: number;
  /** The capture time of the first row: chunks in time order (rows are written in capture order). */
  time: number;
  /** Multi-entry indexes: the distinct tabs, distinct verdicts and every row's requestId. */
  tabs: number[];
  verdicts: string[];
  requestIds: string[];
  rows: RowSummary[];
}

/** The JSON of each header list, by identity: nothing changes a captured list in place. */
const listJson = new WeakMap<Header[], string>();

/** A header list's JSON, computed once per list object (the pairing snapshot and the store share it). */
export function headerListJson(list: Header[]): string {
  let json = listJson.get(list);
  if (json === undefined) {
    json = JSON.stringify(list);
    listJson.set(list, json);
  }
  return json;
}

/** A wire entry with its header lists replaced by `to` (numbers when stored, lists when read). */
export function entryWithLists(e: WireEntry, to: (list: unknown) => unknown): WireEntry {
  return {
    ...e,
    request:
      e.request.headers === undefined
        ? e.request
        : { ...e.request, headers: to(e.request.headers) as Header[] },
    response: e.response && { ...e.response, headers: to(e.response.headers) as Header[] },
  };
}

/** The texts of a check in chunks that packed each text of a check apart (see BodyChunk). */
const CHECK_TEXTS = ['title', 'spec', 'required', 'seen'] as const;

/** Packs the rows of one chunk: each distinct header list, summary, check and warning once, named by number. */
class Packer {
  readonly lists = new Numbering();
  readonly texts = new Numbering();
  readonly checks = new Numbering();
  readonly warnings = new Numbering();

  row(r: StoredExchange): string {
    const { exchange: ex, evaluation: v } = r;
    return JSON.stringify({
      ...r,
      exchange: {
        ...ex,
        wire: ex.wire.map((e) => entryWithLists(e, (l) => this.lists.of(headerListJson(l as Header[])))),
      },
      evaluation: {
        ...v,
        summary: this.texts.of(v.summary),
        checks: v.checks.map((c) => this.checks.of(JSON.stringify(c))),
        warnings: v.warnings.map((w) => this.warnings.of(JSON.stringify(w))),
      },
    });
  }
}

/** Distinct strings, numbered in the order they first came. */
class Numbering {
  readonly all: string[] = [];
  private readonly numbers = new Map<string, number>();

  of(s: string): number {
    let n = this.numbers.get(s);
    if (n === undefined) {
      n = this.all.push(s) - 1;
      this.numbers.set(s, n);
    }
    return n;
  }
}

/** The two records of one write, for rows whose seqs are assigned and ascending. */
export function chunksOf(rows: StoredExchange[]): { body: BodyChunk; list: ListChunk } {
  const seqs = rows.map((r) => r.seq!);
  const tabIds = rows.map((r) => r.tabId);
  const first = seqs[0]!;
  const last = seqs[seqs.length - 1]!;
  const tabs = [...new Set(tabIds)];
  const packer = new Packer();
  const packed = rows.map((r) => packer.row(r));
  return {
    body: {
      first,
      last,
      seqs,
      tabIds,
      rows: packed,
      tabs,
      lists: packer.lists.all,
      texts: packer.texts.all,
      checks: packer.checks.all,
      warnings: packer.warnings.all,
    },
    list: listChunk(rows.map(summarize)),
  };
}

/**
 * Reads a chunk's rows: unpacks what a packed row names by number. Rows read through one reader share the
 * header lists they have in common (nothing changes a list in place).
 */
export function chunkReader(chunk: BodyChunk): (i: number) => StoredExchange {
  const { lists, texts } = chunk;
  if (!lists || !texts) return (i) => JSON.parse(chunk.rows[i]!) as StoredExchange;
  const parsed: Header[][] = [];
  const list = (n: unknown): Header[] =>
    (parsed[n as number] ??= JSON.parse(lists[n as number]!) as Header[]);
  const text = (n: unknown): string => texts[n as number]!;
  const { checks, warnings } = chunk;
  return (i) => {
    const r = JSON.parse(chunk.rows[i]!) as StoredExchange;
    const { exchange: ex, evaluation: v } = r;
    ex.wire = ex.wire.map((e) => entryWithLists(e, list));
    v.summary = text(v.summary);
    if (checks && warnings) {
      v.checks = v.checks.map((n) => JSON.parse(checks[n as unknown as number]!));
      v.warnings = v.warnings.map((n) => JSON.parse(warnings[n as unknown as number]!));
      return r;
    }
    for (const c of v.checks) for (const k of CHECK_TEXTS) c[k] = text(c[k]);
    for (const w of v.warnings) w.message = text(w.message);
    return r;
  };
}

/** A ListChunk of summaries (at least one, ascending seqs). */
export function listChunk(rows: RowSummary[]): ListChunk {
  return {
    first: rows[0]!.seq,
    last: rows[rows.length - 1]!.seq,
    n: rows.length,
    time: rows[0]!.time,
    tabs: [...new Set(rows.map((r) => r.tabId))],
    verdicts: [...new Set(rows.map((r) => r.verdict))],
    requestIds: rows.flatMap((r) => (r.requestId ? [r.requestId] : [])),
    rows,
  };
}

/** Row `seq` of a chunk, or undefined when the chunk does not hold it. */
export function rowOf(chunk: BodyChunk | undefined, seq: number): StoredExchange | undefined {
  const i = chunk ? chunk.seqs.indexOf(seq) : -1;
  return i < 0 ? undefined : chunkReader(chunk!)(i);
}

/**
 * Schema, version 4. Every write (a batch of exchanges, in one transaction) is two records, keyed by the
 * first seq of the batch: IndexedDB's cost is per record, and one record per exchange held the store to
 * about half the rows per second (tests/bench, store_writes_per_s).
 * - `lists`: a ListChunk per write, what the panel draws its list from. Indexed per tab (`tabs`), per
 *   verdict (`verdicts`), per time (`time`), by requestId (finds a call again after the service worker
 *   restarted) and `[first+n]` (counts and retention cuts from keys alone). Key order is capture order.
 * - `bodies`: the full rows (exchange and verdict) of the same write, a BodyChunk. A row exists while its
 *   summary does; a chunk that straddles a retention cut keeps its older rows until its last row goes.
 * - `counts`: per-tab counts of calls CORS does not govern (same-origin, no-cors).
 * - `meta` (version 4): the highest seq ever given, written when a clear deletes rows; the next seq is
 *   above it and above every chunk, so a panel that tails rows after its last seq never misses new ones.
 * Version 1 kept one `exchanges` record per row and a `summaries` record beside it; version 2 one `calls`
 * record (a RowSummary) per row beside the chunks. The upgrades regroup them, same seqs.
 */
export const SCHEMA_V1 = {
  exchanges: '++seq, tabId, time, verdict, [tabId+seq], [tabId+verdict], exchange.capture.requestId',
  summaries: 'seq, [tabId+seq]',
  counts: 'tabId',
} as const;

export const SCHEMA_V2 = {
  exchanges: null,
  summaries: null,
  calls: '++seq, time, verdict, [tabId+seq], [tabId+verdict], requestId',
  bodies: 'first, last, *tabs',
  counts: 'tabId',
} as const;

export const SCHEMA_V3 = {
  calls: null,
  lists: 'first, last, [first+n], time, *tabs, *verdicts, *requestIds',
  bodies: 'first, last, *tabs',
  counts: 'tabId',
} as const;

/** Version 4: v3's chunks, and `meta` for what outlives every row (the highest seq ever given). */
const SCHEMA = { ...SCHEMA_V3, meta: 'key' } as const;

/** One fact about the store that no row holds. */
export interface MetaEntry {
  /** "seq": the highest seq ever given, so row numbers never go back once every row is deleted. */
  key: 'seq';
  value: number;
}

export class CorscopeDB extends Dexie {
  lists!: Table<ListChunk, number>;
  bodies!: Table<BodyChunk, number>;
  counts!: EntityTable<TabCounts, 'tabId'>;
  meta!: EntityTable<MetaEntry, 'key'>;

  /** `options` lets tests inject fake-indexeddb's `indexedDB` and `IDBKeyRange`. */
  constructor(options: DexieOptions = {}, name: string = DB_NAME) {
    // A capture log can lose its last writes on a crash: relaxed durability is much faster in Chromium.
    super(name, { chromeTransactionDurability: 'relaxed', ...options });
    this.version(1).stores(SCHEMA_V1);
    this.version(2).stores(SCHEMA_V2).upgrade(upgradeV1);
    this.version(3).stores(SCHEMA_V3).upgrade(upgradeV2);
    this.version(4).stores(SCHEMA);
  }
}

/** Version 1 → 2: each 200 rows of `exchanges` become a chunk and their summaries `calls`, same seqs. */
async function upgradeV1(tx: Transaction): Promise<void> {
  const old = tx.table<StoredExchange, number>('exchanges');
  const calls = tx.table<RowSummary, number>('calls');
  const bodies = tx.table<BodyChunk, number>('bodies');
  let after = -Infinity;
  for (;;) {
    const rows = await old.where(':id').above(after).limit(200).toArray();
    if (!rows.length) break;
    await calls.bulkPut(rows.map(summarize));
    await bodies.add(chunksOf(rows).body);
    after = rows[rows.length - 1]!.seq!;
  }
}

/** Version 2 → 3: the `calls` of each body chunk (chunks hold disjoint seq ranges) become its ListChunk. */
async function upgradeV2(tx: Transaction): Promise<void> {
  const calls = tx.table<RowSummary, number>('calls');
  const lists = tx.table<ListChunk, number>('lists');
  const bodies = tx.table<BodyChunk, number>('bodies');
  const firsts = (await bodies.orderBy('first').keys()) as number[];
  const lasts = (await bodies.orderBy('last').keys()) as number[];
  for (const [i, first] of firsts.entries()) {
    const rows = await calls.where(':id').between(first, lasts[i]!, true, true).toArray();
    if (rows.length) await lists.add(listChunk(rows));
  }
}

// Exports built in the extension's page straight from IndexedDB, row by row into a Blob: a store of any
// size exports (one runtime message is capped at 64 MiB in Chromium, and 20,000 calls as HAR are 70-90 MB).
// The background is asked only to write what it still buffers and for the settings (the redaction list).
import type { Redactor } from '../capture/redact';
import { redactorOf } from '../capture/redact';
import { type CorscopeMessage, commandsOver, messages, request } from '../messaging/protocol';
import { type ExportFormat, exportWriter, type PageSeed, pagesOf } from '../report/writer';
import { type CorscopeDB, chunkReader } from './db';

/** Body chunks read per step: a step is one short read transaction. */
const STEP = 25;
/** Text gathered before it goes into the Blob in one piece. */
const PIECE = 4 * 1024 * 1024;

export type Progress = (done: number, total: number) => void;

/** One tab's rows (every tab's when undefined), in capture order, as an export file. */
async function exportFromStore(
  db: CorscopeDB,
  format: ExportFormat,
  tabId: number | undefined,
  redact: Redactor,
  onProgress: Progress = () => {},
): Promise<Blob> {
  // The rows that exist are the ones the list chunks hold (a body chunk can outlive some of its rows).
  const live = new Set<number>();
  const seeds: PageSeed[] = [];
  const lists = tabId === undefined ? db.lists.orderBy('first') : db.lists.where('tabs').equals(tabId);
  await lists.each((chunk) => {
    for (const r of chunk.rows) {
      if (tabId !== undefined && r.tabId !== tabId) continue;
      live.add(r.seq);
      if (format === 'har') seeds.push(r);
    }
  });
  const total = live.size;
  onProgress(0, total);
  const writer = exportWriter(format, format === 'har' ? pagesOf(seeds) : []);
  const parts: Blob[] = [];
  let piece = writer.head();
  let done = 0;
  let after = Number.NEGATIVE_INFINITY;
  for (;;) {
    const chunks = await db.bodies.where('first').above(after).limit(STEP).toArray();
    if (!chunks.length) break;
    for (const chunk of chunks) {
      after = chunk.first;
      const read = chunkReader(chunk);
      for (const [i, seq] of chunk.seqs.entries()) {
        if (!live.has(seq)) continue;
        const row = read(i);
        piece += writer.row(redact.derived(row));
        done++;
        if (piece.length >= PIECE) {
          parts.push(new Blob([piece]));
          piece = '';
        }
      }
    }
    onProgress(done, total);
  }
  piece += writer.tail();
  parts.push(new Blob([piece]));
  return new Blob(parts);
}

/**
 * The commands of an extension page: messages to the background, and exports built in the page from the
 * store after the background has written what it buffers.
 */
export function pageCommands(db: CorscopeDB, send: (message: CorscopeMessage) => Promise<unknown>) {
  return {
    ...commandsOver(send),
    exportFile: async (format: ExportFormat, tabId?: number, onProgress?: Progress): Promise<Blob> => {
      const { settings } = await request(send, messages.flush());
      return exportFromStore(db, format, tabId, redactorOf(settings), onProgress);
    },
  };
}

// Export text written row by row: JSON Lines, HAR 1.2 (the text JSON.stringify(toHar(rows), null, 2)
// gives) or the Markdown report. A writer holds no rows (the report keeps its counts and the first blocked
// calls), so an export of any size is built in pieces: the whole text never has to be one string.
import type { StoredExchange } from '../store/row';
import { CORSCOPE_CREATOR, entriesOf, SANITIZED_COMMENT } from './har';
import type { HarPage } from './har-types';
import { MarkdownReport } from './markdown';

export const EXPORT_FORMATS = ['jsonl', 'har', 'markdown'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What a HAR's page needs of a tab's first row. */
export interface PageSeed {
  tabId: number;
  time: number;
  initiator: string;
}

/** One page per tab, from its first row (rows in capture order), as toHar writes them. */
export function pagesOf(rows: Iterable<PageSeed>): HarPage[] {
  const pages = new Map<number, HarPage>();
  for (const row of rows) {
    if (pages.has(row.tabId)) continue;
    pages.set(row.tabId, {
      startedDateTime: new Date(row.time).toISOString(),
      id: `tab-${row.tabId}`,
      title: row.initiator,
      pageTimings: { onContentLoad: -1, onLoad: -1 },
      comment: `Calls captured in browser tab ${row.tabId}.`,
    });
  }
  return [...pages.values()];
}

export interface ExportWriter {
  /** The text before the first row. */
  head(): string;
  /** One row's text, rows given in capture order. */
  row(row: StoredExchange): string;
  /** The text after the last row. */
  tail(): string;
}

const indent = (json: string, by: string) => json.replace(/\n/g, `\n${by}`);

/** A writer for one format; a HAR needs its pages (pagesOf the rows) first. */
export function exportWriter(format: ExportFormat, pages: HarPage[] = []): ExportWriter {
  if (format === 'jsonl')
    return {
      head: () => '',
      row: (r) => `${JSON.stringify({ ...r.exchange, evaluation: r.evaluation })}\n`,
      tail: () => '',
    };
  if (format === 'markdown') {
    const report = new MarkdownReport();
    return {
      head: () => '',
      row: (r) => {
        report.add(r.exchange, r.evaluation);
        return '';
      },
      tail: () => report.render(),
    };
  }
  // HAR: the log with a marker for its entries, cut around it; each entry indented as JSON.stringify does.
  const MARK = '\u0000entries\u0000';
  const log = {
    log: {
      version: '1.2',
      creator: CORSCOPE_CREATOR,
      pages,
      entries: [MARK],
      comment: SANITIZED_COMMENT,
    },
  };
  const [before, after] = JSON.stringify(log, null, 2).split(JSON.stringify(MARK)) as [string, string];
  let first = true;
  return {
    head: () => before.replace(/\n\s*$/, ''),
    row: (r) => {
      let out = '';
      for (const e of entriesOf(r.exchange, r.evaluation, {
        time: r.time,
        tabId: r.tabId,
        pageref: `tab-${r.tabId}`,
      })) {
        out += `${first ? '' : ','}\n      ${indent(JSON.stringify(e, null, 2), '      ')}`;
        first = false;
      }
      return out;
    },
    // No entries: "entries": [] on one line, as JSON.stringify writes an empty array.
    tail: () => `${first ? after.replace(/^\n\s*/, '') : after}\n`,
  };
}

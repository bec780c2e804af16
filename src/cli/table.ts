// A plain-text table for terminals: columns padded to the widest cell, long cells cut with an ellipsis,
// control characters in a cell (what a HAR or a server sent) written as visible escapes.
import { visible } from '../report/inert';

/** The table line by line (a long table is written without building it whole). */
export function* tableLines(
  headers: string[],
  rows: readonly string[][],
  maxWidths: number[] = [],
): Generator<string> {
  const cut = (raw: string, max: number | undefined) => {
    const s = visible(raw);
    return max && s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  const widths = headers.map((h, i) => {
    let w = cut(h, maxWidths[i]).length;
    for (const r of rows) w = Math.max(w, cut(r[i] ?? '', maxWidths[i]).length);
    return w;
  });
  const line = (r: string[]) =>
    r
      .map((c, i) => {
        const cell = cut(c, maxWidths[i]);
        return i === r.length - 1 ? cell : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  yield line(headers);
  for (const r of rows) yield line(r);
}

export function formatTable(headers: string[], rows: string[][], maxWidths: number[] = []): string {
  return [...tableLines(headers, rows, maxWidths)].join('\n');
}

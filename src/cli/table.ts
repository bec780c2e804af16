// A plain-text table for terminals: columns padded to the widest cell, long cells cut with an ellipsis.

export function formatTable(headers: string[], rows: string[][], maxWidths: number[] = []): string {
  const cut = (s: string, max: number | undefined) => (max && s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const cells = [headers, ...rows].map((r) => r.map((c, i) => cut(c, maxWidths[i])));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

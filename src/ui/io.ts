// Clipboard and file download with web APIs only (no extension APIs); the apps take overrides as props.
import type { ExportFormat } from './model';

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // DevTools panels are often denied the async clipboard: fall back to a selection copy.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

const EXTENSION: Record<ExportFormat, string> = { jsonl: 'jsonl', har: 'har', markdown: 'md' };
const MIME: Record<string, string> = {
  jsonl: 'application/x-ndjson',
  har: 'application/json',
  md: 'text/markdown;charset=utf-8',
};

/** Saves a file (an export built in pieces) through a download link. */
export function downloadFile(filename: string, data: Blob): void {
  const type = MIME[filename.slice(filename.lastIndexOf('.') + 1)] ?? 'text/plain;charset=utf-8';
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** corscope-<tab id, "all" or a name>-<UTC time>.<jsonl|har|md> */
export function exportFilename(
  scope: number | string | null | undefined,
  format: ExportFormat = 'jsonl',
  now = new Date(),
): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `corscope-${scope ?? 'all'}-${stamp}.${EXTENSION[format]}`;
}

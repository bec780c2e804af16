// What the panel and the popup say about storage and about a running export.
import type { ExportState } from './hooks';
import { captureScopeNote, type Settings, type StatusResponse } from './model';

const n = (x: number) => x.toLocaleString('en-US');

/** Rows the store could not write and its last error (quota, a database that stopped answering). */
export function StoreStatus({ status }: { status: StatusResponse | null }) {
  if (!status || (status.ok && !status.droppedRows && !status.lastError)) return null;
  const dropped = status.droppedRows
    ? `${n(status.droppedRows)} ${status.droppedRows === 1 ? 'call' : 'calls'} could not be stored. `
    : '';
  return (
    <p class="store-status" role="alert" data-testid="store-status">
      Storage: {dropped}
      {status.lastError ? `Last error: ${status.lastError}` : ''}
    </p>
  );
}

/** A running export's progress, or why the last one failed. */
export function ExportStatus({ state }: { state: ExportState }) {
  if (state.error)
    return (
      <p class="export-error" role="alert" data-testid="export-error">
        {state.error}
      </p>
    );
  if (!state.progress) return null;
  const { done, total } = state.progress;
  return (
    <p class="muted" role="status" data-testid="export-progress">
      Exporting… {total ? `${Math.floor((100 * done) / total)}% (${n(done)} of ${n(total)} calls)` : ''}
    </p>
  );
}

/** "Capture on: only these sites", when this page is outside them (or none is listed). */
export function CaptureScope({ settings, pageUrl }: { settings: Settings | null; pageUrl: string | null }) {
  const note = captureScopeNote(settings, pageUrl);
  if (!note) return null;
  return (
    <p class="note capture-scope" role="status" data-testid="capture-scope">
      {note}
    </p>
  );
}

// The DevTools "CORS" panel for one tab: toolbar, live list, details of the selected call; and the same
// views over the calls of a HAR file dropped on it or picked with "Import HAR…".
import { useMemo, useRef, useState } from 'preact/hooks';
import { plural } from '../../report/har-judge';
import { clock } from '../format';
import { useExport, useRow, useRows, useSettings, useStatus } from '../hooks';
import { fileChunks, IMPORTED_TAB, importHar, importProblem, importSummary } from '../import-har';
import { copyText, downloadFile } from '../io';
import { type MemorySource, memoryCommands, memorySource } from '../memory-source';
import {
  type Commands,
  distinct,
  type ExportFormat,
  type Filters,
  filterRows,
  NO_TAB,
  type PanelSource,
  type RowSummary,
  VERDICT_KINDS,
} from '../model';
import { CaptureScope, ExportStatus, StoreStatus } from '../status';
import { type Column, VirtualList } from '../VirtualList';
import { Details } from './Details';
import '../styles.css';

export interface PanelAppProps {
  tabId: number;
  source: PanelSource;
  commands: Commands;
  theme: 'light' | 'dark';
  /** Saves an export; defaults to a download through a link. */
  download?: (filename: string, data: Blob) => void;
  /** Copies text; defaults to the clipboard. */
  copy?: (text: string) => void | Promise<void>;
  /** When the inspected page began loading (its performance.timeOrigin), if the glue can tell. */
  pageStartedAt?: number | null;
  /** The inspected page's URL, if the glue can tell: the panel says when capture is not on for its site. */
  pageUrl?: string | null;
}

const ROW_HEIGHT = 22;

/** Capture began after the page did: the calls the page made before are missing. */
function lateStart(captureStartedAt: number | null, pageStartedAt: number | null): boolean {
  return captureStartedAt !== null && pageStartedAt !== null && pageStartedAt < captureStartedAt;
}

const COLUMNS: Column<RowSummary>[] = [
  { title: 'Time', cell: (r) => clock(r.time) },
  { title: 'Method', cell: (r) => r.method },
  { title: 'URL', cell: (r) => r.url, tip: (r) => r.url },
  { title: 'Initiator', cell: (r) => r.initiator, tip: (r) => r.initiator },
  { title: 'Status', cell: (r) => r.status ?? '—' },
  {
    title: 'Verdict',
    cell: (r) => (
      <>
        <span class={`badge v-${r.verdict}`}>{r.verdict}</span>
        {r.localNetwork && (
          <span
            class="badge lna"
            title="Stopped by Local Network Access, before CORS"
            data-testid="badge-lna"
          >
            LNA
          </span>
        )}
      </>
    ),
  },
  { title: 'Reason', cell: (r) => r.reason, tip: (r) => r.reason },
  { title: 'Preflight', cell: (r) => r.preflight },
];

const EXPORTS: [ExportFormat, string][] = [
  ['har', 'HAR'],
  ['jsonl', 'JSON Lines'],
  ['markdown', 'Markdown'],
];

/** The calls of an imported HAR file. */
interface Imported {
  name: string;
  source: MemorySource;
  commands: Commands;
  calls: number;
  /** The file's calls by class: "312 HAR entries, 297 calls: 41 CORS calls (3 blocked), ...". */
  summary: string;
}

function Select(props: {
  value: string;
  onChange: (v: string) => void;
  any: string;
  options: readonly string[];
  testid: string;
  label: string;
}) {
  return (
    <select
      aria-label={props.label}
      data-testid={props.testid}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
    >
      <option value="">{props.any}</option>
      {props.options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

export function PanelApp({
  tabId,
  source,
  commands,
  theme,
  download = downloadFile,
  copy = copyText,
  pageStartedAt = null,
  pageUrl = null,
}: PanelAppProps) {
  // The live calls of this tab, or those of no tab (service workers and the like).
  const [scope, setScope] = useState<'tab' | 'other'>('tab');
  const liveTab = scope === 'other' ? NO_TAB : tabId;
  const [imported, setImported] = useState<Imported | null>(null);
  const [showImported, setShowImported] = useState(false);
  const [importNote, setImportNote] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  // What the list shows: the live tab, or the imported calls (exports then act on those).
  const view =
    showImported && imported
      ? { source: imported.source, commands: imported.commands, tabId: IMPORTED_TAB, scope: 'imported' }
      : { source, commands, tabId: liveTab, scope: scope === 'other' ? 'no-tab' : tabId };
  const rows = useRows(view.source, view.tabId);
  const [settings, updateSettings] = useSettings(commands);
  const status = useStatus(commands);
  const captureStartedAt = status?.captureStartedAt ?? null;
  const [exporting, runExport] = useExport(download);
  const [filters, setFilters] = useState<Required<Filters>>({
    blockedOnly: false,
    localNetworkOnly: false,
    verdict: '',
    text: '',
    method: '',
    origin: '',
  });
  const [selected, setSelected] = useState<number | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  const shown = useMemo(() => filterRows(rows, filters), [rows, filters]);
  const methods = useMemo(() => distinct(rows, 'method'), [rows]);
  const origins = useMemo(() => distinct(rows, 'origin'), [rows]);
  // A clear removes the open row: close its details.
  const openSeq = useMemo(
    () => (open !== null && rows.some((r) => r.seq === open) ? open : null),
    [rows, open],
  );
  const detail = useRow(view.source, openSeq);

  const onExport = (format: ExportFormat) => runExport(view.commands, format, view.scope, view.tabId);
  const show = (importedView: boolean) => {
    setShowImported(importedView);
    setOpen(null);
    setSelected(null);
  };
  const onFile = async (file: File) => {
    setImporting(true);
    setImportNote(null);
    const result = await importHar(
      fileChunks(file),
      settings ? { headers: settings.redactHeaders, params: settings.redactParams } : undefined,
    );
    setImporting(false);
    setImportNote(importProblem(file.name, result));
    if (!result.rows.length) return;
    const rowsSource = memorySource(result.rows);
    setImported({
      name: file.name,
      source: rowsSource,
      // Its exports redact with the list in force when they are made, as the tab's own exports do.
      commands: memoryCommands(rowsSource, undefined, () => commands.getSettings()),
      calls: result.rows.length,
      summary: importSummary(result),
    });
    show(true);
  };
  const closeImport = () => {
    setImported(null);
    setImportNote(null);
    show(false);
  };
  const onClear = async () => {
    await commands.clear(liveTab);
    setOpen(null);
    setSelected(null);
  };
  const select = (seq: number) => {
    setSelected(seq);
    setOpen(seq);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop target for HAR files; "Import HAR…" is the keyboard way.
    <div
      class={`corscope panel theme-${theme}`}
      data-testid="panel"
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        const file = e.dataTransfer?.files[0];
        if (!file) return;
        e.preventDefault();
        void onFile(file);
      }}
    >
      <div class="toolbar" role="toolbar">
        {imported && (
          <div class="views" role="tablist" aria-label="Calls shown">
            <button
              type="button"
              role="tab"
              aria-selected={!showImported}
              data-testid="view-live"
              onClick={() => show(false)}
            >
              Live
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={showImported}
              data-testid="view-imported"
              onClick={() => show(true)}
            >
              Imported: {imported.name} ({plural(imported.calls, 'call')})
            </button>
            <button
              type="button"
              aria-label="Close the import"
              data-testid="close-import"
              onClick={closeImport}
            >
              ×
            </button>
          </div>
        )}
        <label>
          <input
            type="checkbox"
            data-testid="filter-blocked"
            checked={filters.blockedOnly}
            onChange={(e) => set({ blockedOnly: e.currentTarget.checked })}
          />
          Blocked only
        </label>
        <label title="Calls the Local Network Access check stopped before CORS">
          <input
            type="checkbox"
            data-testid="filter-lna"
            checked={filters.localNetworkOnly}
            onChange={(e) => set({ localNetworkOnly: e.currentTarget.checked })}
          />
          Local Network Access
        </label>
        <Select
          label="Verdict"
          testid="filter-verdict"
          any="All verdicts"
          options={VERDICT_KINDS}
          value={filters.verdict}
          onChange={(v) => set({ verdict: v as Filters['verdict'] })}
        />
        <input
          type="search"
          placeholder="Filter URL or reason"
          aria-label="Filter URL or reason"
          data-testid="filter-text"
          value={filters.text}
          onInput={(e) => set({ text: e.currentTarget.value })}
        />
        <Select
          label="Method"
          testid="filter-method"
          any="All methods"
          options={methods}
          value={filters.method}
          onChange={(v) => set({ method: v })}
        />
        <Select
          label="Origin"
          testid="filter-origin"
          any="All origins"
          options={origins}
          value={filters.origin}
          onChange={(v) => set({ origin: v })}
        />
        {!showImported && (
          <>
            <select
              aria-label="Calls of"
              data-testid="scope"
              value={scope}
              onChange={(e) => {
                setScope(e.currentTarget.value === 'other' ? 'other' : 'tab');
                setOpen(null);
                setSelected(null);
              }}
            >
              <option value="tab">This tab</option>
              <option value="other">No tab (service workers, …)</option>
            </select>
            <label>
              <input
                type="checkbox"
                data-testid="preserve-log"
                checked={settings?.preserveLog ?? false}
                disabled={!settings}
                onChange={(e) => updateSettings({ preserveLog: e.currentTarget.checked })}
              />
              Preserve log
            </label>
            <button type="button" data-testid="clear" onClick={onClear}>
              Clear
            </button>
          </>
        )}
        <span class="group">
          Export
          {EXPORTS.map(([format, label]) => (
            <button
              key={format}
              type="button"
              data-testid={`export-${format}`}
              onClick={() => onExport(format)}
            >
              {label}
            </button>
          ))}
        </span>
        <button
          type="button"
          data-testid="import"
          disabled={importing}
          onClick={() => fileInput.current?.click()}
        >
          {importing ? 'Importing…' : 'Import HAR…'}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".har,.json,application/json"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void onFile(file);
          }}
        />
        <span class="muted" data-testid="count">
          {shown.length === rows.length ? `${rows.length} calls` : `${shown.length} of ${rows.length} calls`}
        </span>
      </div>
      <StoreStatus status={status} />
      {view.scope === tabId && <CaptureScope settings={settings} pageUrl={pageUrl} />}
      <ExportStatus state={exporting} />
      {showImported && imported && (
        <p class="muted import-summary" data-testid="import-summary">
          {imported.summary}. Only the CORS calls are listed.
        </p>
      )}
      {!showImported && lateStart(captureStartedAt, pageStartedAt) && (
        <p class="muted capture-start" data-testid="capture-start">
          Capture started at {clock(captureStartedAt!)}, after this page began loading: its earlier calls are
          not shown. Reload the page to capture them all.
        </p>
      )}
      {importNote && (
        <p class="import-note" role="alert">
          <span data-testid="import-error">{importNote}</span>{' '}
          <button type="button" class="link" onClick={() => setImportNote(null)}>
            Dismiss
          </button>
        </p>
      )}
      <div class={openSeq === null ? 'split' : 'split with-details'}>
        <div class="list-pane">
          <VirtualList
            items={shown}
            rowHeight={ROW_HEIGHT}
            selected={selected}
            onSelect={setSelected}
            onOpen={setOpen}
            columns={COLUMNS}
            label="Cross-origin calls"
          />
          {!rows.length && !showImported && (
            <p class="empty muted">
              No cross-origin calls yet. Reload the page to capture them, or drop a HAR file here to import
              it.
            </p>
          )}
        </div>
        {openSeq !== null && (
          <div class="details-pane">
            <button type="button" class="close" aria-label="Close details" onClick={() => setOpen(null)}>
              ×
            </button>
            {detail ? (
              <Details row={detail} rows={rows} onSelect={select} copy={(t) => void copy(t)} />
            ) : (
              <p class="muted">Loading…</p>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

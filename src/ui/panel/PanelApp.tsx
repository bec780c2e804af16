// The DevTools "CORS" panel for one tab: toolbar, live list, details of the selected call.
import { useMemo, useState } from 'preact/hooks';
import { clock } from '../format';
import { useRow, useRows, useSettings } from '../hooks';
import { copyText, downloadText, exportFilename } from '../io';
import {
  type Commands,
  distinct,
  type Filters,
  filterRows,
  type PanelSource,
  type RowSummary,
  VERDICTS,
} from '../model';
import { type Column, VirtualList } from '../VirtualList';
import { Details } from './Details';
import '../styles.css';

export interface PanelAppProps {
  tabId: number;
  source: PanelSource;
  commands: Commands;
  theme: 'light' | 'dark';
  /** Saves an export; defaults to a download through a link. */
  download?: (filename: string, text: string) => void;
  /** Copies text; defaults to the clipboard. */
  copy?: (text: string) => void | Promise<void>;
}

export const ROW_HEIGHT = 22;

const COLUMNS: Column<RowSummary>[] = [
  { title: 'Time', cell: (r) => clock(r.time) },
  { title: 'Method', cell: (r) => r.method },
  { title: 'URL', cell: (r) => r.url, tip: (r) => r.url },
  { title: 'Initiator', cell: (r) => r.initiator, tip: (r) => r.initiator },
  { title: 'Status', cell: (r) => r.status ?? '—' },
  { title: 'Verdict', cell: (r) => <span class={`badge v-${r.verdict}`}>{r.verdict}</span> },
  { title: 'Reason', cell: (r) => r.reason, tip: (r) => r.reason },
  { title: 'Preflight', cell: (r) => r.preflight },
];

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
  download = downloadText,
  copy = copyText,
}: PanelAppProps) {
  const rows = useRows(source, tabId);
  const [settings, updateSettings] = useSettings(commands);
  const [filters, setFilters] = useState<Required<Filters>>({
    blockedOnly: false,
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
  const detail = useRow(source, openSeq);

  const onExport = async () => download(exportFilename(tabId), await commands.exportJsonl(tabId));
  const onClear = async () => {
    await commands.clear(tabId);
    setOpen(null);
    setSelected(null);
  };
  const select = (seq: number) => {
    setSelected(seq);
    setOpen(seq);
  };

  return (
    <div class={`corscope panel theme-${theme}`} data-testid="panel">
      <div class="toolbar" role="toolbar">
        <label>
          <input
            type="checkbox"
            data-testid="filter-blocked"
            checked={filters.blockedOnly}
            onChange={(e) => set({ blockedOnly: e.currentTarget.checked })}
          />
          Blocked only
        </label>
        <Select
          label="Verdict"
          testid="filter-verdict"
          any="All verdicts"
          options={VERDICTS}
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
        <button type="button" data-testid="export" onClick={onExport}>
          Export
        </button>
        <span class="muted" data-testid="count">
          {shown.length === rows.length ? `${rows.length} calls` : `${shown.length} of ${rows.length} calls`}
        </span>
      </div>
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
          {!rows.length && (
            <p class="empty muted">No cross-origin calls yet. Reload the page to capture them.</p>
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

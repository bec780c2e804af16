// The toolbar popup for the active tab: counts, top failing origins and reasons, export, clear, settings.
import { useMemo } from 'preact/hooks';
import type { VerdictKind } from '../../cors/types';
import { useRows, useSettings } from '../hooks';
import { downloadText, exportFilename } from '../io';
import {
  type Commands,
  type ExportFormat,
  exportAs,
  type PanelSource,
  plainReason,
  type RowSummary,
  type Settings,
  VERDICT_KINDS,
} from '../model';
import '../styles.css';

export interface PopupAppProps {
  tabId: number | null;
  source: PanelSource;
  commands: Commands;
  /** Saves an export; defaults to a download through a link. */
  download?: (filename: string, text: string) => void;
  /** Defaults to the system's colour scheme. */
  theme?: 'light' | 'dark';
}

export interface TabStats {
  counts: Record<VerdictKind, number>;
  /** [origin, count] of blocked and network-error calls, most first (top 5). */
  origins: [string, number][];
  /** [reason, count] of failed calls, by Chromium error, most first (top 5). */
  reasons: [string, number][];
  cached: number;
}

function top(counts: Map<string, number>, n = 5): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
}

export function tabStats(rows: readonly RowSummary[]): TabStats {
  const counts = Object.fromEntries(VERDICT_KINDS.map((v) => [v, 0])) as Record<VerdictKind, number>;
  const origins = new Map<string, number>();
  const reasons = new Map<string, number>();
  let cached = 0;
  for (const r of rows) {
    counts[r.verdict]++;
    if (r.preflight === 'cached') cached++;
    if (r.verdict !== 'blocked' && r.verdict !== 'network-error') continue;
    const o = r.origin || r.url;
    origins.set(o, (origins.get(o) ?? 0) + 1);
    // Grouped by Chromium's error, without the value it names.
    const reason = r.chromium ? plainReason(r.chromium, null) : r.reason;
    if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return { counts, origins: top(origins), reasons: top(reasons), cached };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);

function TopList({ title, items, testid }: { title: string; items: [string, number][]; testid: string }) {
  return (
    <div data-testid={testid}>
      <h3>{title}</h3>
      {items.length ? (
        <ol>
          {items.map(([name, n]) => (
            <li key={name}>
              <span class="count">{n}</span> {name}
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted">None</p>
      )}
    </div>
  );
}

function SettingsForm({ settings, save }: { settings: Settings; save: (patch: Partial<Settings>) => void }) {
  return (
    <fieldset class="settings" data-testid="settings">
      <legend>Settings</legend>
      <label>
        <input
          type="checkbox"
          data-testid="setting-paused"
          checked={settings.paused}
          onChange={(e) => save({ paused: e.currentTarget.checked })}
        />
        Pause capture
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="setting-preserve-log"
          checked={settings.preserveLog}
          onChange={(e) => save({ preserveLog: e.currentTarget.checked })}
        />
        Preserve log across navigations
      </label>
      <label>
        Sites where capture is off (one host per line)
        <textarea
          data-testid="setting-disabled-sites"
          rows={3}
          value={settings.disabledSites.join('\n')}
          onChange={(e) => save({ disabledSites: lines(e.currentTarget.value).map((h) => h.toLowerCase()) })}
        />
      </label>
      <label>
        Keep at most (calls)
        <input
          type="number"
          min={1}
          data-testid="setting-retention"
          value={settings.retention}
          onChange={(e) => {
            const n = Math.floor(Number(e.currentTarget.value));
            if (n >= 1) save({ retention: n });
          }}
        />
      </label>
      <label>
        Extra header names to redact (one per line)
        <textarea
          data-testid="setting-redact"
          rows={3}
          value={settings.redactHeaders.join('\n')}
          onChange={(e) => save({ redactHeaders: lines(e.currentTarget.value).map((h) => h.toLowerCase()) })}
        />
      </label>
    </fieldset>
  );
}

export function PopupApp({ tabId, source, commands, download = downloadText, theme }: PopupAppProps) {
  const rows = useRows(source, tabId);
  const [settings, updateSettings] = useSettings(commands);
  const stats = useMemo(() => tabStats(rows), [rows]);

  /** One tab's export, or all tabs' (tabId undefined). */
  const onExport = async (format: ExportFormat, tab?: number) =>
    download(exportFilename(tab, format), await exportAs(commands, format, tab));

  return (
    <div class={`corscope popup theme-${theme ?? 'auto'}`} data-testid="popup">
      {tabId === null ? (
        <p class="muted">No tab to inspect.</p>
      ) : (
        <>
          <ul class="counts" data-testid="counts">
            {VERDICT_KINDS.map((v) => (
              <li key={v} data-testid={`count-${v}`}>
                <span class={`badge v-${v}`}>{v}</span> <b>{stats.counts[v]}</b>
              </li>
            ))}
          </ul>
          <p data-testid="cached">
            {stats.cached} preflight{stats.cached === 1 ? '' : 's'} served from the cache
          </p>
          <TopList title="Top failing origins" items={stats.origins} testid="top-origins" />
          <TopList title="Top reasons" items={stats.reasons} testid="top-reasons" />
          <p class="note">Open DevTools → CORS for details.</p>
          <div class="actions">
            <button
              type="button"
              class="primary"
              data-testid="export-har"
              onClick={() => onExport('har', tabId)}
            >
              Export HAR
            </button>
            <button type="button" data-testid="export-jsonl" onClick={() => onExport('jsonl', tabId)}>
              JSON Lines
            </button>
            <button type="button" data-testid="export-markdown" onClick={() => onExport('markdown', tabId)}>
              Markdown report
            </button>
            <button type="button" data-testid="clear" onClick={() => commands.clear(tabId)}>
              Clear
            </button>
          </div>
        </>
      )}
      <div class="actions">
        <button type="button" data-testid="export-all" onClick={() => onExport('har')}>
          Export all tabs (HAR)
        </button>
      </div>
      {settings && <SettingsForm settings={settings} save={(p) => void updateSettings(p)} />}
    </div>
  );
}

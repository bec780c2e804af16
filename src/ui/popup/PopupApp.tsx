// The toolbar popup for the active tab: counts, top failing origins and reasons, export, clear, settings.
import { useMemo, useState } from 'preact/hooks';
import { siteHost } from '../../capture/sites';
import type { VerdictKind } from '../../cors/types';
import { ALWAYS_REDACTED, MAX_RETENTION, MIN_RETENTION } from '../../messaging/protocol';
import { useExport, useRows, useSettings, useStatus, useTabs } from '../hooks';
import { downloadFile } from '../io';
import {
  type Commands,
  type ExportFormat,
  NO_TAB,
  type PanelSource,
  plainReason,
  type RowSummary,
  type Settings,
  type TabSummary,
  VERDICT_KINDS,
} from '../model';
import { CaptureScope, ExportStatus, StoreStatus } from '../status';
import '../styles.css';

export interface PopupAppProps {
  tabId: number | null;
  source: PanelSource;
  commands: Commands;
  /** Saves an export; defaults to a download through a link. */
  download?: (filename: string, data: Blob) => void;
  /** Defaults to the system's colour scheme. */
  theme?: 'light' | 'dark';
  /** The ids of the open tabs: the others that hold calls are listed as closed. Null: not known. */
  openTabs?: readonly number[] | null;
  /** The URL of the tab's page, if the glue can tell: the popup says when capture is not on for its site. */
  pageUrl?: string | null;
}

export interface TabStats {
  counts: Record<VerdictKind, number>;
  /** [origin, count] of blocked and network-error calls, most first (top 5). */
  origins: [string, number][];
  /** [reason, count] of failed calls, by Chromium error, most first (top 5). */
  reasons: [string, number][];
  cached: number;
  /** Calls the Local Network Access check stopped (before CORS). */
  localNetwork: number;
}

function top(counts: Map<string, number>, n = 5): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
}

export function tabStats(rows: readonly RowSummary[]): TabStats {
  const counts = Object.fromEntries(VERDICT_KINDS.map((v) => [v, 0])) as Record<VerdictKind, number>;
  const origins = new Map<string, number>();
  const reasons = new Map<string, number>();
  let cached = 0;
  let localNetwork = 0;
  for (const r of rows) {
    counts[r.verdict]++;
    if (r.preflight === 'cached') cached++;
    if (r.localNetwork) localNetwork++;
    if (r.verdict !== 'blocked' && r.verdict !== 'network-error') continue;
    const o = r.origin || r.url;
    origins.set(o, (origins.get(o) ?? 0) + 1);
    // Grouped by Chromium's error, without the value it names.
    const reason = r.chromium ? plainReason(r.chromium, null) : r.reason;
    if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return { counts, origins: top(origins), reasons: top(reasons), cached, localNetwork };
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

const n = (x: number) => x.toLocaleString('en-US');

/**
 * The retention field: a number from MIN_RETENTION to MAX_RETENTION, checked in the form; a cap below the
 * calls stored says how many of the oldest calls (of every tab) it deletes, and deletes nothing until the
 * user confirms.
 */
function RetentionField(props: { value: number; stored: number; save: (retention: number) => void }) {
  const [text, setText] = useState(String(props.value));
  const [pending, setPending] = useState<number | null>(null);
  const raw = text.trim();
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  const invalid = !(value >= MIN_RETENTION && value <= MAX_RETENTION);
  const apply = (v: number) => {
    if (v < props.stored) setPending(v);
    else {
      setPending(null);
      props.save(v);
    }
  };
  return (
    <div class="retention">
      <label>
        Keep at most (calls)
        <input
          type="number"
          min={MIN_RETENTION}
          max={MAX_RETENTION}
          data-testid="setting-retention"
          aria-invalid={invalid}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onChange={(e) => {
            const t = e.currentTarget.value.trim();
            const v = /^\d+$/.test(t) ? Number(t) : Number.NaN;
            if (v >= MIN_RETENTION && v <= MAX_RETENTION && v !== props.value) apply(v);
            else setPending(null);
          }}
        />
      </label>
      {invalid && (
        <p class="field-error" role="alert" data-testid="retention-error">
          A whole number from {n(MIN_RETENTION)} to {n(MAX_RETENTION)}.
        </p>
      )}
      {pending !== null && (
        <div class="confirm" role="alert" data-testid="retention-confirm">
          Keeping at most {n(pending)} calls deletes the {n(props.stored - pending)} oldest of the{' '}
          {n(props.stored)} calls stored, from every tab.{' '}
          <button
            type="button"
            data-testid="retention-apply"
            onClick={() => {
              props.save(pending);
              setPending(null);
            }}
          >
            Delete them and keep {n(pending)}
          </button>{' '}
          <button
            type="button"
            data-testid="retention-cancel"
            onClick={() => {
              setPending(null);
              setText(String(props.value));
            }}
          >
            Cancel
          </button>
        </div>
      )}
    </div>
  );
}

function SettingsForm({
  settings,
  stored,
  save,
  error,
}: {
  settings: Settings;
  stored: number;
  save: (patch: Partial<Settings>) => void;
  error: string | null;
}) {
  return (
    <fieldset class="settings" data-testid="settings">
      <legend>Settings</legend>
      {error && (
        <p class="field-error" role="alert" data-testid="settings-error">
          {error}
        </p>
      )}
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
      <CaptureOnField settings={settings} save={save} />
      <label>
        Sites where capture is off (one host per line)
        <textarea
          data-testid="setting-disabled-sites"
          rows={3}
          value={settings.disabledSites.join('\n')}
          onChange={(e) => save({ disabledSites: lines(e.currentTarget.value).map((h) => h.toLowerCase()) })}
        />
      </label>
      <RetentionField
        key={settings.retention}
        value={settings.retention}
        stored={stored}
        save={(retention) => save({ retention })}
      />
      <p class="note" data-testid="redact-always">
        Always redacted (value replaced, name and length kept): {ALWAYS_REDACTED.join(', ')}.
      </p>
      <label>
        Header names to redact (one per line)
        <textarea
          data-testid="setting-redact"
          rows={3}
          value={settings.redactHeaders.join('\n')}
          onChange={(e) => save({ redactHeaders: lines(e.currentTarget.value).map((h) => h.toLowerCase()) })}
        />
      </label>
      <label>
        URL parameters to redact (one per line; query and fragment)
        <textarea
          data-testid="setting-redact-params"
          rows={4}
          value={settings.redactParams.join('\n')}
          onChange={(e) => save({ redactParams: lines(e.currentTarget.value).map((h) => h.toLowerCase()) })}
        />
      </label>
      <p class="note">The lists apply to calls captured from now on, and to every export and imported HAR.</p>
    </fieldset>
  );
}

/**
 * "Capture on": all sites, or only calls to the listed hosts (each with its subdomains and every port). With
 * a list, the browser hands CORScope no other request at all.
 */
function CaptureOnField({
  settings,
  save,
}: {
  settings: Settings;
  save: (patch: Partial<Settings>) => void;
}) {
  const [notHosts, setNotHosts] = useState<string[]>([]);
  const listed = settings.captureOn === 'listed';
  return (
    <fieldset class="capture-on" data-testid="capture-on">
      <legend>Capture on</legend>
      <label>
        <input
          type="radio"
          name="capture-on"
          data-testid="capture-on-all"
          checked={!listed}
          onChange={() => save({ captureOn: 'all' })}
        />
        All sites
      </label>
      <label>
        <input
          type="radio"
          name="capture-on"
          data-testid="capture-on-listed"
          checked={listed}
          onChange={() => save({ captureOn: 'listed' })}
        />
        Only calls to these sites (one host per line; each covers its subdomains and every port)
      </label>
      <textarea
        aria-label="Sites capture is on"
        data-testid="setting-capture-sites"
        rows={3}
        value={settings.captureSites.join('\n')}
        onChange={(e) => {
          const entries = lines(e.currentTarget.value);
          setNotHosts(entries.filter((l) => siteHost(l) === null));
          save({ captureSites: [...new Set(entries.flatMap((l) => siteHost(l) ?? []))] });
        }}
      />
      {notHosts.length > 0 && (
        <p class="field-error" role="alert" data-testid="capture-sites-error">
          Not a host name, left out: {notHosts.join(', ')}
        </p>
      )}
      {listed && (
        <p class="note">Requests to other sites never reach CORScope: the browser does not hand them over.</p>
      )}
    </fieldset>
  );
}

/** Calls no open tab shows: those of no tab (service workers, …) and of closed tabs. */
function OtherCalls(props: {
  tabs: TabSummary[];
  onExport: (tabId: number) => void;
  onClear: (tabId: number) => void;
}) {
  if (!props.tabs.length) return null;
  return (
    <div data-testid="other-calls">
      <h3>Other calls</h3>
      <ul class="other-calls">
        {props.tabs.map((t) => (
          <li key={t.tabId} data-testid={t.tabId === NO_TAB ? 'no-tab' : 'closed-tab'}>
            <span>
              {t.tabId === NO_TAB ? 'No tab (service workers, …)' : `Closed tab ${t.tabId}`}: {t.initiator}
            </span>{' '}
            <span class="muted">
              {n(t.calls)} {t.calls === 1 ? 'call' : 'calls'}
              {t.blocked ? `, ${n(t.blocked)} blocked` : ''}
            </span>{' '}
            <button type="button" data-testid="other-export" onClick={() => props.onExport(t.tabId)}>
              Export HAR
            </button>{' '}
            <button type="button" data-testid="other-clear" onClick={() => props.onClear(t.tabId)}>
              Clear
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** "Clear all tabs", with a confirmation that says how much goes. */
function ClearAll({ stored, clear }: { stored: number; clear: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" data-testid="clear-all" onClick={() => setAsking(true)}>
        Clear all tabs
      </button>
    );
  return (
    <span class="confirm" role="alert" data-testid="clear-all-confirm">
      Delete all {n(stored)} calls, of every tab?{' '}
      <button
        type="button"
        data-testid="clear-all-yes"
        onClick={() => {
          setAsking(false);
          clear();
        }}
      >
        Delete all
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function PopupApp({
  tabId,
  source,
  commands,
  download = downloadFile,
  theme,
  openTabs = null,
  pageUrl = null,
}: PopupAppProps) {
  const rows = useRows(source, tabId);
  const [settings, updateSettings, settingsError] = useSettings(commands);
  const status = useStatus(commands);
  const tabs = useTabs(source);
  const [exporting, runExport] = useExport(download);
  const stats = useMemo(() => tabStats(rows), [rows]);
  const others = useMemo(
    () =>
      tabs.filter(
        (t) =>
          t.tabId !== tabId && (t.tabId === NO_TAB || (openTabs !== null && !openTabs.includes(t.tabId))),
      ),
    [tabs, tabId, openTabs],
  );
  // The calls stored, live from the store (the background's count comes with its status, a moment later).
  const stored = tabs.length ? tabs.reduce((sum, t) => sum + t.calls, 0) : (status?.stored ?? 0);

  /** One tab's export, or all tabs' (tabId undefined). */
  const onExport = (format: ExportFormat, tab?: number) =>
    runExport(commands, format, tab === NO_TAB ? 'no-tab' : tab, tab);

  return (
    <div class={`corscope popup theme-${theme ?? 'auto'}`} data-testid="popup">
      <StoreStatus status={status} />
      {tabId !== null && <CaptureScope settings={settings} pageUrl={pageUrl} />}
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
          {stats.localNetwork > 0 && (
            <p data-testid="lna-count">
              <span class="badge lna">LNA</span> {n(stats.localNetwork)}{' '}
              {stats.localNetwork === 1 ? 'call' : 'calls'} stopped by Local Network Access before CORS: no
              header fixes {stats.localNetwork === 1 ? 'it' : 'them'}
            </p>
          )}
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
      <OtherCalls tabs={others} onExport={(t) => onExport('har', t)} onClear={(t) => commands.clear(t)} />
      <div class="actions">
        <button type="button" data-testid="export-all" onClick={() => onExport('har')}>
          Export all tabs (HAR)
        </button>
        <ClearAll stored={stored} clear={() => void commands.clear()} />
      </div>
      <ExportStatus state={exporting} />
      {settings && (
        <SettingsForm
          settings={settings}
          stored={stored}
          save={(p) => void updateSettings(p)}
          error={settingsError}
        />
      )}
    </div>
  );
}

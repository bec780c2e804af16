// Hooks over the data interfaces: live rows for a tab, the settings.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { StoredExchange } from '../store/row';
import { exportFilename } from './io';
import type {
  Commands,
  ExportFormat,
  PanelSource,
  RowSummary,
  Settings,
  StatusResponse,
  TabSummary,
} from './model';

/** The tab's rows, live: every delivery replaces the list (a clear delivers a shorter one). */
export function useRows(source: PanelSource, tabId: number | null): RowSummary[] {
  const [rows, setRows] = useState<RowSummary[]>([]);
  useEffect(() => {
    setRows([]);
    if (tabId === null) return;
    return source.subscribe(tabId, setRows);
  }, [source, tabId]);
  return rows;
}

/** The full stored row for a seq (undefined while loading or when gone). */
export function useRow(source: PanelSource, seq: number | null): StoredExchange | undefined {
  const [row, setRow] = useState<StoredExchange | undefined>(undefined);
  useEffect(() => {
    let live = true;
    setRow(undefined);
    if (seq !== null) source.load(seq).then((r) => live && setRow(r));
    return () => {
      live = false;
    };
  }, [source, seq]);
  return row;
}

/**
 * The settings, a function that saves a patch and takes what the background returns, and the last save's
 * error. A save the background refuses keeps the settings as they were (the form never disappears).
 */
export function useSettings(
  commands: Commands,
): [Settings | null, (patch: Partial<Settings>) => Promise<void>, string | null] {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    commands.getSettings().then((s) => live && setSettings(s));
    return () => {
      live = false;
    };
  }, [commands]);
  const update = useCallback(
    async (patch: Partial<Settings>) => {
      let before: Settings | null = null;
      setSettings((s) => {
        before = s;
        return s ? { ...s, ...patch } : s;
      });
      try {
        const saved = await commands.setSettings(patch);
        if (!saved || typeof saved !== 'object') throw new Error('the settings were not saved');
        setSettings(saved);
        setError(null);
      } catch (e) {
        setSettings(before);
        setError(`Not saved: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    [commands],
  );
  return [settings, update, error];
}

/** The store's status, asked again every `everyMs` while the page is open (it lives in the background). */
export function useStatus(commands: Commands, everyMs = 2000): StatusResponse | null {
  const [status, setStatus] = useState<StatusResponse | null>(null);
  useEffect(() => {
    let live = true;
    const ask = () =>
      commands.status().then(
        (s) => live && s && setStatus(s),
        () => {},
      );
    void ask();
    const timer = setInterval(ask, everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [commands, everyMs]);
  return status;
}

/** Every tab id that holds calls, live. */
export function useTabs(source: PanelSource): TabSummary[] {
  const [tabs, setTabs] = useState<TabSummary[]>([]);
  useEffect(() => source.tabs(setTabs), [source]);
  return tabs;
}

export interface ExportState {
  /** Rows written so far, of how many; null when no export runs. */
  progress: { done: number; total: number } | null;
  error: string | null;
}

/**
 * Runs exports one at a time: progress while one runs, a clear error when one fails, the file handed to
 * `save` when it is done.
 */
export function useExport(
  save: (filename: string, data: Blob) => void,
): [
  ExportState,
  (
    commands: Commands,
    format: ExportFormat,
    tab: number | string | undefined,
    tabId?: number,
  ) => Promise<void>,
] {
  const [state, setState] = useState<ExportState>({ progress: null, error: null });
  const run = useCallback(
    async (commands: Commands, format: ExportFormat, scope: number | string | undefined, tabId?: number) => {
      setState({ progress: { done: 0, total: 0 }, error: null });
      try {
        const blob = await commands.exportFile(format, tabId, (done, total) =>
          setState({ progress: { done, total }, error: null }),
        );
        save(exportFilename(scope, format), blob);
        setState({ progress: null, error: null });
      } catch (e) {
        setState({ progress: null, error: `Export failed: ${e instanceof Error ? e.message : String(e)}` });
      }
    },
    [save],
  );
  return [state, run];
}

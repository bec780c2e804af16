// Hooks over the data interfaces: live rows for a tab, the settings.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { StoredExchange } from '../capture/types';
import type { Commands, PanelSource, RowSummary, Settings } from './model';

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

/** The settings, and a function that saves a patch and takes what the background returns. */
export function useSettings(
  commands: Commands,
): [Settings | null, (patch: Partial<Settings>) => Promise<void>] {
  const [settings, setSettings] = useState<Settings | null>(null);
  useEffect(() => {
    let live = true;
    commands.getSettings().then((s) => live && setSettings(s));
    return () => {
      live = false;
    };
  }, [commands]);
  const update = useCallback(
    async (patch: Partial<Settings>) => {
      setSettings((s) => (s ? { ...s, ...patch } : s));
      setSettings(await commands.setSettings(patch));
    },
    [commands],
  );
  return [settings, update];
}

/** When capture began listening, asked once of the background (null until known, or when unknown). */
export function useCaptureStart(commands: Commands): number | null {
  const [at, setAt] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    commands.captureStartedAt?.().then(
      (t) => live && setAt(t),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [commands]);
  return at;
}

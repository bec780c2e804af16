// The toolbar badge of each tab: how many of the calls stored for the tab were blocked, so a user sees that
// CORS failed without opening DevTools. Empty when none; counted as calls are stored, reset when the tab's
// log is cleared (a new page, or the user's Clear). The browser is told at most once per BADGE_MS per tab.
import type { StoredExchange } from '../store/row';

/** What the badge needs of the browser (action.setBadgeText, per tab). */
export interface BadgePort {
  setText(tabId: number, text: string): void;
}

/** The timer the badge batches its updates with. */
export interface BadgeTimer {
  setTimeout(fn: () => void, ms: number): unknown;
}

/** How long a tab's count may change before the browser is told: a page blocked by the hundred costs one call. */
export const BADGE_MS = 150;

/** The badge's words for a count: none for 0, at most four characters. */
export function badgeText(blocked: number): string {
  return blocked <= 0 ? '' : blocked > 999 ? '999+' : String(blocked);
}

export class BlockedBadge {
  private readonly counts = new Map<number, number>();
  /** Tabs whose count changed since the browser was last told. */
  private readonly changed = new Set<number>();
  private timer: unknown = null;

  constructor(
    private readonly port: BadgePort,
    private readonly timers: BadgeTimer,
  ) {}

  /** The counts of the calls stored before this worker started (a stopped worker's successor goes on). */
  load(counts: ReadonlyMap<number, number>): void {
    for (const [tabId, n] of counts) if (tabId >= 0) this.counts.set(tabId, n);
  }

  /** How many blocked calls the tab has, as the badge says. */
  count(tabId: number): number {
    return this.counts.get(tabId) ?? 0;
  }

  /** A row is stored. */
  stored(row: StoredExchange): void {
    if (row.verdict !== 'blocked' || row.tabId < 0) return;
    this.counts.set(row.tabId, (this.counts.get(row.tabId) ?? 0) + 1);
    this.changed.add(row.tabId);
    if (this.timer === null) this.timer = this.timers.setTimeout(() => this.tell(), BADGE_MS);
  }

  /** A tab's log was cleared (every tab's when undefined): its badge empties at once. */
  cleared(tabId?: number): void {
    const tabs = tabId === undefined ? [...this.counts.keys()] : [tabId];
    for (const t of tabs) {
      const had = this.counts.delete(t);
      this.changed.delete(t);
      if (had && t >= 0) this.port.setText(t, '');
    }
  }

  /** A tab closed: the browser drops its badge with it. */
  closed(tabId: number): void {
    this.counts.delete(tabId);
    this.changed.delete(tabId);
  }

  private tell(): void {
    this.timer = null;
    for (const t of this.changed) this.port.setText(t, badgeText(this.counts.get(t) ?? 0));
    this.changed.clear();
  }
}

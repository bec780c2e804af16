// A windowed list with a fixed row height: only the rows in view (and a few around them) are in the DOM.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface Column<T> {
  title: string;
  cell: (item: T) => ComponentChildren;
  /** Tooltip for a cell whose text may be cut. */
  tip?: (item: T) => string;
}

export interface VirtualListProps<T extends { seq: number }> {
  items: readonly T[];
  rowHeight: number;
  /** The seq of the selected item, or null. */
  selected: number | null;
  onSelect: (seq: number) => void;
  /** Enter, or a click: show the item's details. */
  onOpen: (seq: number) => void;
  columns: Column<T>[];
  /** Rows rendered above and below the visible ones. */
  overscan?: number;
  /** Viewport height to assume until the element has been measured (and where layout gives 0). */
  height?: number;
  label?: string;
  class?: string;
}

export function VirtualList<T extends { seq: number }>(props: VirtualListProps<T>) {
  const { items, rowHeight, selected, overscan = 8 } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(props.height ?? 600);
  const atBottom = useRef(true);

  // Measure the viewport, and again when it resizes.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      if (el.clientHeight > 0) setViewport(el.clientHeight);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Follow new rows while the list is scrolled to the bottom, like the Network panel.
  useEffect(() => {
    const el = ref.current;
    if (el && atBottom.current && items.length * rowHeight > viewport) {
      el.scrollTop = items.length * rowHeight - viewport;
      setScrollTop(el.scrollTop);
    }
  }, [items.length, rowHeight, viewport]);

  const total = items.length * rowHeight;
  // A shorter list (a filter, a clear) leaves the old scroll position past its end.
  const top = Math.min(scrollTop, Math.max(0, total - viewport));
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((top + viewport) / rowHeight) + overscan);

  const scrollTo = (y: number) => {
    const el = ref.current;
    y = Math.max(0, Math.min(y, total - viewport));
    if (el) el.scrollTop = y;
    setScrollTop(y);
    atBottom.current = y + viewport >= total - 1;
  };

  const moveTo = (index: number) => {
    if (!items.length) return;
    index = Math.max(0, Math.min(items.length - 1, index));
    props.onSelect(items[index]!.seq);
    const y = index * rowHeight;
    if (y < top) scrollTo(y);
    else if (y + rowHeight > top + viewport) scrollTo(y + rowHeight - viewport);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const index = selected === null ? -1 : items.findIndex((r) => r.seq === selected);
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const moves: Record<string, () => number> = {
      ArrowDown: () => (index < 0 ? 0 : index + 1),
      ArrowUp: () => (index < 0 ? 0 : index - 1),
      PageDown: () => index + page,
      PageUp: () => index - page,
      Home: () => 0,
      End: () => items.length - 1,
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      moveTo(move());
    } else if (e.key === 'Enter' && index >= 0) {
      e.preventDefault();
      props.onOpen(selected!);
    }
  };

  const rows = [];
  for (let i = first; i < last; i++) {
    const item = items[i]!;
    const isSelected = item.seq === selected;
    rows.push(
      // biome-ignore lint/a11y: an ARIA grid row; the grid holds the focus and the keys (aria-activedescendant).
      <div
        key={item.seq}
        id={`row-${item.seq}`}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={isSelected}
        data-testid="row"
        data-seq={item.seq}
        class={isSelected ? 'vrow selected' : 'vrow'}
        style={{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}
        onClick={() => {
          props.onSelect(item.seq);
          props.onOpen(item.seq);
        }}
      >
        {props.columns.map((c) => (
          // biome-ignore lint/a11y: a cell of the ARIA grid above.
          <span key={c.title} role="gridcell" title={c.tip?.(item)}>
            {c.cell(item)}
          </span>
        ))}
      </div>,
    );
  }

  return (
    // biome-ignore lint/a11y: a virtualized ARIA grid: a <table> cannot hold absolutely placed rows.
    <div
      role="grid"
      aria-label={props.label}
      aria-rowcount={items.length + 1}
      aria-activedescendant={selected !== null && rows.length ? `row-${selected}` : undefined}
      tabIndex={0}
      class={`vgrid ${props.class ?? ''}`}
      onKeyDown={onKeyDown}
    >
      {/* biome-ignore lint/a11y: the grid's header row. */}
      <div class="vrow vhead" role="row" aria-rowindex={1}>
        {props.columns.map((c) => (
          // biome-ignore lint/a11y: a header cell of the grid.
          <span key={c.title} role="columnheader">
            {c.title}
          </span>
        ))}
      </div>
      <div
        ref={ref}
        data-testid="list"
        class="vlist"
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          setScrollTop(el.scrollTop);
          atBottom.current = el.scrollTop + viewport >= total - 1;
        }}
      >
        <div class="vlist-spacer" style={{ height: `${total}px` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}

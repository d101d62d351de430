// A list of fixed-height rows that renders only the rows in view (plus some overscan) inside
// its own scroll container, so folders of any size render at once.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

interface Props {
  count: number;
  rowHeight: number;
  overscan?: number;
  /** Scrolls back to the top when this changes (a new filter or sort order). */
  resetKey?: string;
  renderRow: (index: number, top: number) => ComponentChildren;
  /** Told the rows rendered (those in view and the overscan), [first, last), when they change. */
  onRange?: (first: number, last: number) => void;
  empty?: ComponentChildren;
  testId?: string;
}

export function VirtualList({ count, rowHeight, overscan = 8, resetKey, renderRow, onRange, empty, testId }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    setHeight(el.clientHeight || 800);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 800));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // In the same commit as the rows it is for: a scroll made once they show must not be undone.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && el.scrollTop !== 0) el.scrollTop = 0;
    setScrollTop(0);
  }, [resetKey]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const range = useRef(onRange);
  range.current = onRange;
  useEffect(() => range.current?.(first, last), [first, last]);
  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(i, i * rowHeight));

  return (
    <div
      class="vlist"
      ref={ref}
      data-testid={testId}
      role="rowgroup"
      onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
    >
      {count === 0 ? (
        empty
      ) : (
        <div class="vlist-inner" style={{ height: `${count * rowHeight}px` }}>
          {rows}
        </div>
      )}
    </div>
  );
}

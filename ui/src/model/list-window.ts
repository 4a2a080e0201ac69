/**
 * Which items of a long list of equal-height rows to put in the DOM: those the scroller
 * shows plus a margin each side, so scrolling a little never uncovers an empty gap.
 */
export interface ListWindowInput {
  /** Rows in the list. */
  count: number;
  /** One row's height plus the gap below it, in px; at least 1. */
  pitch: number;
  /** The list's top edge relative to the scroller's visible top (negative once scrolled past). */
  listTop: number;
  /** The scroller's visible height. */
  viewportHeight: number;
  /** Rows kept beyond each edge of the visible part. */
  overscan: number;
}

export interface ListWindow {
  /** First row in the DOM. */
  first: number;
  /** One past the last row in the DOM (`first` when nothing shows). */
  end: number;
}

export function buildListWindow({ count, pitch, listTop, viewportHeight, overscan }: ListWindowInput): ListWindow {
  if (count <= 0) return { first: 0, end: 0 };
  const step = Math.max(1, pitch);
  const visibleTop = Math.max(0, -listTop);
  const visibleBottom = Math.max(visibleTop, viewportHeight - listTop);
  const first = Math.min(count, Math.max(0, Math.floor(visibleTop / step) - overscan));
  const end = Math.min(count, Math.max(first, Math.ceil(visibleBottom / step) + overscan));
  return { first, end };
}

/** The scroll offset change that brings row `index` fully into view (0 when it already is). */
export function scrollDeltaToShow(index: number, pitch: number, listTop: number, viewportHeight: number): number {
  const top = listTop + index * pitch;
  const bottom = top + pitch;
  if (top < 0) return top;
  if (bottom > viewportHeight) return Math.min(top, bottom - viewportHeight);
  return 0;
}

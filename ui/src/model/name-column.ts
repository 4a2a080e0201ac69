/**
 * Width of the waterfall's name column when the user drags its edge: deep traces need a
 * wide one for their names, wide timelines a narrow one. The choice is kept for the next
 * traces (localStorage), within what leaves both columns usable.
 */

export const MIN_NAME_WIDTH = 160;
/** The timeline keeps at least this much. */
export const MIN_TIMELINE_WIDTH = 200;
/** Arrow keys on the column's edge move it by this much. */
export const NAME_WIDTH_STEP = 16;

const STORAGE_KEY = 'threadline.nameColumnWidth';

/** `width` within the bounds for a waterfall `total` px wide (the minimum wins when it is too narrow for both). */
export function clampNameWidth(width: number, total: number): number {
  return Math.round(Math.max(MIN_NAME_WIDTH, Math.min(width, total - MIN_TIMELINE_WIDTH)));
}

/** The width chosen before, or null for the default layout. */
export function storedNameWidth(): number | null {
  try {
    const value = Number(localStorage.getItem(STORAGE_KEY));
    return Number.isFinite(value) && value >= MIN_NAME_WIDTH ? value : null;
  } catch {
    // Storage can be disabled (privacy settings): the width then lasts for the page.
    return null;
  }
}

/** Keeps the width for the next traces; null returns to the default layout. */
export function storeNameWidth(width: number | null): void {
  try {
    if (width === null) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, String(width));
  } catch {
    // Not kept, but still applied on this page.
  }
}

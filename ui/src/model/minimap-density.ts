/**
 * The minimap of a trace with more rows than the minimap has pixel lines: a density
 * image. Each pixel line stands for a band of consecutive rows; a cell counts how many
 * of the band's spans are running at that x, and whether one of them failed. Per band
 * the spans are added as +1/−1 at their pixel edges and summed once, so the cost is
 * rows + pixels, not rows × pixels.
 */
import type { RowTimes } from './row-times';

export interface DensityGrid {
  readonly width: number;
  readonly height: number;
  /** Spans covering each cell, row-major. */
  readonly counts: Uint32Array;
  /** 1 where a failed span covers the cell. */
  readonly errors: Uint8Array;
  readonly maxCount: number;
}

export function buildDensityGrid(times: RowTimes, failed: (row: number) => boolean, rowCount: number, width: number, height: number): DensityGrid {
  const diff = new Int32Array((width + 1) * height);
  const errorDiff = new Int32Array((width + 1) * height);
  const range = times.max - times.min || 1;
  for (let i = 0; i < rowCount; i++) {
    const y = Math.min(height - 1, Math.floor((i * height) / rowCount));
    const x0 = Math.min(width - 1, Math.max(0, Math.floor(((times.start[i]! - times.min) / range) * width)));
    const x1 = Math.min(width - 1, Math.max(x0, Math.floor(((times.end[i]! - times.min) / range) * width)));
    const line = y * (width + 1);
    diff[line + x0]!++;
    diff[line + x1 + 1]!--;
    if (failed(i)) {
      errorDiff[line + x0]!++;
      errorDiff[line + x1 + 1]!--;
    }
  }
  const counts = new Uint32Array(width * height);
  const errors = new Uint8Array(width * height);
  let maxCount = 0;
  for (let y = 0; y < height; y++) {
    let running = 0;
    let runningErrors = 0;
    for (let x = 0; x < width; x++) {
      running += diff[y * (width + 1) + x]!;
      runningErrors += errorDiff[y * (width + 1) + x]!;
      counts[y * width + x] = running;
      errors[y * width + x] = runningErrors > 0 ? 1 : 0;
      if (running > maxCount) maxCount = running;
    }
  }
  return { width, height, counts, errors, maxCount };
}

/** 0…1 opacity of a cell: logarithmic, so a lone span stays visible beside a band of thousands. */
export function densityAlpha(count: number, maxCount: number): number {
  if (count <= 0) return 0;
  return 0.25 + 0.75 * (Math.log1p(count) / Math.log1p(Math.max(maxCount, 1)));
}

import { describe, expect, it } from 'vitest';
import {
  boxOfCells,
  cellRangeFromBox,
  cellsOfSelection,
  countCells,
  maxCellCount,
  selectionOfCells,
  type HeatmapGrid,
} from './heatmap-selection';

const MIN = 60_000_000_000n;
const T0 = 1_712_345_640_000_000_000n;

/** 4 one-minute columns × 3 latency rows: [1ms, 2ms), [2ms, 4ms), [4ms, 8ms). counts[column][row]. */
const grid: HeatmapGrid = {
  timeStartsNs: [T0, T0 + MIN, T0 + 2n * MIN, T0 + 3n * MIN],
  timeBucketNs: MIN,
  latencyBuckets: [
    { lowNs: 1_000_000, highNs: 1_999_999 },
    { lowNs: 2_000_000, highNs: 3_999_999 },
    { lowNs: 4_000_000, highNs: 7_999_999 },
  ],
  counts: [
    [5, 1, 0],
    [7, 0, 2],
    [3, 4, 1],
    [0, 0, 9],
  ],
  errorCounts: [
    [0, 1, 0],
    [1, 0, 2],
    [0, 0, 0],
    [0, 0, 3],
  ],
};

describe('heatmap selection', () => {
  it('snaps a dragged box to whole cells; the top of the plot is the slowest row', () => {
    // From x 30% to 70%, y 10% (near the top) to 60%.
    expect(cellRangeFromBox({ x0: 0.3, y0: 0.1, x1: 0.7, y1: 0.6 }, 4, 3)).toEqual({ col0: 1, col1: 2, row0: 1, row1: 2 });
    // Dragged the other way round: the same cells.
    expect(cellRangeFromBox({ x0: 0.7, y0: 0.6, x1: 0.3, y1: 0.1 }, 4, 3)).toEqual({ col0: 1, col1: 2, row0: 1, row1: 2 });
    // A click is one cell; outside the plot clamps to its edge.
    expect(cellRangeFromBox({ x0: 0.9, y0: 0.95, x1: 0.9, y1: 0.95 }, 4, 3)).toEqual({ col0: 3, col1: 3, row0: 0, row1: 0 });
    expect(cellRangeFromBox({ x0: -0.5, y0: -1, x1: 2, y1: 2 }, 4, 3)).toEqual({ col0: 0, col1: 3, row0: 0, row1: 2 });
  });

  it('turns cells into the exact span query bounds: start times and durations, both ends included', () => {
    expect(selectionOfCells({ col0: 1, col1: 2, row0: 1, row1: 2 }, grid)).toEqual({
      startNs: (T0 + MIN).toString(),
      endNs: (T0 + 3n * MIN - 1n).toString(),
      minNs: '2000000',
      maxNs: '7999999',
    });
  });

  it('counts the spans and failed spans the cells hold', () => {
    expect(countCells({ col0: 1, col1: 2, row0: 1, row1: 2 }, grid)).toEqual({ count: 7, errorCount: 2 });
    expect(countCells({ col0: 0, col1: 3, row0: 0, row1: 2 }, grid)).toEqual({ count: 32, errorCount: 7 });
    expect(maxCellCount(grid.counts)).toBe(9);
  });

  it('finds the cells of a selection again (a link), also one made on other data', () => {
    const range = { col0: 1, col1: 2, row0: 1, row1: 2 };
    expect(cellsOfSelection(selectionOfCells(range, grid), grid)).toEqual(range);
    // Bounds inside cells still mark the cells they touch.
    expect(cellsOfSelection({ startNs: (T0 + 30n * 1_000_000_000n).toString(), endNs: (T0 + MIN).toString(), minNs: '1500000', maxNs: '1600000' }, grid)).toEqual({
      col0: 0,
      col1: 1,
      row0: 0,
      row1: 0,
    });
    expect(cellsOfSelection({ startNs: '1', endNs: '2', minNs: '1', maxNs: '2' }, grid)).toBeNull();
  });

  it('draws the cells as a box in plot fractions', () => {
    expect(boxOfCells({ col0: 1, col1: 2, row0: 1, row1: 2 }, 4, 3)).toEqual({ x0: 0.25, x1: 0.75, y0: 0, y1: 1 - 1 / 3 });
    const box = boxOfCells({ col0: 0, col1: 0, row0: 0, row1: 0 }, 4, 3);
    expect(cellRangeFromBox({ x0: box.x0 + 0.01, y0: box.y0 + 0.01, x1: box.x1 - 0.01, y1: box.y1 - 0.01 }, 4, 3)).toEqual({ col0: 0, col1: 0, row0: 0, row1: 0 });
  });
});

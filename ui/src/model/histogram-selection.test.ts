import { describe, expect, it } from 'vitest';
import { bucketRangeFromFractions, bucketsOfSelection, countBuckets, histogramSelection, type HistogramBucket } from './histogram-selection';

const buckets: HistogramBucket[] = [
  { lowNs: 0, highNs: 0, count: 2, errorCount: 0 },
  { lowNs: 1_003, highNs: 1_084, count: 17, errorCount: 1 },
  { lowNs: 1_085, highNs: 1_172, count: 5, errorCount: 0 },
  { lowNs: 1_173, highNs: 1_267, count: 1, errorCount: 1 },
];
const window = { startNs: '1712345640000000000', endNs: '1712349239999999999' };

describe('histogram selection', () => {
  it('turns a dragged range into whole bars', () => {
    expect(bucketRangeFromFractions(0.3, 0.6, 4)).toEqual([1, 2]);
    expect(bucketRangeFromFractions(0.9, 0.1, 4)).toEqual([0, 3]);
    expect(bucketRangeFromFractions(0.6, 0.6, 4)).toEqual([2, 2]);
  });

  it('selects the bars\' exact bounds over the whole window', () => {
    expect(histogramSelection(1, 2, buckets, window)).toEqual({ ...window, minNs: '1003', maxNs: '1172' });
    expect(countBuckets(1, 2, buckets)).toEqual({ count: 22, errorCount: 1 });
    expect(countBuckets(0, 3, buckets)).toEqual({ count: 25, errorCount: 2 });
  });

  it('finds the bars of a selection again', () => {
    expect(bucketsOfSelection(histogramSelection(1, 3, buckets, window), buckets)).toEqual([1, 3]);
    expect(bucketsOfSelection({ ...window, minNs: '1100', maxNs: '1100' }, buckets)).toEqual([2, 2]);
    expect(bucketsOfSelection({ ...window, minNs: '5000', maxNs: '6000' }, buckets)).toBeNull();
  });
});

/**
 * The p99 trend line in the operations table: an SVG path through a series with gaps
 * where a bucket had no span (no line is drawn across missing data).
 */

export interface SparklineBox {
  readonly width: number;
  readonly height: number;
  /** Room kept at every edge so the stroke is not clipped. */
  readonly padding: number;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * `M x y L x y …`, a new `M` after every gap; an isolated point becomes a zero-length
 * segment (drawn as a dot with round line caps). Empty when there is no value at all.
 * The y range is the series' own min…max (flat series sit in the middle).
 */
export function buildSparklinePath(values: ReadonlyArray<number | null>, box: SparklineBox): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return '';
  const min = Math.min(...present);
  const max = Math.max(...present);
  const innerW = box.width - 2 * box.padding;
  const innerH = box.height - 2 * box.padding;
  const x = (i: number): number => box.padding + (values.length === 1 ? innerW / 2 : (i / (values.length - 1)) * innerW);
  const y = (v: number): number => box.padding + (max === min ? innerH / 2 : (1 - (v - min) / (max - min)) * innerH);
  const parts: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    if (run.length === 1) run.push(run[0]!);
    if (run.length > 0) parts.push(`M${run.join('L')}`);
    run = [];
  };
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) flush();
    else run.push(`${round(x(i))} ${round(y(v))}`);
  });
  flush();
  return parts.join('');
}

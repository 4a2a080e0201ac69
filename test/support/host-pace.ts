/**
 * How fast this machine runs JavaScript right now: the time a fixed workload takes (median of
 * three). A shared 2-core host swings by half within an hour (bench:ui's 1,000-span trace,
 * which no change of a session moved, painted at 309–348 ms in one hour and 522–581 ms in
 * another), and a benchmark figure means little without the pace it was measured at.
 */

/** The workload: build, serialize, parse and sort 100k small records (the kind of work the page and the collector do). */
export function paceWorkload(): number {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
  const records = Array.from({ length: 100_000 }, (_, i) => ({ id: i.toString(16).padStart(16, '0'), start: random(), name: `op-${random() % 200}` }));
  const parsed = JSON.parse(JSON.stringify(records)) as typeof records;
  parsed.sort((a, b) => a.start - b.start || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let checksum = 0;
  for (let i = 0; i < parsed.length; i += 997) checksum = (checksum * 31 + parsed[i]!.start) % 1_000_000_007;
  return checksum;
}

/** Milliseconds the workload takes on this machine now: the median of three after one untimed run. */
export function hostPaceMs(): number {
  paceWorkload();
  const times = [0, 1, 2].map(() => {
    const started = performance.now();
    paceWorkload();
    return performance.now() - started;
  });
  return times.sort((a, b) => a - b)[1]!;
}

/** The pace before a benchmark's first measurement and after its last. */
export interface HostPace {
  startMs: number;
  endMs: number;
}

/** The pace as a benchmark's report gives it beside its figures (one sentence, no final stop, for the line it ends). */
export function paceSentence(pace: HostPace): string {
  const ms = (x: number) => `${Math.round(x).toLocaleString('en-US')} ms`;
  return `host pace ${ms(pace.startMs)} at the start and ${ms(pace.endMs)} at the end (the time a fixed JavaScript workload took,
\`test/support/host-pace.ts\`: lower is faster; on a shared host it moves within the hour, and the figures below with it)`;
}

import { Function as PprofFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';

export interface CpuSample {
  /** Function names, root first. */
  stack: string[];
  cpuNs: number;
  /** The pprof labels clients/go/profiling sets; none for an unlabeled sample. */
  labels?: { spanId: string; spanName: string; traceId: string };
}

/**
 * A CPU profile as Go's runtime/pprof writes it (samples/count and cpu/nanoseconds, leaf
 * location first, one function per location), encoded with pprof-format. Not gzipped.
 */
export function cpuProfile(startNs: bigint, durationNs: bigint, samples: readonly CpuSample[]): Uint8Array {
  const strings = new StringTable();
  const ids = new Map<string, number>();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const locationOf = (name: string) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(name, id);
      functions.push(new PprofFunction({ id, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup('main.go') }));
      locations.push(new Location({ id, line: [new Line({ functionId: id, line: 10 })] }));
    }
    return id;
  };
  const label = (key: string, value: string) => new Label({ key: strings.dedup(key), str: strings.dedup(value) });
  const cpu = () => new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') });
  return new Profile({
    sampleType: [new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') }), cpu()],
    sample: samples.map(
      (s) =>
        new Sample({
          locationId: [...s.stack].reverse().map(locationOf),
          value: [Math.max(1, Math.round(s.cpuNs / 10_000_000)), s.cpuNs],
          label: s.labels ? [label('span_id', s.labels.spanId), label('span_name', s.labels.spanName), label('trace_id', s.labels.traceId)] : [],
        }),
    ),
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: startNs,
    durationNanos: durationNs,
    periodType: cpu(),
    period: 10_000_000,
  }).encode();
}

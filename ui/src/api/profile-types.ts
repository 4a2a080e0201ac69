/** Go diagnostics responses (docs/api.md, "Go profiles and execution traces"). */

export interface ProfileStack {
  /** Function names, root first. */
  frames: string[];
  value: number;
}

export interface ProfileStacks {
  /** e.g. "nanoseconds" for CPU time. */
  unit: string;
  total: number;
  stacks: ProfileStack[];
}

export interface SpanCpuProfile extends ProfileStacks {
  /** The span and its in-process descendants whose samples are summed. */
  spanIds: string[];
  /** The local root or server span whose labels cover this span. */
  labeledSpanId: string;
}

export interface ProfileMarker {
  spanId: string;
  cpu: boolean;
  execTrace: boolean;
}

export interface StateTime {
  state: string;
  durationNano: number;
}

export interface BlockingStack {
  state: string;
  reason: string;
  durationNano: number;
  count: number;
  /** Leaf first, "func file:line". */
  frames: string[];
}

export interface ExecTraceSummary {
  traceId: string;
  spanId: string;
  durationNano: number;
  goroutines: number;
  startSeen: boolean;
  states: StateTime[];
  topStacks: BlockingStack[];
  hasRawTrace: boolean;
  rawTraceBytes: number;
}

export interface ProfileDiff {
  thresholdNano: string | null;
  slowSpans: number;
  slow: ProfileStacks;
  rest: ProfileStacks;
}

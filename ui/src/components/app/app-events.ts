import type { TraceFile } from '../../model/trace-file';

/** A trace file was opened and parsed in the browser. */
export class TlTraceFileEvent extends Event {
  static readonly eventName = 'tl-trace-file';
  constructor(
    readonly name: string,
    readonly file: TraceFile,
  ) {
    super(TlTraceFileEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'tl-trace-file': TlTraceFileEvent;
  }
}

/** Events of the latency and net/trace pages. */
import type { TimeWindow } from '../../model/latency-window';
import type { LatencySelection } from '../../model/operations-query';

/** A time window was chosen (a relative one, or an applied custom range). */
export class TlTimeWindowEvent extends Event {
  static readonly eventName = 'tl-time-window';
  constructor(readonly window: TimeWindow) {
    super(TlTimeWindowEvent.eventName, { bubbles: true, composed: true });
  }
}

/** A box on the heatmap or a range on the histogram was selected; null clears the selection. */
export class TlLatencySelectEvent extends Event {
  static readonly eventName = 'tl-latency-select';
  constructor(readonly selection: LatencySelection | null) {
    super(TlLatencySelectEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'tl-time-window': TlTimeWindowEvent;
    'tl-latency-select': TlLatencySelectEvent;
  }
}

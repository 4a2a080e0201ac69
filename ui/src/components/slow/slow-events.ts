import type { SlowQuery } from '../../model/slow-query';

/** The percentile search form was submitted with a valid query. */
export class TlSlowSubmitEvent extends Event {
  static readonly eventName = 'tl-slow-submit';
  constructor(readonly query: SlowQuery) {
    super(TlSlowSubmitEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'tl-slow-submit': TlSlowSubmitEvent;
  }
}

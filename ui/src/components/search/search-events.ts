import type { SearchQuery } from '../../model/search-query';

/** The search form was submitted with a valid query. */
export class TlSearchSubmitEvent extends Event {
  static readonly eventName = 'tl-search-submit';
  constructor(readonly query: SearchQuery) {
    super(TlSearchSubmitEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'tl-search-submit': TlSearchSubmitEvent;
  }
}

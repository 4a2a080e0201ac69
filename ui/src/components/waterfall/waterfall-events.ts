/** Events of the trace view: selection, details, zoom window, skew mode and find text. */
import type { SkewMode } from '../../model/route';

/** A span row was selected (click, keyboard, find); `openDetail` asks for the detail panel. */
export class TlSpanSelectEvent extends Event {
  static readonly eventName = 'tl-span-select';
  constructor(
    readonly spanId: string,
    readonly row: number,
    readonly openDetail: boolean,
  ) {
    super(TlSpanSelectEvent.eventName, { bubbles: true, composed: true });
  }
}

/** The detail panel should close (its close button, or Escape in the waterfall). */
export class TlDetailCloseEvent extends Event {
  static readonly eventName = 'tl-detail-close';
  constructor() {
    super(TlDetailCloseEvent.eventName, { bubbles: true, composed: true });
  }
}

/** The minimap's zoom window moved; fractions of the whole trace, 0 ≤ start < end ≤ 1. */
export class TlWindowChangeEvent extends Event {
  static readonly eventName = 'tl-window-change';
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    super(TlWindowChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

/** The clock-skew toggle changed between the adjusted and the raw timeline. */
export class TlSkewModeEvent extends Event {
  static readonly eventName = 'tl-skew-mode';
  constructor(readonly mode: SkewMode) {
    super(TlSkewModeEvent.eventName, { bubbles: true, composed: true });
  }
}

/** The find text changed (typed, or cleared by closing the find bar); the page keeps it in the URL. */
export class TlFindChangeEvent extends Event {
  static readonly eventName = 'tl-find-change';
  constructor(readonly text: string) {
    super(TlFindChangeEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'tl-span-select': TlSpanSelectEvent;
    'tl-detail-close': TlDetailCloseEvent;
    'tl-window-change': TlWindowChangeEvent;
    'tl-skew-mode': TlSkewModeEvent;
    'tl-find-change': TlFindChangeEvent;
  }
}

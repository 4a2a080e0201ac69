import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { TraceSearchHit } from '../../api/wire-types';
import { buildListWindow, scrollDeltaToShow, type ListWindow } from '../../model/list-window';
import { formatDuration } from '../../model/duration';
import { formatAgo, formatTimestamp } from '../../model/format-time';
import { nanosToMillis } from '../../model/nanos';
import { tracePath } from '../../model/route';
import { operationPath } from '../../model/latency-routes';
import { controlStyles } from '../common/shared-styles';
import { serviceStyle } from '../common/service-style';

/** Cards kept in the DOM beyond each edge of the visible part of the list. */
const OVERSCAN = 6;
/** Cards rendered before the first measurement (enough to fill a tall screen). */
const FIRST_PAINT = 24;
/** The gap between cards, in px; part of the pitch the window is computed with. */
const GAP_PX = 8;

/**
 * The result list: one link per trace with a duration bar scaled to the longest trace.
 * Up to 1,500 cards: only those in the nearest scrolling ancestor's view, plus OVERSCAN on
 * each side, are in the DOM. Every card has the same height (one line each for the title,
 * the bar and the facts), so a card's place is its index times the pitch and the list's
 * full height is known without rendering it.
 *
 * Keyboard: Tab reaches the cards in the DOM; ↓/↑, Page Down/Up, Home and End move focus
 * from card to card through the whole list, scrolling the next one in. Find in page (Ctrl+F)
 * sees only the cards in the DOM: narrow the search or sort it instead.
 */
export class TlSearchResults extends LitElement {
  static override properties = { hits: { attribute: false }, nowMs: { type: Number }, range: { state: true } };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        container: results / inline-size;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        box-sizing: border-box;
      }
      /* One height for every card: the virtual window places cards by index. */
      li {
        display: flex;
        gap: 0.4rem;
        height: 5.6rem;
        margin-bottom: ${GAP_PX}px;
        overflow: hidden;
      }
      /* The whole ID is there (selecting or copying it gives all 32 digits); only 8 show. */
      .id {
        max-width: 9ch;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      a.hit {
        display: block;
        flex: 1;
        min-width: 0;
        box-sizing: border-box;
        padding: 0.6rem 0.8rem;
        border: 1px solid var(--tl-border);
        border-radius: var(--tl-radius);
        background: var(--tl-bg-raised);
        color: inherit;
        text-decoration: none;
      }
      a.hit:hover,
      a.hit:focus-visible {
        border-color: var(--tl-accent);
        background: var(--tl-bg-hover);
      }
      .top {
        display: flex;
        align-items: baseline;
        gap: 0.5rem;
      }
      .title {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        flex: 1;
        min-width: 0;
      }
      .duration {
        font-variant-numeric: tabular-nums;
        font-weight: 600;
      }
      .track {
        height: 6px;
        margin: 0.4rem 0;
        border-radius: 3px;
        background: var(--tl-bg-sunken);
        overflow: hidden;
      }
      .bar {
        height: 100%;
        border-radius: 3px;
        background: light-dark(var(--svc-l), var(--svc-d));
      }
      .meta {
        display: flex;
        align-items: center;
        gap: 0.9rem;
        font-size: 0.85rem;
        white-space: nowrap;
      }
      .meta > * {
        flex: none;
      }
      .meta > .services {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        display: flex;
        gap: 0.6rem;
      }
      .service {
        display: inline-flex;
        align-items: center;
        gap: 0.3em;
      }
      @container results (max-width: 560px) {
        .when .at {
          display: none;
        }
      }
      a.latency {
        flex: none;
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        gap: 0.2rem;
        width: 4.2rem;
        border: 1px solid var(--tl-border);
        border-radius: var(--tl-radius);
        background: var(--tl-bg-raised);
        font-size: 0.75rem;
        text-decoration: none;
        color: var(--tl-fg-muted);
      }
      a.latency svg {
        width: 18px;
        height: 14px;
        fill: currentColor;
      }
      a.latency:hover,
      a.latency:focus-visible {
        border-color: var(--tl-accent);
        color: var(--tl-accent);
      }
    `,
  ];

  declare hits: readonly TraceSearchHit[];
  declare nowMs: number;
  declare range: ListWindow;

  /** A card's height plus the gap, measured from a rendered card (rem-sized, so it follows the font). */
  private pitch = 0;
  private scroller: HTMLElement | null = null;
  private frame = 0;
  private readonly resizeObserver = new ResizeObserver(() => this.scheduleWindow());
  private readonly onScroll = () => this.scheduleWindow();

  constructor() {
    super();
    this.hits = [];
    this.nowMs = Date.now();
    this.range = { first: 0, end: FIRST_PAINT };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.scroller = scrollingAncestor(this);
    (this.scroller ?? window).addEventListener('scroll', this.onScroll, { passive: true });
    if (this.scroller) this.resizeObserver.observe(this.scroller);
    else window.addEventListener('resize', this.onScroll);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    (this.scroller ?? window).removeEventListener('scroll', this.onScroll);
    window.removeEventListener('resize', this.onScroll);
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.frame);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A new list (a new search or sort) starts where the scroller is, not where the old one was.
    if (changed.has('hits')) this.range = this.computeWindow();
  }

  protected override updated(): void {
    const card = this.renderRoot.querySelector('li');
    if (!card) return;
    const pitch = card.getBoundingClientRect().height + GAP_PX;
    if (Math.abs(pitch - this.pitch) > 0.5) {
      this.pitch = pitch;
      this.scheduleWindow();
    }
  }

  private scheduleWindow(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const next = this.computeWindow();
      if (next.first !== this.range.first || next.end !== this.range.end) this.range = next;
    });
  }

  /** Where the list's top is in the scroller's view, and how tall that view is. */
  private viewport(): { listTop: number; height: number } {
    const list = this.renderRoot.querySelector('ol');
    const listTop = (list ?? this).getBoundingClientRect().top;
    if (!this.scroller) return { listTop, height: window.innerHeight };
    const box = this.scroller.getBoundingClientRect();
    return { listTop: listTop - box.top - this.scroller.clientTop, height: this.scroller.clientHeight };
  }

  private computeWindow(): ListWindow {
    if (this.pitch === 0 || !this.isConnected) return { first: 0, end: Math.min(this.hits.length, FIRST_PAINT) };
    const { listTop, height } = this.viewport();
    return buildListWindow({ count: this.hits.length, pitch: this.pitch, listTop, viewportHeight: height, overscan: OVERSCAN });
  }

  /** Moves focus to card `index`, scrolling it into view and into the DOM first. */
  private async focusCard(index: number): Promise<void> {
    const target = Math.max(0, Math.min(this.hits.length - 1, index));
    if (this.pitch > 0) {
      const { listTop, height } = this.viewport();
      const delta = scrollDeltaToShow(target, this.pitch, listTop, height);
      if (delta !== 0) (this.scroller ?? document.scrollingElement)?.scrollBy({ top: delta });
      // The scroll event comes a frame later; take the new window now so the card is there to focus.
      this.range = this.computeWindow();
      await this.updateComplete;
    }
    this.renderRoot.querySelector<HTMLElement>(`a.hit[data-index="${target}"]`)?.focus();
  }

  private onKeyDown(event: KeyboardEvent): void {
    const from = Number((event.target as HTMLElement).closest('li')?.dataset['index']);
    if (!Number.isInteger(from)) return;
    const page = Math.max(1, Math.floor(this.viewport().height / Math.max(1, this.pitch)));
    const to = (
      {
        ArrowDown: from + 1,
        ArrowUp: from - 1,
        PageDown: from + page,
        PageUp: from - page,
        Home: 0,
        End: this.hits.length - 1,
      } as Record<string, number>
    )[event.key];
    if (to === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    void this.focusCard(to);
  }

  override render() {
    const longest = Math.max(...this.hits.map((h) => Number(h.durationNano)), 1);
    const { first, end } = this.range;
    const shown = this.hits.slice(first, end);
    // The full height is reserved (and the cards above the window are padding), so the
    // scrollbar and scroll offsets are those of the whole list.
    const style = this.pitch > 0 ? `height:${this.hits.length * this.pitch}px;padding-top:${first * this.pitch}px` : '';
    return html`<ol data-testid="search-results" aria-label="Traces" style=${style} @keydown=${this.onKeyDown}>
      ${repeat(
        shown,
        (hit) => hit.traceId,
        (hit, i) => this.renderCard(hit, first + i, longest),
      )}
    </ol>`;
  }

  private renderCard(hit: TraceSearchHit, index: number, longest: number) {
    const duration = Number(hit.durationNano);
    const startMs = nanosToMillis(hit.startTimeUnixNano);
    return html`<li data-index=${index} aria-posinset=${index + 1} aria-setsize=${this.hits.length}>
          <a class="hit" href=${tracePath(hit.traceId)} data-testid="search-result" data-trace-id=${hit.traceId} data-index=${index}>
            <div class="top">
              <span class="swatch" style=${serviceStyle(hit.rootService)}></span>
              <span class="title">${hit.rootService}: ${hit.rootOperation}</span>
              <span class="mono muted id" title=${hit.traceId}>${hit.traceId}</span>
              <span class="duration">${formatDuration(duration)}</span>
            </div>
            <div class="track" aria-hidden="true">
              <div class="bar" style=${`${serviceStyle(hit.rootService)};width:${Math.max((duration / longest) * 100, 0.5)}%`}></div>
            </div>
            <div class="meta">
              <span>${hit.spanCount} span${hit.spanCount === 1 ? '' : 's'}</span>
              ${hit.errorCount > 0
                ? html`<span class="badge error" data-testid="error-badge">${hit.errorCount} error${hit.errorCount === 1 ? '' : 's'}</span>`
                : nothing}
              <span class="services" title=${hit.services.join(', ')}>
                ${hit.services.map((s) => html`<span class="service"><span class="swatch" style=${serviceStyle(s)}></span>${s}</span>`)}
              </span>
              <span class="when muted" title=${formatTimestamp(startMs)}><span class="at">${formatTimestamp(startMs)} · </span>${formatAgo(startMs, this.nowMs)}</span>
            </div>
          </a>
          ${hit.rootService && hit.rootOperation
            ? html`<a
                class="latency"
                href=${operationPath(hit.rootService, hit.rootOperation)}
                data-testid="search-result-latency"
                title=${`Latency of ${hit.rootService}: ${hit.rootOperation}`}
                aria-label=${`Latency of ${hit.rootService}: ${hit.rootOperation}`}
              >
                <svg viewBox="0 0 18 14" aria-hidden="true">
                  <rect x="0" y="9" width="3" height="5"></rect>
                  <rect x="5" y="3" width="3" height="11"></rect>
                  <rect x="10" y="6" width="3" height="8"></rect>
                  <rect x="15" y="11" width="3" height="3"></rect>
                </svg>
                latency
              </a>`
            : nothing}
        </li>`;
  }
}

/** The nearest ancestor (across shadow roots) that scrolls vertically; null: the document does. */
function scrollingAncestor(element: Element): HTMLElement | null {
  for (let node: Node | null = element.parentNode; node; ) {
    if (node instanceof ShadowRoot) {
      node = node.host;
      continue;
    }
    if (node instanceof HTMLElement && node !== document.body && node !== document.documentElement) {
      const { overflowY } = getComputedStyle(node);
      if (overflowY === 'auto' || overflowY === 'scroll') return node;
    }
    node = node.parentNode;
  }
  return null;
}

customElements.define('tl-search-results', TlSearchResults);

declare global {
  interface HTMLElementTagNameMap {
    'tl-search-results': TlSearchResults;
  }
}

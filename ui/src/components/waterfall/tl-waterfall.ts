import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { collapseToDepth, revealRow, setCollapsed, toggleCollapsed, visibleRows, type CollapsedRows } from '../../model/collapse-state';
import type { SkewMode } from '../../model/route';
import { buildFindIndex, errorRows, filterRows, findRows, isEmptyFind, parseFindQuery, stepMatch } from '../../model/span-find';
import { hasChildren, maxDepth } from '../../model/span-rows';
import { buildTicks, createTimeScale, formatTick, type TimeScale } from '../../model/time-scale';
import type { Timeline, TraceView } from '../../model/trace-view';
import { clampNameWidth, NAME_WIDTH_STEP, storedNameWidth, storeNameWidth } from '../../model/name-column';
import { isTextEntry } from '../common/keyboard';
import { controlStyles } from '../common/shared-styles';
import { TlDetailCloseEvent, TlFindChangeEvent, TlSpanSelectEvent, TlWindowChangeEvent } from './waterfall-events';
import { waterfallStyles, ROW_HEIGHT, RULER_HEIGHT } from './waterfall-styles';
import { indentStep, renderSpanRow, type RowContext } from './span-row-template';
import { NO_MARKERS, type ProfileMarkers } from '../../model/profile-markers';
import './tl-minimap';
import { formatCount } from '../../model/format-count';

/** Rows rendered above and below the viewport so fast scrolling does not show gaps. */
const BUFFER_ROWS = 8;
/** Traces bigger than this open folded to LARGE_TRACE_LEVELS levels: an overview first, not row 1 of 100,000. */
const LARGE_TRACE_ROWS = 5_000;
const LARGE_TRACE_LEVELS = 4;

interface ViewWindow {
  readonly start: number;
  readonly end: number;
}

/** Enter on a focused button or link must activate it, not open span details. */
function isActivatable(target: EventTarget | undefined): boolean {
  return target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement || target instanceof HTMLInputElement;
}

/**
 * The waterfall: a flat, virtualized list of span rows (only the rows in view
 * are in the DOM, keyed by row so an element keeps showing the same span while
 * scrolling), tree folding, a zoomable time axis driven by the minimap,
 * the critical path, clock-skew marks, keyboard navigation and find-in-trace.
 */
export class TlWaterfall extends LitElement {
  static override properties = {
    view: { attribute: false },
    mode: {},
    selectedSpanId: { attribute: false },
    collapsed: { state: true },
    selectedRow: { state: true },
    zoom: { state: true },
    scrollOffset: { state: true },
    viewportHeight: { state: true },
    viewportWidth: { state: true },
    find: {},
    findOpen: { state: true },
    errorsOnly: { state: true },
    filterMode: { state: true },
    depthChoice: { state: true },
    nameWidth: { state: true },
    profileMarkers: { attribute: false },
  };

  static override styles = [controlStyles, waterfallStyles];

  declare view: TraceView;
  /** Spans with a Go CPU profile or execution trace, marked in their row. */
  declare profileMarkers: ProfileMarkers | undefined;
  declare mode: SkewMode;
  declare selectedSpanId: string | null;
  declare collapsed: CollapsedRows;
  declare selectedRow: number;
  declare zoom: ViewWindow;
  declare scrollOffset: number;
  declare viewportHeight: number;
  declare viewportWidth: number;
  /** The find text, kept in the URL (`uiFind`) by the page; typing announces a TlFindChangeEvent. */
  declare find: string;
  declare findOpen: boolean;
  declare errorsOnly: boolean;
  /** Shows only the matches and their ancestors instead of highlighting them among all rows. */
  declare filterMode: boolean;
  /** The "Show N levels" choice; `all` once anything expands everything again. */
  declare depthChoice: string;
  /** Name column width in px chosen by dragging its edge; null for the default layout. */
  declare nameWidth: number | null;

  /** Row indices in display order, and each row's position in it (-1 when folded away). */
  private visible: Int32Array = new Int32Array(0);
  private positions: Int32Array = new Int32Array(0);
  private depthLevels = 0;
  private findIndex: string[] | null = null;
  private findMatches: number[] = [];
  private matchSet: ReadonlySet<number> = new Set();
  private errors: number[] = [];
  /** The find text this element last announced; when the URL brings it back, go to the first match. */
  private typedFind: string | null = null;
  /** A row to bring into view once the next render has laid it out; a linked span is centred. */
  private pendingScrollRow = -1;
  private pendingScrollCentre = false;
  private readonly resizeObserver = new ResizeObserver(([entry]) => {
    if (!entry) return;
    this.viewportHeight = entry.contentRect.height;
    this.viewportWidth = entry.contentRect.width;
  });

  constructor() {
    super();
    this.mode = 'adjusted';
    this.selectedSpanId = null;
    this.collapsed = new Set();
    this.selectedRow = -1;
    this.zoom = { start: 0, end: 1 };
    this.scrollOffset = 0;
    this.viewportHeight = 0;
    this.viewportWidth = 0;
    this.find = '';
    this.findOpen = false;
    this.errorsOnly = false;
    this.filterMode = false;
    this.depthChoice = 'all';
    this.nameWidth = storedNameWidth();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('keydown', this.onKeyDown);
    this.resizeObserver.disconnect();
    super.disconnectedCallback();
  }

  protected override firstUpdated(): void {
    this.resizeObserver.observe(this.viewport);
  }

  private get viewport(): HTMLElement {
    return this.renderRoot.querySelector('.viewport') as HTMLElement;
  }

  private get timeline(): Timeline {
    return this.view.timelines[this.mode];
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('nameWidth')) {
      if (this.nameWidth === null) this.style.removeProperty('--name-col');
      else this.style.setProperty('--name-col', `${this.nameWidth}px`);
    }
    if (changed.has('view')) {
      this.depthLevels = maxDepth(this.view.rows) + 1;
      const large = this.view.rows.length > LARGE_TRACE_ROWS && this.depthLevels > LARGE_TRACE_LEVELS;
      this.collapsed = large ? collapseToDepth(this.view.rows, LARGE_TRACE_LEVELS) : new Set();
      this.depthChoice = large ? String(LARGE_TRACE_LEVELS) : 'all';
      this.zoom = { start: 0, end: 1 };
      this.findIndex = null;
      this.selectedRow = -1;
      this.errors = errorRows(this.view.rows);
    }
    if (changed.has('find') && this.find !== '') this.findOpen = true;
    if (changed.has('view') || changed.has('selectedSpanId')) {
      const row = this.selectedSpanId ? (this.view.rowBySpanId.get(this.selectedSpanId) ?? -1) : -1;
      const current = this.view.rows[this.selectedRow]?.node.span.spanId;
      if (current !== this.selectedSpanId || changed.has('view')) {
        this.selectedRow = row;
        if (row >= 0) {
          this.collapsed = revealRow(this.view.rows, this.collapsed, row);
          this.pendingScrollRow = row;
          this.pendingScrollCentre = true;
        }
      }
    }
    const findChanged = changed.has('view') || changed.has('find') || changed.has('errorsOnly');
    if (findChanged) this.computeMatches();
    if (findChanged || changed.has('collapsed') || changed.has('filterMode')) this.computeVisible();
    // Like a browser's find: typing (or opening a link with uiFind and no span) goes to the first match.
    if (findChanged && (this.find === this.typedFind || (changed.has('view') && this.selectedRow < 0))) {
      this.typedFind = null;
      const first = this.matchSet.has(this.selectedRow) ? undefined : stepMatch(this.findMatches, this.selectedRow, 1);
      if (first !== undefined) void this.updateComplete.then(() => this.select(first, false));
    }
  }

  protected override updated(): void {
    if (this.pendingScrollRow >= 0 && this.viewportHeight > 0) {
      this.scrollRowIntoView(this.pendingScrollRow, this.pendingScrollCentre);
      this.pendingScrollRow = -1;
      this.pendingScrollCentre = false;
    }
  }

  private get filtering(): boolean {
    return this.filterMode && this.findOpen && (this.find.trim() !== '' || this.errorsOnly);
  }

  private computeVisible(): void {
    const rows = this.view.rows;
    this.visible = this.filtering ? filterRows(rows, this.findMatches) : visibleRows(rows, this.collapsed);
    this.positions = new Int32Array(rows.length).fill(-1);
    for (let p = 0; p < this.visible.length; p++) this.positions[this.visible[p]!] = p;
  }

  private computeMatches(): void {
    const query = parseFindQuery(this.find, this.errorsOnly);
    if (isEmptyFind(query)) {
      this.findMatches = [];
    } else {
      this.findIndex ??= buildFindIndex(this.view.rows);
      this.findMatches = findRows(this.view.rows, this.findIndex, query);
    }
    this.matchSet = new Set(this.findMatches);
  }

  private scrollRowIntoView(row: number, centre: boolean): void {
    const position = this.positions[row] ?? -1;
    if (position < 0) return;
    const viewport = this.viewport;
    const top = position * ROW_HEIGHT;
    const visibleHeight = viewport.clientHeight - RULER_HEIGHT;
    if (centre) viewport.scrollTop = top - (visibleHeight - ROW_HEIGHT) / 2;
    else if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > viewport.scrollTop + visibleHeight) viewport.scrollTop = top + ROW_HEIGHT - visibleHeight;
    this.scrollOffset = viewport.scrollTop;
  }

  private select(row: number, openDetail: boolean): void {
    if (row < 0 || row >= this.view.rows.length) return;
    // In filter mode a hidden row (an error that does not match, say) is shown by leaving filter mode.
    if (this.positions[row]! < 0 && this.filtering) this.filterMode = false;
    if (this.positions[row]! < 0) this.collapsed = revealRow(this.view.rows, this.collapsed, row);
    this.selectedRow = row;
    this.pendingScrollRow = row;
    this.dispatchEvent(new TlSpanSelectEvent(this.view.rows[row]!.node.span.spanId, row, openDetail));
  }

  private moveSelection(delta: number): void {
    const count = this.visible.length;
    if (count === 0) return;
    // Without a (visible) selection, moving starts from just above the first row.
    const position = this.selectedRow >= 0 ? this.positions[this.selectedRow]! : -1;
    const next = Math.min(count - 1, Math.max(0, position + delta));
    this.select(this.visible[next]!, false);
  }

  private toggle(row: number): void {
    this.collapsed = toggleCollapsed(this.view.rows, this.collapsed, row);
  }

  private collapseOrGoToParent(): void {
    const row = this.selectedRow;
    if (row < 0) return;
    if (hasChildren(this.view.rows, row) && !this.collapsed.has(row)) {
      this.collapsed = setCollapsed(this.view.rows, this.collapsed, row, true);
    } else if (this.view.rows[row]!.parentRow >= 0) {
      this.select(this.view.rows[row]!.parentRow, false);
    }
  }

  private expandOrGoToChild(): void {
    const row = this.selectedRow;
    if (row < 0 || !hasChildren(this.view.rows, row)) return;
    if (this.collapsed.has(row)) this.collapsed = setCollapsed(this.view.rows, this.collapsed, row, false);
    else this.select(row + 1, false);
  }

  private stepFind(direction: 1 | -1): void {
    const next = stepMatch(this.findMatches, this.selectedRow, direction);
    if (next !== undefined) this.select(next, false);
  }

  private stepError(direction: 1 | -1): void {
    const next = stepMatch(this.errors, this.selectedRow, direction);
    if (next !== undefined) this.select(next, false);
  }

  private announceFind(text: string): void {
    this.typedFind = text;
    this.dispatchEvent(new TlFindChangeEvent(text));
  }

  private openFind(): void {
    this.findOpen = true;
    void this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector<HTMLInputElement>('[data-testid="find-input"]');
      input?.focus();
      input?.select();
    });
  }

  private closeFind(): void {
    this.findOpen = false;
    this.errorsOnly = false;
    this.filterMode = false;
    if (this.find !== '') this.announceFind('');
    this.viewport.focus();
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    const target = event.composedPath()[0];
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTextEntry(target)) return;
    // Keys in a dialog (the keyboard help) are the dialog's: Escape must close it.
    if (event.composedPath().some((t) => t instanceof HTMLDialogElement)) return;
    if (event.key === 'Enter' && isActivatable(target)) return;
    const page = Math.max(1, Math.floor((this.viewportHeight - RULER_HEIGHT) / ROW_HEIGHT) - 1);
    const actions: Record<string, () => void> = {
      ArrowDown: () => this.moveSelection(1),
      ArrowUp: () => this.moveSelection(-1),
      PageDown: () => this.moveSelection(page),
      PageUp: () => this.moveSelection(-page),
      Home: () => this.moveSelection(-Infinity),
      End: () => this.moveSelection(Infinity),
      ArrowLeft: () => this.collapseOrGoToParent(),
      ArrowRight: () => this.expandOrGoToChild(),
      Enter: () => this.select(this.selectedRow, true),
      '/': () => this.openFind(),
      n: () => this.stepFind(1),
      N: () => this.stepFind(-1),
      e: () => this.stepError(1),
      E: () => this.stepError(-1),
      Escape: () => (this.findOpen ? this.closeFind() : this.dispatchEvent(new TlDetailCloseEvent())),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  /** Enter steps through matches; Escape returns to the rows with the matches kept, so n/N go on working. */
  private onFindKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.stepFind(event.shiftKey ? -1 : 1);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.viewport.focus();
    }
  }

  private onFindInput(event: Event): void {
    this.announceFind((event.target as HTMLInputElement).value);
  }

  private onRowsClick(event: MouseEvent): void {
    let rowElement: HTMLElement | undefined;
    let toggle = false;
    for (const target of event.composedPath()) {
      if (!(target instanceof HTMLElement)) continue;
      if (target.dataset.action === 'toggle') toggle = true;
      if (target.dataset.row !== undefined) {
        rowElement = target;
        break;
      }
    }
    if (!rowElement) return;
    const row = Number(rowElement.dataset.row);
    if (toggle) this.toggle(row);
    else this.select(row, true);
    // Keyboard navigation continues from the list, also after a click on a fold toggle.
    this.viewport.focus({ preventScroll: true });
  }

  private onScroll(): void {
    this.scrollOffset = this.viewport.scrollTop;
  }

  private onCollapseDepth(event: Event): void {
    this.depthChoice = (event.target as HTMLSelectElement).value;
    this.collapsed = this.depthChoice === 'all' ? new Set() : collapseToDepth(this.view.rows, Number(this.depthChoice));
  }

  private expandAll(): void {
    this.depthChoice = 'all';
    this.collapsed = new Set();
  }

  private onWindowChange(event: TlWindowChangeEvent): void {
    this.zoom = { start: event.start, end: event.end };
  }

  /** Maps the zoomed time range (ns offsets like the row times) to 0…1 across the timeline column. */
  private viewScale(): TimeScale {
    const { min, max } = this.timeline.times;
    const whole = createTimeScale(min, max);
    return createTimeScale(whole.at(this.zoom.start), whole.at(this.zoom.end));
  }

  private renderToolbar() {
    const zoomed = this.zoom.start > 0 || this.zoom.end < 1;
    return html`<div class="toolbar" role="toolbar" aria-label="Waterfall">
      <label>
        Show
        <select data-testid="collapse-depth" aria-label="Collapse to depth" .value=${this.depthChoice} @change=${this.onCollapseDepth}>
          <option value="all" ?selected=${this.depthChoice === 'all'}>all levels</option>
          ${Array.from(
            { length: Math.min(this.depthLevels, 30) },
            (_, i) => html`<option value=${i + 1} ?selected=${this.depthChoice === String(i + 1)}>${i + 1} level${i ? 's' : ''}</option>`,
          )}
        </select>
      </label>
      <button type="button" data-testid="expand-all" @click=${this.expandAll}>Expand all</button>
      <button type="button" data-testid="find-open" aria-keyshortcuts="/" title="Find (/)" @click=${this.openFind}>Find</button>
      <span class="error-steps">
        <button type="button" data-testid="prev-error" aria-keyshortcuts="Shift+E" title="Previous error (E)" ?disabled=${this.errors.length === 0} @click=${() => this.stepError(-1)}>
          ‹ error
        </button>
        <button type="button" data-testid="next-error" aria-keyshortcuts="e" title="Next error (e)" ?disabled=${this.errors.length === 0} @click=${() => this.stepError(1)}>
          error ›
        </button>
      </span>
      <button type="button" data-testid="zoom-reset" ?disabled=${!zoomed} @click=${() => (this.zoom = { start: 0, end: 1 })}>
        Reset zoom
      </button>
      <span class="legend" aria-hidden="true"><span class="crit-sample"></span>critical path</span>
      <span class="legend" aria-hidden="true"><span class="tick-sample"></span>event <span class="tick-sample net"></span>net/trace</span>
      <span class="count muted" data-testid="row-count">${formatCount(this.visible.length)} of ${formatCount(this.view.rows.length)} spans</span>
    </div>`;
  }

  private renderFindBar() {
    if (!this.findOpen) return nothing;
    const position = this.findMatches.indexOf(this.selectedRow);
    const active = this.find.trim() !== '' || this.errorsOnly;
    return html`<div class="find" role="search">
      <input
        type="search"
        data-testid="find-input"
        aria-label="Find spans by anything they hold: name, service, IDs, status, attributes, resource, events"
        title="Terms must all match; key=value, status=error, >100ms (longer than), >10% (of the trace)"
        placeholder="Text, key=value, status=error, >100ms, >10%"
        .value=${this.find}
        @input=${this.onFindInput}
        @keydown=${this.onFindKeyDown}
      />
      <span class="muted" data-testid="find-count" aria-live="polite">
        ${!active ? '' : this.findMatches.length === 0 ? 'no matches' : `${position >= 0 ? position + 1 : '–'} / ${this.findMatches.length}`}
      </span>
      <label><input type="checkbox" data-testid="find-errors" .checked=${this.errorsOnly} @change=${(e: Event) => (this.errorsOnly = (e.target as HTMLInputElement).checked)} />errors only</label>
      <label title="Hide spans that do not match (their ancestors stay)">
        <input type="checkbox" data-testid="find-filter" .checked=${this.filterMode} @change=${(e: Event) => (this.filterMode = (e.target as HTMLInputElement).checked)} />filter
      </label>
      <button type="button" data-testid="find-prev" aria-label="Previous match (N)" ?disabled=${this.findMatches.length === 0} @click=${() => this.stepFind(-1)}>↑</button>
      <button type="button" data-testid="find-next" aria-label="Next match (n)" ?disabled=${this.findMatches.length === 0} @click=${() => this.stepFind(1)}>↓</button>
      <button type="button" class="ghost" data-testid="find-close" aria-label="Close find" @click=${this.closeFind}>✕</button>
    </div>`;
  }

  private nameColumnWidth(): number {
    return (this.renderRoot.querySelector('.name-head') as HTMLElement).getBoundingClientRect().width;
  }

  private setNameWidth(width: number | null): void {
    this.nameWidth = width === null ? null : clampNameWidth(width, this.viewportWidth);
    storeNameWidth(this.nameWidth);
  }

  private readonly onResizeStart = (event: PointerEvent): void => {
    if (event.button !== 0) return;
    event.preventDefault();
    const handle = event.currentTarget as HTMLElement;
    handle.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startWidth = this.nameColumnWidth();
    const move = (e: PointerEvent) => {
      this.nameWidth = clampNameWidth(startWidth + e.clientX - startX, this.viewportWidth);
    };
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
      storeNameWidth(this.nameWidth);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };

  private readonly onResizeKey = (event: KeyboardEvent): void => {
    const step = event.key === 'ArrowRight' ? NAME_WIDTH_STEP : event.key === 'ArrowLeft' ? -NAME_WIDTH_STEP : 0;
    if (step === 0) return;
    // The arrows resize here; they must not also move the selection (document's handler).
    event.preventDefault();
    event.stopPropagation();
    this.setNameWidth(this.nameColumnWidth() + step);
  };

  private renderRuler(scale: TimeScale) {
    const { min } = this.timeline.times;
    const maxTicks = Math.max(2, Math.floor((this.viewportWidth * 0.62) / 110));
    // Labels count from the trace's start, whatever the zoom.
    const { step, values } = buildTicks(scale.start - min, scale.end - min, maxTicks);
    const ticks = values.map((v) => ({ left: scale.fraction(v + min) * 100, label: formatTick(v, step) }));
    return html`<div class="ruler-row" role="presentation">
        <div class="name-head">
          Service · operation
          <div
            class="col-resize"
            role="separator"
            aria-orientation="vertical"
            aria-label="Name column width (drag, or arrow keys; double-click resets)"
            aria-valuenow=${this.nameWidth ?? nothing}
            tabindex="0"
            data-testid="name-col-resize"
            @pointerdown=${this.onResizeStart}
            @keydown=${this.onResizeKey}
            @dblclick=${() => this.setNameWidth(null)}
          ></div>
        </div>
        <div class="ruler" data-testid="time-ruler">
          ${ticks.map((t) => html`<span class="tick-label" style=${`left:${t.left}%`}>${t.label}</span>`)}
        </div>
      </div>
      <div class="gridlines" aria-hidden="true">
        <div></div>
        <div class="lines" style=${`height:${Math.max(this.viewportHeight - RULER_HEIGHT, 0)}px`}>
          ${ticks.map((t) => html`<span style=${`left:${t.left}%`}></span>`)}
        </div>
      </div>`;
  }

  override render() {
    const scale = this.viewScale();
    const rowContext: RowContext = {
      view: this.view,
      timeline: this.timeline,
      mode: this.mode,
      scale,
      collapsed: this.collapsed,
      selectedRow: this.selectedRow,
      matches: this.matchSet,
      indentStep: indentStep(this.depthLevels),
      profileMarkers: this.profileMarkers ?? NO_MARKERS,
    };
    const visibleHeight = Math.max(this.viewportHeight - RULER_HEIGHT, 0);
    const first = Math.max(0, Math.floor(this.scrollOffset / ROW_HEIGHT) - BUFFER_ROWS);
    const last = Math.min(this.visible.length, Math.ceil((this.scrollOffset + visibleHeight) / ROW_HEIGHT) + BUFFER_ROWS);
    const rendered: number[] = [];
    for (let p = first; p < last; p++) rendered.push(this.visible[p]!);
    return html`${this.renderToolbar()} ${this.renderFindBar()}
      <tl-minimap
        .view=${this.view}
        .mode=${this.mode}
        .windowStart=${this.zoom.start}
        .windowEnd=${this.zoom.end}
        @tl-window-change=${this.onWindowChange}
      ></tl-minimap>
      <div
        class="viewport"
        tabindex="0"
        role="tree"
        aria-label="Spans"
        aria-activedescendant=${rendered.includes(this.selectedRow) ? `row-${this.selectedRow}` : nothing}
        data-testid="waterfall"
        @scroll=${this.onScroll}
        @click=${this.onRowsClick}
      >
        ${this.renderRuler(scale)}
        <div class="spacer" style=${`height:${this.visible.length * ROW_HEIGHT}px`}>
          <div class="rows" style=${`transform:translateY(${first * ROW_HEIGHT}px)`}>
            ${repeat(
              rendered,
              (row) => row,
              (row) => renderSpanRow(rowContext, row),
            )}
          </div>
        </div>
      </div>`;
  }
}

customElements.define('tl-waterfall', TlWaterfall);

declare global {
  interface HTMLElementTagNameMap {
    'tl-waterfall': TlWaterfall;
  }
}

/**
 * The template of one waterfall row: name cell (indentation, fold toggle,
 * service, operation, marks) and timeline cell (bar, critical-path segments,
 * event ticks, duration label). Pure: everything it shows comes from the context.
 */
import { html, nothing } from 'lit';
import { formatDuration } from '../../model/duration';
import type { CollapsedRows } from '../../model/collapse-state';
import type { CriticalSegment } from '../../model/critical-path';
import type { SkewMode } from '../../model/route';
import { isErrorEvent, isErrorSpan, isNetTraceEvent } from '../../model/span-facts';
import { hasChildren } from '../../model/span-rows';
import type { TimeScale } from '../../model/time-scale';
import type { Timeline, TraceView } from '../../model/trace-view';
import { serviceStyle } from '../common/service-style';
import { markerLabel, markerTitle, type ProfileMarkers } from '../../model/profile-markers';

/**
 * Indentation may take this much of the name column; deep traces indent by less per level
 * (down to MIN_INDENT_PX), and rows deeper than the budget allows show their depth as a number.
 */
const INDENT_BUDGET_PX = 150;
const INDENT_PX = 14;
const MIN_INDENT_PX = 4;

/** Pixels per level for a trace `levels` deep. */
export function indentStep(levels: number): number {
  return Math.max(MIN_INDENT_PX, Math.min(INDENT_PX, Math.floor(INDENT_BUDGET_PX / Math.max(levels, 1))));
}
/** Event ticks closer than this (in % of the timeline) merge into one. */
const TICK_BUCKET_PERCENT = 0.4;
/**
 * Critical-path pieces of one row closer than this (in % of the timeline) are drawn as one:
 * the gap would be under a pixel or two. A parent with thousands of children would
 * otherwise put thousands of elements into its single row.
 */
const CRIT_MERGE_PERCENT = 0.2;

export interface RowContext {
  readonly view: TraceView;
  readonly timeline: Timeline;
  readonly mode: SkewMode;
  /** The zoom window: time (ns offset) → 0…1 across the timeline column. */
  readonly scale: TimeScale;
  readonly collapsed: CollapsedRows;
  readonly selectedRow: number;
  readonly matches: ReadonlySet<number>;
  /** See indentStep. */
  readonly indentStep: number;
  readonly profileMarkers: ProfileMarkers;
}

function renderBar(ctx: RowContext, row: number) {
  const { times, critical, shift } = ctx.timeline;
  const span = ctx.view.rows[row]!.node.span;
  const scale = ctx.scale;
  const percent = (t: number): number => scale.fraction(t) * 100;
  const start = times.start[row]!;
  const end = times.end[row]!;
  const left = percent(start);
  const barWidth = percent(end) - left;
  const right = left + barWidth;
  // After the bar while it ends in view (the timeline keeps a right margin for it), else before it,
  // else inside the view's edge; a bar wholly outside the zoom window gets no label.
  const inView = right >= 0 && left <= 100;
  const labelPlace = right <= 100 ? 'after' : left >= 12 ? 'before' : 'inside';
  const labelStyle = labelPlace === 'after' ? `left:${Math.max(right, 0)}%` : labelPlace === 'before' ? `right:${100 - left}%` : 'right:0';
  const label = formatDuration(end - start);

  const segments = critSpans(critical.get(row) ?? [], percent);
  const ticks: Array<{ left: number; net: boolean; error: boolean; names: string[] }> = [];
  let lastBucket = Number.NaN;
  if (span.events.length > 0) {
    const base = ctx.view.tree.baseNanos;
    for (const event of span.events) {
      const at = Number(BigInt(event.timeUnixNano) - base) + shift[row]!;
      const pos = percent(at);
      if (pos < 0 || pos > 100) continue;
      const bucket = Math.round(pos / TICK_BUCKET_PERCENT);
      if (bucket === lastBucket) {
        const tick = ticks[ticks.length - 1]!;
        tick.names.push(event.name);
        tick.error ||= isErrorEvent(event);
        continue;
      }
      lastBucket = bucket;
      ticks.push({ left: pos, net: isNetTraceEvent(event), error: isErrorEvent(event), names: [event.name] });
    }
  }
  return html`<div class="timeline">
    <div class="track">
      <div class="clip">
        <div
          class=${`bar${isErrorSpan(span) ? ' error' : ''}`}
          style=${`${serviceStyle(span.serviceName)};left:${left}%;width:max(${barWidth}%,2px)`}
        ></div>
        ${segments.map(([from, to]) => html`<div class="crit" style=${`left:${from}%;width:max(${to - from}%,1px)`}></div>`)}
        ${ticks.map(
          (t) =>
            html`<div
              class=${`event-tick${t.net ? ' net' : ''}${t.error ? ' error' : ''}`}
              data-testid="event-tick"
              title=${tickTitle(t.names)}
              style=${`left:${t.left}%`}
            ></div>`,
        )}
      </div>
      ${inView ? html`<span class=${`duration ${labelPlace}`} style=${labelStyle}>${label}</span>` : nothing}
    </div>
  </div>`;
}

/** What a tick stands for: its event's name, or the first few of the events merged into it. */
function tickTitle(names: readonly string[]): string {
  if (names.length === 1) return names[0]!;
  const shown = names.slice(0, 5).join(', ');
  return `${names.length} events: ${shown}${names.length > 5 ? ', …' : ''}`;
}

/** The row's critical-path segments inside the zoom window, as [left, right] percentages, near neighbours merged. */
function critSpans(segments: readonly CriticalSegment[], percent: (t: number) => number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const sorted = segments.length > 1 ? [...segments].sort((a, b) => a.start - b.start) : segments;
  for (const segment of sorted) {
    const left = percent(segment.start);
    const right = percent(segment.end);
    if (right < 0 || left > 100) continue;
    const last = spans[spans.length - 1];
    if (last && left - last[1] < CRIT_MERGE_PERCENT) last[1] = Math.max(last[1], right);
    else spans.push([left, right]);
  }
  return spans;
}

export function renderSpanRow(ctx: RowContext, row: number) {
  const { rows, skew } = ctx.view;
  const { node, depth } = rows[row]!;
  const span = node.span;
  const expandable = hasChildren(rows, row);
  const folded = ctx.collapsed.has(row);
  const selected = row === ctx.selectedRow;
  const maxIndentLevels = Math.floor(INDENT_BUDGET_PX / ctx.indentStep);
  const indent = Math.min(depth, maxIndentLevels) * ctx.indentStep;
  const skewed = skew.skewed[row] === 1;
  const classes = `row${selected ? ' selected' : ''}${ctx.matches.has(row) ? ' match' : ''}`;
  return html`<div
    class=${classes}
    role="treeitem"
    id=${`row-${row}`}
    data-testid="span-row"
    data-row=${row}
    data-span-id=${span.spanId}
    aria-level=${depth + 1}
    aria-selected=${selected ? 'true' : 'false'}
    aria-expanded=${expandable ? (folded ? 'false' : 'true') : nothing}
  >
    <div class="name" style=${`padding-left:${indent + 4}px`}>
      ${expandable
        ? html`<button
            type="button"
            class="toggle"
            tabindex="-1"
            data-action="toggle"
            data-testid="collapse-toggle"
            aria-label=${folded ? 'Expand' : 'Collapse'}
          >
            ${folded ? '▸' : '▾'}
          </button>`
        : html`<span class="toggle-space"></span>`}
      ${depth > maxIndentLevels ? html`<span class="depth" title="depth">${depth}</span>` : nothing}
      <span class="swatch" style=${serviceStyle(span.serviceName)}></span>
      <span class="service">${span.serviceName}</span>
      <span class="op" title=${span.name}>${span.name}</span>
      ${folded ? html`<span class="badge hidden-count">+${rows[row]!.subtreeEnd - row - 1}</span>` : nothing}
      ${isErrorSpan(span) ? html`<span class="badge error" data-testid="error-mark" title="Status: error">!</span>` : nothing}
      ${renderProfileMark(ctx, span.spanId)}
      ${skewed
        ? html`<span class="badge warn" data-testid="skew-flag" title=${skewTitle(ctx, row)}>skew</span>`
        : nothing}
      ${node.issue === 'orphan'
        ? html`<span class="badge warn" data-testid="orphan-flag" title=${`Parent span ${span.parentSpanId} is not in this trace`}>orphan</span>`
        : nothing}
      ${node.issue === 'cycle' ? html`<span class="badge warn" title="Its parent links form a cycle">cycle</span>` : nothing}
      ${node.duplicate ? html`<span class="badge warn" title="Another span has the same ID">dup ID</span>` : nothing}
    </div>
    ${renderBar(ctx, row)}
  </div>`;
}

function renderProfileMark(ctx: RowContext, spanId: string) {
  const marker = ctx.profileMarkers.get(spanId);
  return marker ? html`<span class="badge profile" data-testid="profile-mark" title=${markerTitle(marker)}>${markerLabel(marker)}</span>` : nothing;
}

function skewTitle(ctx: RowContext, row: number): string {
  const delta = ctx.view.skew.delta[row]!;
  const shift = `${delta >= 0 ? '+' : ''}${formatDuration(delta)}`;
  return ctx.mode === 'adjusted'
    ? `Clock skew: runs on another host and did not fit its parent; shifted by ${shift}`
    : `Clock skew: runs on another host and does not fit its parent (adjustment would shift it by ${shift})`;
}

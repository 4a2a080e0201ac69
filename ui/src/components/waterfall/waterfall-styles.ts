/** Styles of the waterfall; row and ruler heights are fixed because virtualization computes positions from them. */
import { css, unsafeCSS } from 'lit';

export const ROW_HEIGHT = 26;
export const RULER_HEIGHT = 24;

export const waterfallStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    min-width: 0;
    --name-col: minmax(14rem, 34%);
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4rem 0.6rem;
    padding: 0.4rem 0.75rem;
    font-size: 0.85rem;
  }
  .toolbar button,
  .toolbar select {
    padding: 0.15rem 0.5rem;
  }
  .legend {
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
    color: var(--tl-fg-muted);
  }
  .crit-sample {
    display: inline-block;
    width: 1.2rem;
    height: 3px;
    background: var(--tl-critical);
  }
  .tick-sample {
    display: inline-block;
    width: 2px;
    height: 0.8rem;
    background: var(--tl-fg);
  }
  .tick-sample.net,
  .event-tick.net {
    background: var(--tl-accent);
  }
  .count {
    margin-left: auto;
  }
  .find {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4rem;
    padding: 0.3rem 0.75rem;
    background: var(--tl-bg-raised);
    border-top: 1px solid var(--tl-border);
  }
  .find input[type='search'] {
    width: min(28rem, 100%);
  }
  .find label {
    display: inline-flex;
    align-items: center;
    gap: 0.2rem;
    font-size: 0.85rem;
  }
  .error-steps {
    display: inline-flex;
    gap: 0.2rem;
  }
  tl-minimap {
    margin: 0 0.75rem 0.4rem;
  }
  .viewport {
    position: relative;
    flex: 1;
    min-height: 0;
    overflow-y: auto;
    overflow-x: hidden;
    border-top: 1px solid var(--tl-border);
    outline: none;
    contain: strict;
  }
  .viewport:focus-visible {
    box-shadow: inset 0 0 0 2px var(--tl-accent);
  }
  .ruler-row,
  .gridlines,
  .row {
    display: grid;
    grid-template-columns: var(--name-col) 1fr;
  }
  .ruler-row {
    position: sticky;
    top: 0;
    z-index: 2;
    height: ${unsafeCSS(RULER_HEIGHT)}px;
    background: var(--tl-bg-raised);
    border-bottom: 1px solid var(--tl-border);
    font-size: 0.75rem;
    color: var(--tl-fg-muted);
  }
  .name-head {
    position: relative;
    padding: 0 0.75rem;
    line-height: ${unsafeCSS(RULER_HEIGHT)}px;
    border-right: 1px solid var(--tl-border);
  }
  /* The name column's edge: a grip wider than the line it sits on. */
  .col-resize {
    position: absolute;
    top: 0;
    right: -5px;
    width: 9px;
    height: 100%;
    cursor: col-resize;
    touch-action: none;
    z-index: 3;
  }
  .col-resize:hover,
  .col-resize:focus-visible {
    background: linear-gradient(to right, transparent 3px, var(--tl-accent) 3px, var(--tl-accent) 6px, transparent 6px);
    outline: none;
  }
  .ruler {
    position: relative;
    margin: 0 4.5rem 0 0.5rem;
  }
  .tick-label {
    position: absolute;
    top: 0;
    line-height: ${unsafeCSS(RULER_HEIGHT)}px;
    padding-left: 3px;
    border-left: 1px solid var(--tl-border-strong);
    white-space: nowrap;
  }
  .gridlines {
    position: sticky;
    top: ${unsafeCSS(RULER_HEIGHT)}px;
    height: 0;
    z-index: 0;
    pointer-events: none;
  }
  .lines {
    position: relative;
    margin: 0 4.5rem 0 0.5rem;
  }
  .lines span {
    position: absolute;
    top: 0;
    bottom: 0;
    border-left: 1px solid var(--tl-border);
    opacity: 0.7;
  }
  .spacer {
    position: relative;
  }
  .rows {
    position: absolute;
    inset: 0 0 auto 0;
    will-change: transform;
  }
  .row {
    height: ${unsafeCSS(ROW_HEIGHT)}px;
    cursor: pointer;
    font-size: 0.85rem;
    /* Rows never affect each other's layout; this keeps scrolling to style and paint of the new rows. */
    contain: strict;
  }
  .row:hover {
    background: var(--tl-bg-hover);
  }
  .row.match {
    background: var(--tl-bg-match);
  }
  .row.selected {
    background: var(--tl-bg-selected);
    box-shadow: inset 3px 0 0 var(--tl-accent);
  }
  .name {
    display: flex;
    align-items: center;
    gap: 0.35rem;
    min-width: 0;
    overflow: hidden;
    white-space: nowrap;
    border-right: 1px solid var(--tl-border);
    padding-right: 0.5rem;
  }
  .toggle,
  .toggle-space {
    flex: none;
    width: 1.1rem;
    height: 1.1rem;
  }
  .toggle {
    padding: 0;
    justify-content: center;
    border: none;
    background: transparent;
    color: var(--tl-fg-muted);
    font-size: 0.8rem;
  }
  .toggle:hover {
    color: var(--tl-fg);
  }
  .depth {
    font-size: 0.7rem;
    color: var(--tl-fg-muted);
  }
  .service {
    flex: none;
    max-width: 40%;
    overflow: hidden;
    text-overflow: ellipsis;
    color: var(--tl-fg-muted);
  }
  .op {
    flex: 0 1 auto;
    min-width: 2rem;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .name .badge {
    flex: none;
  }
  .hidden-count {
    color: var(--tl-fg-muted);
    background: var(--tl-bg-sunken);
  }
  /* Go diagnostics (CPU profile / execution trace) on this span. */
  .badge.profile {
    color: var(--tl-accent);
    background: var(--tl-bg-sunken);
  }
  /* The cell clips everything; bars clip at the track, labels may use the cell's margins. */
  .timeline {
    position: relative;
    overflow: hidden;
  }
  .track {
    position: absolute;
    inset: 0 4.5rem 0 0.5rem;
  }
  .clip {
    position: absolute;
    inset: 0;
    overflow: hidden;
  }
  .bar {
    position: absolute;
    top: 7px;
    height: 12px;
    border-radius: 2px;
    background: light-dark(var(--svc-l), var(--svc-d));
  }
  .bar.error {
    background-image: repeating-linear-gradient(135deg, transparent 0 4px, rgb(255 255 255 / 0.35) 4px 6px);
    outline: 2px solid var(--tl-error);
    outline-offset: 0;
  }
  .crit {
    position: absolute;
    top: 11px;
    height: 4px;
    background: var(--tl-critical);
    border-radius: 1px;
    pointer-events: none;
  }
  /* 2px of ink in a 6px target, so the event names show on hover. */
  .event-tick {
    position: absolute;
    top: 4px;
    width: 2px;
    height: 18px;
    margin-left: -3px;
    border: solid transparent;
    border-width: 0 2px;
    background: var(--tl-fg);
    background-clip: padding-box;
    opacity: 0.85;
    cursor: help;
  }
  .event-tick.error {
    background: var(--tl-error);
  }
  .duration {
    position: absolute;
    top: 0;
    line-height: ${unsafeCSS(ROW_HEIGHT)}px;
    padding: 0 0.3rem;
    font-size: 0.75rem;
    color: var(--tl-fg-muted);
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
  }
  .duration.inside {
    top: 5px;
    line-height: 16px;
    border-radius: 3px;
    background: var(--tl-bg);
    color: var(--tl-fg);
  }
`;

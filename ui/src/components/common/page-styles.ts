/** Layout pieces of the latency and net/trace pages: toolbar, cards, stat tiles and data tables. */
import { css } from 'lit';

export const pageStyles = css`
  :host {
    display: block;
    height: 100%;
    min-height: 0;
    overflow-y: auto;
  }
  .page {
    box-sizing: border-box;
    max-width: 110rem;
    margin: 0 auto;
    padding: 1rem 1.25rem 2rem;
    display: flex;
    flex-direction: column;
    gap: 1rem;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.6rem 0.9rem;
  }
  .toolbar label {
    display: inline-flex;
    align-items: center;
    gap: 0.4rem;
    font-weight: 600;
    color: var(--tl-fg-muted);
  }
  .toolbar label > select,
  .toolbar label > input {
    font-weight: 400;
    color: var(--tl-fg);
  }
  .toolbar .end {
    margin-left: auto;
  }
  h1 {
    margin: 0;
    font-size: 1.2rem;
    overflow-wrap: anywhere;
  }
  h1 .swatch {
    margin-right: 0.4rem;
  }
  .crumbs {
    font-size: 0.85rem;
    color: var(--tl-fg-muted);
  }
  .crumbs a {
    text-decoration: none;
  }
  .crumbs a:hover {
    text-decoration: underline;
  }
  .card {
    border: 1px solid var(--tl-border);
    border-radius: var(--tl-radius);
    background: var(--tl-bg-raised);
    padding: 0.75rem 0.9rem;
    min-width: 0;
  }
  .card > h2,
  .section-title {
    display: flex;
    align-items: baseline;
    gap: 0.6rem;
    margin: 0 0 0.5rem;
    font-size: 0.8rem;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--tl-fg-muted);
  }
  .card > h2 .hint,
  .section-title .hint {
    text-transform: none;
    letter-spacing: 0;
    font-weight: 400;
  }
  .stats {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem 1.8rem;
  }
  .stat {
    display: flex;
    flex-direction: column;
  }
  .stat .value {
    font-size: 1.25rem;
    font-weight: 650;
    font-variant-numeric: tabular-nums;
  }
  .stat .label {
    font-size: 0.78rem;
    color: var(--tl-fg-muted);
  }
  .stat.threshold .value {
    color: var(--tl-accent);
  }
  .placeholder {
    color: var(--tl-fg-muted);
    padding: 1.5rem 0;
  }
  table.data {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  table.data th,
  table.data td {
    padding: 0.4rem 0.6rem;
    border-bottom: 1px solid var(--tl-border);
    text-align: right;
    white-space: nowrap;
  }
  table.data th:first-child,
  table.data td:first-child {
    text-align: left;
    white-space: normal;
    overflow-wrap: anywhere;
  }
  table.data thead th {
    position: sticky;
    top: 0;
    background: var(--tl-bg-raised);
    font-size: 0.8rem;
    font-weight: 600;
    color: var(--tl-fg-muted);
    border-bottom: 1px solid var(--tl-border-strong);
  }
  table.data tbody tr:hover {
    background: var(--tl-bg-hover);
  }
  table.data td.zero {
    color: var(--tl-fg-muted);
  }
  table.data a.cell {
    display: block;
    color: inherit;
    text-decoration: none;
  }
  table.data a.cell:hover,
  table.data a.cell:focus-visible {
    color: var(--tl-accent);
    text-decoration: underline;
  }
  .error-text {
    color: var(--tl-error);
    font-weight: 600;
  }
  .skeleton.block {
    height: 220px;
  }
  .skeleton.line {
    height: 2rem;
    margin-bottom: 0.4rem;
  }
`;

/** How net/trace records and their events look in every list. */
import { css } from 'lit';

export const recordStyles = css`
  .record {
    border: 1px solid var(--tl-border);
    border-radius: var(--tl-radius);
    background: var(--tl-bg-raised);
  }
  .record.error {
    border-left: 3px solid var(--tl-error);
  }
  .record-head {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.3rem 0.8rem;
    padding: 0.5rem 0.75rem;
  }
  .record-head .title {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .record-head .elapsed {
    font-variant-numeric: tabular-nums;
    font-weight: 650;
    min-width: 4.5rem;
  }
  .record-head .right {
    margin-left: auto;
    display: flex;
    gap: 0.8rem;
    align-items: baseline;
  }
  .badge.active {
    background: var(--tl-bg-selected);
    color: var(--tl-accent);
  }
  ol.events {
    list-style: none;
    margin: 0;
    padding: 0.2rem 0.75rem 0.5rem;
    border-top: 1px solid var(--tl-border);
    font-family: var(--tl-mono);
    font-size: 0.8rem;
  }
  ol.events li {
    display: grid;
    grid-template-columns: 7.5rem 1fr;
    gap: 0.8rem;
    padding: 0.12rem 0;
  }
  ol.events .at {
    color: var(--tl-fg-muted);
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  ol.events .message {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  ol.events li.error .message {
    color: var(--tl-error);
  }
  ol.events li.sensitive .message {
    font-style: italic;
    color: var(--tl-fg-muted);
  }
  .note {
    padding: 0 0.75rem 0.4rem;
    font-size: 0.8rem;
    color: var(--tl-fg-muted);
  }
`;

/** Form controls, buttons and badges shared by every shadow root (styles do not cross shadow boundaries). */
import { css } from 'lit';

export const controlStyles = css`
  :host {
    font: inherit;
    color: inherit;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    display: inline-flex;
    align-items: center;
    gap: 0.35em;
    padding: 0.3rem 0.7rem;
    border: 1px solid var(--tl-border-strong);
    border-radius: var(--tl-radius);
    background: var(--tl-bg-raised);
    cursor: pointer;
    white-space: nowrap;
  }
  button:hover:not(:disabled) {
    background: var(--tl-bg-hover);
  }
  button:disabled {
    opacity: 0.55;
    cursor: default;
  }
  button.primary {
    background: var(--tl-accent);
    border-color: var(--tl-accent);
    color: var(--tl-accent-fg);
    font-weight: 600;
  }
  button.primary:hover:not(:disabled) {
    background: var(--tl-accent);
    filter: brightness(1.08);
  }
  button.ghost {
    border-color: transparent;
    background: transparent;
  }
  button.ghost:hover:not(:disabled) {
    background: var(--tl-bg-hover);
  }
  input:not([type='checkbox']),
  select,
  textarea {
    box-sizing: border-box;
    padding: 0.3rem 0.5rem;
    border: 1px solid var(--tl-border-strong);
    border-radius: var(--tl-radius);
    background: var(--tl-bg);
    min-width: 0;
  }
  input[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: var(--tl-error);
  }
  :focus-visible {
    outline: 2px solid var(--tl-accent);
    outline-offset: 1px;
  }
  a {
    color: var(--tl-accent);
  }
  .mono {
    font-family: var(--tl-mono);
    font-size: 0.92em;
  }
  .muted {
    color: var(--tl-fg-muted);
  }
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.25em;
    padding: 0 0.45em;
    border-radius: 999px;
    font-size: 0.8em;
    line-height: 1.6;
    font-weight: 600;
    white-space: nowrap;
  }
  .badge.error {
    background: var(--tl-error-bg);
    color: var(--tl-error);
  }
  .badge.warn {
    background: var(--tl-warn-bg);
    color: var(--tl-warn);
  }
  .swatch {
    display: inline-block;
    flex: none;
    width: 0.7em;
    height: 0.7em;
    border-radius: 2px;
    background: light-dark(var(--svc-l), var(--svc-d));
  }
  .skeleton {
    background: var(--tl-skeleton);
    border-radius: 4px;
    animation: pulse 1.4s ease-in-out infinite;
  }
  @keyframes pulse {
    50% {
      opacity: 0.55;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton {
      animation: none;
    }
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** A form's custom time range: date-time inputs are too wide for two columns of the sidebar, so one. */
export const rangeRowStyles = css`
  .row.range {
    grid-template-columns: minmax(0, 1fr);
  }
  .row.range input {
    box-sizing: border-box;
    width: 100%;
    min-width: 0;
  }
`;

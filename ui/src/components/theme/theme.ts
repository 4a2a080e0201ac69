/**
 * Light/dark theme: follows `prefers-color-scheme` until the user picks one, which
 * is then kept in localStorage. CSS reacts through `data-theme` on <html>; code
 * that paints colours itself (canvas) listens for `tl-theme-change`.
 */

export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'threadline.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export class TlThemeChangeEvent extends Event {
  static readonly eventName = 'tl-theme-change';
  constructor(readonly theme: Theme) {
    super(TlThemeChangeEvent.eventName);
  }
}

declare global {
  interface WindowEventMap {
    'tl-theme-change': TlThemeChangeEvent;
  }
}

function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    // Storage can be disabled (privacy settings); the system theme still applies.
    return null;
  }
}

export function currentTheme(): Theme {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return matchMedia(DARK_QUERY).matches ? 'dark' : 'light';
}

export function chooseTheme(theme: Theme): void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Not persisted, but still applied for this page.
  }
  document.documentElement.dataset.theme = theme;
  window.dispatchEvent(new TlThemeChangeEvent(theme));
}

/** Applies a stored choice and reports system changes while none is stored. Call once at startup. */
export function initTheme(): void {
  const stored = storedTheme();
  if (stored) document.documentElement.dataset.theme = stored;
  matchMedia(DARK_QUERY).addEventListener('change', () => {
    if (!storedTheme()) window.dispatchEvent(new TlThemeChangeEvent(currentTheme()));
  });
}

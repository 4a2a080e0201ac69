import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Bounded waits for UI conditions; Playwright CSS selectors pierce the open shadow roots. */
export const UI_TIMEOUT = 15_000;

export function byTestId(page: Page, testId: string): Locator {
  return page.locator(`[data-testid="${testId}"]`);
}

export function spanRows(page: Page): Locator {
  return byTestId(page, 'span-row');
}

export function spanRow(page: Page, spanId: string): Locator {
  return page.locator(`[data-testid="span-row"][data-span-id="${spanId}"]`);
}

export async function waitForRowCount(page: Page, count: number): Promise<void> {
  await expect.poll(() => spanRows(page).count(), { timeout: UI_TIMEOUT }).toBe(count);
}

export async function selectedSpanId(page: Page): Promise<string | null> {
  const selected = page.locator('[data-testid="span-row"][aria-selected="true"]');
  return (await selected.count()) === 1 ? selected.getAttribute('data-span-id') : null;
}

export function urlParam(page: Page, name: string): string | null {
  return new URL(page.url()).searchParams.get(name);
}

/** The waterfall's shadow root, reached the way a user's DOM inspector would walk it. */
export const WATERFALL_ROOT = `document.querySelector('tl-app').shadowRoot
  .querySelector('tl-trace-page').shadowRoot
  .querySelector('tl-waterfall').shadowRoot`;

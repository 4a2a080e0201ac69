import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Headless Debian Chromium driven by playwright-core (no browser download): the flags of
 * DESIGN.md §8, plus --disable-quic so nothing tries UDP. A missing Chromium fails the run
 * with the install hint; it is never a skip.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. The browser tests need it: apt-get install -y chromium ` +
        '(or set CHROMIUM_PATH to a Chromium/Chrome binary).',
    );
  }
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  } catch (error) {
    throw new Error(`Chromium at ${executablePath} did not start (apt-get install -y chromium installs a working one): ${String(error)}`);
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The server serves ui/dist; without a build every page would be the "UI is not built" text. */
export function requireUiBuild(): void {
  const index = path.join(repoRoot, 'ui/dist/index.html');
  if (!existsSync(index)) {
    throw new Error(`${index} is missing: build the UI first (npm run build -w ui; npm test does it before vitest).`);
  }
}

export const VIEWPORT = { width: 1440, height: 900 } as const;

/** A page that records what must never happen in our UI: dialogs (XSS), uncaught errors, failed API calls. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Messages of every alert/confirm/prompt the page opened; each is dismissed at once. */
  dialogs: string[];
  /** Uncaught exceptions and console errors. */
  errors: string[];
  close(): Promise<void>;
}

export interface WatchedPageOptions {
  colorScheme?: 'light' | 'dark';
  /** Console errors expected by the test (e.g. the 404 of a missing trace), matched as substrings. */
  allowConsoleErrors?: string[];
}

export async function openWatchedPage(browser: Browser, options: WatchedPageOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: options.colorScheme ?? 'light', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (options.allowConsoleErrors?.some((allowed) => text.includes(allowed))) return;
    errors.push(`console: ${text}`);
  });
  return { page, context, dialogs, errors, close: () => context.close() };
}

/**
 * An expression for `page.evaluate` counting every node and element of the document,
 * open shadow roots included. A string, not a function: tsx compiles with keepNames,
 * whose `__name()` helper does not exist in the page.
 */
export const COUNT_DOM_NODES = `(() => {
  let elements = 0;
  let nodes = 0;
  const visit = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
    for (let node = walker.currentNode; node; node = walker.nextNode()) {
      nodes++;
      if (node.nodeType === Node.ELEMENT_NODE) {
        elements++;
        if (node.shadowRoot) visit(node.shadowRoot);
      }
    }
  };
  visit(document);
  return { elements, nodes };
})()`;

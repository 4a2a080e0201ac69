import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWatchedPage, requireUiBuild, type WatchedPage, type WatchedPageOptions } from '../../support/browser.js';
import { startTestServer, type TestServer } from '../../support/in-process-server.js';

export interface BrowserSuiteOptions {
  /** Sends the file's data once the server is up (in beforeAll, after the browser and server start). */
  seed?: (server: TestServer) => Promise<void>;
  /** Config overrides for startTestServer. */
  config?: Parameters<typeof startTestServer>[0];
  /** Start options for startTestServer. */
  start?: Parameters<typeof startTestServer>[1];
  /** Options of the watched page each test gets. */
  pageOptions?: WatchedPageOptions;
}

export interface BrowserSuite {
  readonly browser: Browser;
  readonly server: TestServer;
  /** The current test's page; the afterEach hook asserts it saw no dialogs and no errors, then closes it. */
  get watched(): WatchedPage;
  /** Makes another (already open) page the current one, e.g. to go back to an earlier page. */
  set watched(watched: WatchedPage);
  /** `watched.page` */
  readonly page: Page;
  /** Opens a new watched page and makes it current; the one before stays open (the caller closes it or makes it current again). */
  openPage(options?: WatchedPageOptions): Promise<Page>;
  /** Closes the current page and opens a new one in its place (e.g. one that allows an expected console error). */
  reopenPage(options?: WatchedPageOptions): Promise<Page>;
}

/**
 * The setup every browser test file shares, registered as hooks of the calling describe:
 * Chromium and a fresh in-process Threadline for the file (seeded once), a watched page per
 * test, and after each test the checks that it opened no dialog and logged no error.
 */
export function useBrowserSuite(options: BrowserSuiteOptions = {}): BrowserSuite {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let watched: WatchedPage | undefined;

  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`useBrowserSuite: ${name} is not ready (used outside the suite's hooks and tests?)`);
    return value;
  };

  beforeAll(async () => {
    requireUiBuild();
    [browser, server] = await Promise.all([launchBrowser(), startTestServer(options.config, options.start)]);
    await options.seed?.(server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    watched = await openWatchedPage(ready(browser, 'browser'), options.pageOptions);
  });

  afterEach(async () => {
    const current = ready(watched, 'watched page');
    try {
      expect(current.dialogs).toEqual([]);
      expect(current.errors).toEqual([]);
    } finally {
      await current.close();
    }
  });

  const suite: BrowserSuite = {
    get browser() {
      return ready(browser, 'browser');
    },
    get server() {
      return ready(server, 'server');
    },
    get watched() {
      return ready(watched, 'watched page');
    },
    set watched(value: WatchedPage) {
      watched = value;
    },
    get page() {
      return ready(watched, 'watched page').page;
    },
    async openPage(pageOptions: WatchedPageOptions = {}) {
      watched = await openWatchedPage(ready(browser, 'browser'), pageOptions);
      return watched.page;
    },
    async reopenPage(pageOptions: WatchedPageOptions = {}) {
      await ready(watched, 'watched page').close();
      return suite.openPage(pageOptions);
    },
  };
  return suite;
}

import { defineConfig, type Plugin } from 'vite';

const PREFETCH_ENTRY = 'src/prefetch-entry.ts';

/**
 * Builds src/prefetch-entry.ts as a script of its own, first in the page's head, so that it
 * runs (and starts the trace's request, trace-prefetch.ts) before the app's bundle has even
 * loaded. Vite would bundle every script tag of index.html into one entry, hence a chunk
 * emitted here. The dev server goes without: the trace page then fetches the trace itself.
 */
function prefetchEntry(): Plugin {
  return {
    name: 'threadline-prefetch-entry',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: PREFETCH_ENTRY, name: 'prefetch' });
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle }) {
        const chunk = Object.values(bundle ?? {}).find((c) => c.type === 'chunk' && c.isEntry && c.facadeModuleId?.endsWith(PREFETCH_ENTRY));
        if (chunk?.type !== 'chunk') throw new Error(`${PREFETCH_ENTRY} was not built`);
        return [
          { tag: 'script', attrs: { type: 'module', crossorigin: true, src: `/${chunk.fileName}` }, injectTo: 'head-prepend' },
          ...chunk.imports.map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head-prepend' as const })),
        ];
      },
    },
  };
}

// The server serves dist/ at `/` with long cache headers on dist/assets/*, so every
// asset must carry a content hash in its name (Vite's default under assetsDir).
export default defineConfig({
  base: '/',
  plugins: [prefetchEntry()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:16686',
    },
  },
});

import { defineConfig } from 'vite';

// The server serves dist/ at `/` with long cache headers on dist/assets/*, so every
// asset must carry a content hash in its name (Vite's default under assetsDir).
export default defineConfig({
  base: '/',
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

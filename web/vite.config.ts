import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  build: { target: 'es2020', sourcemap: false, manifest: true },
  test: { environment: 'happy-dom', include: ['test/**/*.test.{ts,tsx}'] },
});

// Bundles src/ into ../dist (app.js, app.css and KaTeX's fonts), the
// files internal/webapp embeds. Run by `go generate ./internal/webapp`.
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('../dist', { recursive: true, force: true });
await esbuild.build({
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  outdir: '../dist',
  legalComments: 'linked',
  logLevel: 'warning',
});
await esbuild.build({
  entryPoints: { app: 'src/style.css' },
  bundle: true,
  minify: true,
  outdir: '../dist',
  assetNames: 'fonts/[name]',
  // Browsers that run the app read woff2; the older formats are left out.
  loader: { '.woff2': 'file', '.woff': 'empty', '.ttf': 'empty' },
  logLevel: 'warning',
});

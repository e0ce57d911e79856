#!/usr/bin/env node
// The `jointly` command: runs the compiled CLI (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('jointly: not built yet. Run `npm run build` (npm ci does it for you).\n');
  process.exit(70);
}
await import(main.href);

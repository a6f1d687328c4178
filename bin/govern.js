#!/usr/bin/env node
// The `govern` CLI (validate, dry-run, explain, generate, topics). Runs the compiled TypeScript,
// which `npm ci` builds through the package's `prepare` script.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'govern', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('govern: the project is not built yet; run `npm run build` (npm ci does it for you).');
  process.exit(2);
}
require(entry);

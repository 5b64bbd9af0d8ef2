#!/usr/bin/env node
// node_modules/.bin/mhil: the project's own entry point (see package.json here for why this link exists).
await import("../mhil.js");

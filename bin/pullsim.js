#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader so `npx pullsim` works straight after `npm install`,
// with no build step to forget.
import { register } from 'tsx/esm/api';
register();
const { cliMain } = await import('../src/cli/main.ts');
process.exitCode = await cliMain(process.argv.slice(2));

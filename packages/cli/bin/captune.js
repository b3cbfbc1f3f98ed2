#!/usr/bin/env node
// Runs the TypeScript sources through tsx's ESM loader: no build step.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/main.ts');
process.exitCode = await runCli(process.argv.slice(2));

#!/usr/bin/env node
// The `guardian` command. Runs the TypeScript sources through tsx's loader (no build step for operators).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv);

#!/usr/bin/env node
// The `distsys` command: the kit is TypeScript, run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../lib/cli/main.ts');

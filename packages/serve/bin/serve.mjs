#!/usr/bin/env node
// Runs @rl/serve from its TypeScript sources: workspace packages resolve through their
// "source" export condition (as with `node --conditions=source`), and tsx loads the .ts files.
// Same as: node --conditions=source --import tsx packages/serve/src/main.ts DIR [flags]
import { register } from 'node:module';

const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
// Registered last, so it runs first and tsx sees the "source" condition too.
const sourceCondition = `export async function resolve(specifier, context, next) {
  const conditions = context.conditions.includes('source') ? context.conditions : [...context.conditions, 'source'];
  return next(specifier, { ...context, conditions });
}`;
register(`data:text/javascript,${encodeURIComponent(sourceCondition)}`);
await import(new URL('../src/main.ts', import.meta.url).href);

// Module-resolution hook: adds the "source" export condition, so workspace packages (`@rl/env`,
// `@rl/trainer`, ...) resolve to their TypeScript sources (src/index.ts), which tsx compiles on
// load. Same effect as `node --conditions=source`, registered from inside the process
// (scripts/launch.mjs).
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('source') ? context.conditions : [...context.conditions, 'source'];
  return nextResolve(specifier, { ...context, conditions });
}

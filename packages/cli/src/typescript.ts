/**
 * Lets this process import TypeScript files (the repo's benchmarks and web app; a user's module)
 * through tsx's ESM hooks, registered once on first need. A no-op when the CLI runs from its
 * TypeScript sources, which means tsx is registered already. Workspace packages those files
 * import resolve as the CLI's own do (dist/ when it runs from dist/), so there is one instance
 * of each.
 */
let registered: Promise<void> | undefined;

export function enableTypeScript(): Promise<void> {
  if (import.meta.url.endsWith('.ts')) return Promise.resolve();
  registered ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return registered;
}

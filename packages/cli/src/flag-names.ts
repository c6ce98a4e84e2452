/** commander's property name of a long flag (`--steps-per-iter` → `stepsPerIter`). */
export const camel = (flag: string): string => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

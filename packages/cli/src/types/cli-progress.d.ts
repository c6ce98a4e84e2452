// Minimal types for the parts of cli-progress 3.x the CLI uses (the package ships none).
declare module 'cli-progress' {
  export interface Options {
    format?: string | ((options: unknown, params: unknown, payload: unknown) => string);
    stream?: NodeJS.WritableStream;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    stopOnComplete?: boolean;
    etaBuffer?: number;
    fps?: number;
    barsize?: number;
    noTTYOutput?: boolean;
  }
  export class SingleBar {
    constructor(options: Options, preset?: unknown);
    start(total: number, startValue: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
    stop(): void;
  }
  export const Presets: { readonly shades_classic: unknown; readonly shades_grey: unknown; readonly rect: unknown; readonly legacy: unknown };
  const _default: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default _default;
}

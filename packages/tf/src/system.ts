/**
 * What the machine offers a GPU backend, found without loading any of it: shared libraries on
 * the dynamic linker's path (`ldconfig -p`, `LD_LIBRARY_PATH`), GPU device nodes, and whether
 * this process runs in a container. Node only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let ldCache: Map<string, string> | undefined;

/** The tag `ldconfig -p` gives libraries of this process's architecture (other entries, e.g. 32-bit ones, are skipped). */
const ARCH_TAG = ({ x64: 'x86-64', arm64: 'AArch64' } as Record<string, string>)[process.arch];

/** `ldconfig -p` as library name → path (first entry wins), read once per process. */
function ldconfigEntries(): Map<string, string> {
  if (ldCache) return ldCache;
  ldCache = new Map();
  for (const bin of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    const r = spawnSync(bin, ['-p'], { encoding: 'utf8', timeout: 5000 });
    if (r.status !== 0 || !r.stdout) continue;
    for (const line of r.stdout.split('\n')) {
      // "	libvulkan.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libvulkan.so.1"
      const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)/.exec(line);
      if (m && !ldCache.has(m[1]!) && (!ARCH_TAG || m[2]!.includes(ARCH_TAG))) ldCache.set(m[1]!, m[3]!);
    }
    break;
  }
  return ldCache;
}

/**
 * Where the dynamic linker would find shared library `name` (e.g. `libvulkan.so.1`,
 * `libcudnn.so.8`): `LD_LIBRARY_PATH` first, then the `ldconfig -p` cache, then the usual
 * library directories. Undefined when it is nowhere (or not on Linux).
 *
 * @example
 * findSharedLibrary('libvulkan.so.1'); // '/lib/x86_64-linux-gnu/libvulkan.so.1' after `apt-get install libvulkan1`
 */
export function findSharedLibrary(name: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const dir of (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  const cached = ldconfigEntries().get(name);
  if (cached) return cached;
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/usr/local/cuda/lib64']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** GPU device nodes of this Linux machine (`/dev/dri/renderD*`, `/dev/nvidia[0-9]*`, WSL's `/dev/dxg`); empty elsewhere or when there are none. */
export function gpuDeviceNodes(): string[] {
  if (process.platform !== 'linux') return [];
  const out: string[] = [];
  const list = (dir: string, re: RegExp) => {
    try {
      for (const n of readdirSync(dir)) if (re.test(n)) out.push(join(dir, n));
    } catch {
      // no such directory: no nodes of that kind
    }
  };
  list('/dev/dri', /^renderD\d+$/);
  list('/dev', /^(nvidia\d+|dxg)$/);
  return out;
}

/** Whether this process runs inside a container (Docker, Podman, Kubernetes). */
export function inContainer(): boolean {
  if (existsSync('/.dockerenv') || existsSync('/run/.containerenv') || process.env.KUBERNETES_SERVICE_HOST) return true;
  try {
    return /docker|kubepods|containerd|libpod/.test(readFileSync('/proc/1/cgroup', 'utf8'));
  } catch {
    return false;
  }
}

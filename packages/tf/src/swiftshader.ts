/**
 * SwiftShader, Google's CPU implementation of Vulkan, as a WebGPU adapter for Node: Chromium
 * ships its Vulkan driver (`libvk_swiftshader.so`) with a manifest that the Vulkan loader takes
 * from `VK_ICD_FILENAMES`. It computes what a GPU computes, on the CPU (≈ 0.3 GFLOP/s measured
 * here): it proves the WebGPU path correct and says nothing about a GPU's speed. Node only.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MANIFEST = 'vk_swiftshader_icd.json';

/** Where Chromium's packages put the SwiftShader manifest (Debian's `chromium`, Ubuntu's, Fedora's, Chrome). */
const PLACES = ['/usr/lib/chromium', '/usr/lib/chromium-browser', '/usr/lib64/chromium-browser', '/opt/google/chrome', '/opt/chromium'];

/**
 * The path of SwiftShader's Vulkan manifest on this machine: next to `$CHROMIUM_PATH`, or where
 * a Chromium package installs it (Debian: `apt-get install chromium` →
 * `/usr/lib/chromium/vk_swiftshader_icd.json`). Undefined when there is none.
 */
export function swiftShaderIcd(): string | undefined {
  const dirs = process.env.CHROMIUM_PATH ? [dirname(process.env.CHROMIUM_PATH), ...PLACES] : PLACES;
  for (const d of dirs) if (existsSync(join(d, MANIFEST))) return join(d, MANIFEST);
  return undefined;
}

/**
 * Points the Vulkan loader at SwiftShader only (`VK_ICD_FILENAMES`), so `initTf({ backend:
 * 'webgpu' })` gets the software adapter. Call it before the first WebGPU adapter is requested.
 * Throws, saying what to install, when Chromium's SwiftShader or the Vulkan loader is missing.
 * Returns the manifest path.
 *
 * @example
 * useSwiftShader(); // tests: WebGPU on a CPU, for correctness (never speed)
 * await initTf({ backend: 'webgpu' }); // adapter.software === true
 */
export function useSwiftShader(): string {
  const icd = swiftShaderIcd();
  if (!icd) {
    throw new Error(
      `SwiftShader's Vulkan driver (${MANIFEST}) was not found in ${PLACES.join(', ')}${process.env.CHROMIUM_PATH ? ` or next to CHROMIUM_PATH=${process.env.CHROMIUM_PATH}` : ''}: ` +
        'install it with `apt-get install chromium libvulkan1` (Debian; it ships /usr/lib/chromium/vk_swiftshader_icd.json), or set CHROMIUM_PATH to a Chromium binary that has it beside it.',
    );
  }
  process.env.VK_ICD_FILENAMES = icd;
  return icd;
}

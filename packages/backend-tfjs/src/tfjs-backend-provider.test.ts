// The tfjs provider: device probes (tfjs-node / tfjs-node-gpu are installed here without their
// native addon, so node and cuda must explain why and how) and plugging in through the registry.
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, createBackendRegistry } from '@captune/core';
import { TfjsBackend } from './tfjs-backend.js';
import { tfjsBackendModule, tfjsBackendProvider } from './tfjs-backend-provider.js';
import { importTfjsNative, oneLine } from './tfjs-runtime.js';

describe('TfjsBackendProvider', () => {
  it('lists its devices in auto order', () => {
    expect(tfjsBackendProvider.name).toBe('tfjs');
    expect(tfjsBackendProvider.devices).toEqual(['cuda', 'node', 'wasm', 'cpu']);
  });

  it('reports wasm (with SIMD) and cpu as available', async () => {
    const wasm = await tfjsBackendProvider.probe('wasm');
    expect(wasm).toEqual({ available: true, detail: expect.stringMatching(/^WebAssembly, SIMD/) });
    expect(await tfjsBackendProvider.probe('cpu')).toMatchObject({ available: true });
  });

  it.each([
    ['node', '@tensorflow/tfjs-node'],
    ['cuda', '@tensorflow/tfjs-node-gpu'],
  ] as const)(
    'explains why %s is unavailable without the native addon and how to get it',
    async (device, pkg) => {
      const a = await tfjsBackendProvider.probe(device);
      if (a.available) throw new Error(`${device} should be unavailable on this machine`);
      expect(a.reason).toContain(pkg);
      expect(a.reason).toMatch(/tfjs_binding\.node|not installed/);
      expect(a.reason).not.toContain('\n');
      expect(a.remedy).toContain(`pnpm add ${pkg}`);
      expect(a.remedy).toContain('pnpm approve-builds');
      expect(a.remedy).toContain('libtensorflow');
      if (device === 'cuda') expect(a.remedy).toContain('CUDA 11.2 + cuDNN 8.1');
      await expect(tfjsBackendProvider.create(device)).rejects.toThrow(BackendUnavailableError);
      await expect(tfjsBackendProvider.create(device)).rejects.toThrow(
        `backend "tfjs" on device "${device}" is unavailable: ${a.reason}`,
      );
    },
  );

  it('reports the import error of a tfjs-node without its addon in one line', async () => {
    // The path taken when the addon file exists but cannot load: the import itself fails.
    const err = await importTfjsNative('@tensorflow/tfjs-node').then(
      () => null,
      (e: unknown) => e,
    );
    if (err === null) return expect.fail('@tensorflow/tfjs-node should not load on this machine');
    expect(oneLine(err)).toMatch(
      /native addon module \(tfjs_binding\.node\) can not be found at path: \S+tfjs_binding\.node$/,
    );
  });

  it('refuses devices it does not drive, without throwing from probe', async () => {
    expect(await tfjsBackendProvider.probe('webgpu')).toMatchObject({
      available: false,
      reason: expect.stringContaining('webgpu'),
    });
    await expect(tfjsBackendProvider.create('webgpu')).rejects.toThrow(
      /does not drive device "webgpu"/,
    );
  });
});

describe('tfjsBackendModule in the backend registry', () => {
  it('resolves device "auto" to wasm here and creates a working backend', async () => {
    const registry = createBackendRegistry([tfjsBackendModule]);
    expect(registry.names()).toEqual(['tfjs']);
    const b = await registry.create({ backend: 'tfjs', device: 'auto' });
    expect(b).toBeInstanceOf(TfjsBackend);
    expect(b.device).toBe('wasm');
    const x = b.upload(Float32Array.from([1, 4, 9]), { shape: [3], dtype: 'float32' });
    const y = b.unary(
      'sqrt',
      { handle: x, shape: [3], dtype: 'float32' },
      { shape: [3], dtype: 'float32' },
    );
    expect(Array.from(await b.read({ handle: y, shape: [3], dtype: 'float32' }))).toEqual([
      1, 2, 3,
    ]);
    await b.close();
  });

  it('reports every device with its availability', async () => {
    const report = await createBackendRegistry([tfjsBackendModule]).report();
    expect(report.map((r) => [r.device, r.availability.available])).toEqual([
      ['cuda', false],
      ['node', false],
      ['wasm', true],
      ['cpu', true],
    ]);
  });
});

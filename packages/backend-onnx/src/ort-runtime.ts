/**
 * Loads `onnxruntime-node` lazily (a native addon: a broken install must not break the CLI),
 * once per process, and names the execution provider of each captune device.
 */
import type * as OrtModule from 'onnxruntime-node';

export type Ort = typeof OrtModule;
export type OrtTensor = OrtModule.Tensor;
export type OrtSession = OrtModule.InferenceSession;

export type OrtLoad = { readonly ok: true; readonly ort: Ort } | { readonly ok: false; readonly reason: string };

let loading: Promise<OrtLoad> | null = null;

export function loadOrt(): Promise<OrtLoad> {
  loading ??= import('onnxruntime-node').then(
    (m): OrtLoad => ({ ok: true, ort: ((m as unknown as { default?: Ort }).default ?? m) as Ort }),
    (e: unknown): OrtLoad => ({ ok: false, reason: `onnxruntime-node did not load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` }),
  );
  return loading;
}

/** The devices the onnx backend drives, in the order `device: "auto"` tries them (GPU only if it really works). */
export const ONNX_DEVICES = ['cuda', 'cpu', 'webgpu'] as const;
export type OnnxDevice = (typeof ONNX_DEVICES)[number];

/** ORT execution provider name of a device. */
export const EXECUTION_PROVIDER: Record<OnnxDevice, string> = { cpu: 'cpu', cuda: 'cuda', webgpu: 'webgpu' };

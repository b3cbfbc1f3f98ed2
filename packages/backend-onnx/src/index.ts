/** @captune/backend-onnx: core's op contract recorded into ONNX graphs run by ONNX Runtime (cpu, cuda, webgpu), and ONNX export. */
export { OnnxBackend, type OnnxBackendOptions, type OnnxBackendStats } from './onnx-backend.js';
export { OnnxBackendProvider, onnxBackendModule, onnxBackendProvider, type OnnxBackendTuning } from './onnx-backend-provider.js';
export { loadOrt, ONNX_DEVICES, type OnnxDevice, type Ort } from './ort-runtime.js';
export { exportOnnxFolder, type ExportedFile, type ExportOnnxOptions } from './export/export-onnx-folder.js';
export { checkOnnxModel } from './export/onnx-checker.js';
export { writeOnnxModel, type WriteOnnxOptions, type WrittenOnnx } from './export/onnx-file-writer.js';
export { encodeOnnxModel, ONNX_OPSET, type OnnxModel } from './proto/onnx-model.js';

/** What ran a result: every result.json records this (docs/architecture.md, "The reproduction contract"). */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { backendExtras } from './backend.js';

export interface DeviceInfo {
  /** The active tfjs backend ('wasm', 'cpu', 'webgpu', 'tensorflow', ...). */
  backend: string;
  /** CPU model, or GPU adapter for GPU backends. */
  device: string;
  /** Threads the backend computes with. */
  threads: number;
  /** Logical CPUs of the machine. */
  cpus: number;
  platform: string;
  arch: string;
  versions: { node: string; tfjsCore: string; paperzooTensor: string; [k: string]: string };
}

/** The version string of @paperzoo/tensor itself. */
export const TENSOR_VERSION = '0.1.0';

/** Describe the active backend and machine. Call after `initBackend()`. */
export function deviceInfo(): DeviceInfo {
  const backend = tf.getBackend() ?? 'none';
  const extra = backendExtras(backend);
  const cpuModel = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  let threads = extra.threads ?? 1;
  if (backend === 'tensorflow') threads = extra.threads ?? os.cpus().length;
  return {
    backend,
    device: extra.device ?? cpuModel,
    threads,
    cpus: os.cpus().length,
    platform: os.platform(),
    arch: os.arch(),
    versions: { node: process.versions.node, tfjsCore: tf.version_core, paperzooTensor: TENSOR_VERSION },
  };
}

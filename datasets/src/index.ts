/**
 * `@paperzoo/datasets`: the dataset registry (URLs, sizes, sha256), verified fetch with a mirror folder and a
 * cache, parsers for the formats the reproduced papers use, high-level loaders, and deterministic batching.
 *
 * @example
 * ```ts
 * import { loadMnist, batchIndices, takeBatch } from '@paperzoo/datasets';
 * const train = await loadMnist({ split: 'train' });
 * for (const idx of batchIndices(train.count, 128, { seed: 0, epoch: 0 })) {
 *   const { x, y, shape } = takeBatch(train, idx); // x: Float32Array [128, 28, 28, 1] in [0, 1]
 * }
 * ```
 * @packageDocumentation
 */
export { DatasetError, isDatasetError, type DatasetErrorCode, type DatasetErrorInit } from './errors.js';
export {
  registry,
  datasetNames,
  isDatasetName,
  getDataset,
  getFileEntry,
  type DatasetName,
  type DatasetEntry,
  type FileEntry,
  type ArchiveEntry,
  type AlternateEncoding,
} from './registry.js';
export {
  fetchFile,
  fetchFileWithInfo,
  fetchDataset,
  readDatasetFile,
  resolveFetchConfig,
  BUNDLED_DIR,
  type FetchOptions,
  type FetchResult,
  type FetchSource,
  type FetchEvent,
  type FetchConfig,
} from './fetch.js';
export { gunzipBytes, gunzipBytesSync, isGzip } from './gzip.js';
export { readZipMember, unzipMembers, readTarMembers, walkTarGz, TarParser, type TarEntry, type TarSink } from './archive.js';
export { parseIdx, parseIdxImages, parseIdxLabels, encodeIdxUint8, type IdxArray, type IdxData, type IdxDataType, type IdxImages, type IdxLabels } from './idx.js';
export { parseCifarBatch, parseCifarMeta, CIFAR10_CLASSES, CIFAR_RECORD_BYTES, CIFAR_IMAGE_BYTES, type CifarBatch, type CifarTarget } from './cifar.js';
export {
  toFloat32,
  imageToFloat32,
  takeBatch,
  allToFloat32,
  oneHot,
  subset,
  channelStats,
  type ImageDataset,
  type ImageLayout,
  type ImageBatch,
  type Normalization,
  type FloatImageOptions,
} from './images.js';
export {
  EOS,
  Vocabulary,
  splitLines,
  splitWords,
  tokenizeWords,
  buildWordCorpus,
  buildCharCorpus,
  splitSequence,
  batchify,
  bpttBatch,
  type WordCorpus,
  type CharCorpus,
  type Batchified,
} from './text.js';
export { parseTsv, parseParallelText, parseNumericTable, standardizeColumns, type TsvTable, type ParallelText, type NumericTable } from './tabular.js';
export { parseOmniglotZip, type OmniglotSet, type OmniglotCharacter, type OmniglotParseOptions } from './omniglot.js';
export {
  seededShuffledIndices,
  batchIndices,
  numBatches,
  trainValSplit,
  paperSplit,
  PAPER_SPLITS,
  type BatchOptions,
  type SplitMode,
  type SplitOptions,
  type TrainValSplit,
  type PaperSplit,
  type PaperSplitName,
} from './batching.js';
export {
  loadMnist,
  loadFashionMnist,
  loadCifar10,
  loadPtb,
  loadWikiText2,
  loadTinyShakespeare,
  loadOmniglot,
  loadSst2,
  loadMulti30k,
  loadAirfoil,
  MNIST_CLASSES,
  FASHION_MNIST_CLASSES,
  AIRFOIL_COLUMNS,
  type ImageSplit,
  type MnistOptions,
  type Cifar10Options,
  loadCifar10Normalized,
  type Cifar10Normalized,
  type TinyShakespeareOptions,
  type CharCorpusSplit,
  type OmniglotSetName,
  type OmniglotOptions,
  type Sst2Split,
  type Sst2Data,
  type Multi30kSplit,
  type Multi30kData,
  type AirfoilData,
} from './loaders.js';
export {
  loadVinyalsSplit,
  loadOmniglotFewShot,
  resizeSquare,
  rotateSquare,
  nearestIndices,
  VINYALS_SPLITS,
  OMNIGLOT_SIZE,
  OMNIGLOT_DRAWINGS,
  type VinyalsSplit,
  type OmniglotResize,
  type OmniglotFewShot,
  type OmniglotFewShotOptions,
} from './omniglot-fewshot.js';
export { decodeGrayPng, decodeGrayPngFast, decodePngWithPngjs, type GrayImage } from './png.js';

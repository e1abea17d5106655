// GEMM, convolution, pooling and reductions of the paperzoo native backend.
#pragma once
#include <cstdint>
#include <string>

#include "kernels.h"

namespace pz {

// GEMM_DNNL_SGEMM: oneDNN's dnnl_sgemm API, kept only for bench/gemm-signals.mjs (see dense.cc)
enum GemmLib { GEMM_OPENBLAS, GEMM_DNNL, GEMM_DNNL_SGEMM };

/** Convolution geometry (NHWC input [n, h, w, c], filter [kh, kw, c, o], output [n, oh, ow, o]). */
struct ConvGeom {
  int64_t n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pb, pl, pr;
};
/** Pooling geometry (NHWC, c channels pooled independently). */
struct PoolGeom {
  int64_t n, h, w, c, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl;
};

std::string init(int threads);
void setThreads(int threads);
void setGemmLib(int lib);
void setConvLayout(int layout);
void gemm(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k, bool ta, bool tb, int64_t strideA, int64_t strideB);
std::string conv2d(const float* x, const float* w, const float* bias, float* y, const ConvGeom& g, int act, float alpha);
std::string conv2dBackpropInput(const float* dy, const float* w, float* dx, const ConvGeom& g);
std::string conv2dBackpropFilter(const float* x, const float* dy, float* dw, const ConvGeom& g);
void maxPool(const float* x, float* y, int32_t* argmax, const PoolGeom& g);
void maxPoolGrad(const float* x, const float* dy, float* dx, const PoolGeom& g);
void avgPool(const float* x, float* y, const PoolGeom& g);
void avgPoolGrad(const float* dy, float* dx, const PoolGeom& g);
void reduce(int op, const float* x, float* out, int64_t outer, int64_t mid, int64_t inner);
void batchNormGrad(const float* x, const float* mean, const float* var, const float* scale, const float* dy, float eps, int64_t rows, int64_t c, float* dx,
                   float* dmean, float* dvar, float* dscale, float* doffset);
void stridedCopy(const float* src, float* dst, int rank, const int64_t* shape, const int64_t* ss, const int64_t* ds);

}  // namespace pz

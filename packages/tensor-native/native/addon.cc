// Node-API bindings of the paperzoo native backend. Every function is synchronous and works on the
// memory of the JS typed arrays it is given (no copies): the backend's tensors are those arrays.
#include <napi.h>

#include "dense.h"
#include "train.h"
#include "kernels.h"
#include "lstm.h"
#include "gru.h"
#include "transformer.h"
#include "optim.h"

namespace {

float* f32(const Napi::Value& v) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  return v.As<Napi::Float32Array>().Data();
}

int32_t* i32(const Napi::Value& v) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  return v.As<Napi::Int32Array>().Data();
}

int64_t num(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

pz::ConvGeom convGeom(const Napi::Value& v) {
  const int32_t* p = v.As<Napi::Int32Array>().Data();
  return pz::ConvGeom{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16]};
}

pz::PoolGeom poolGeom(const Napi::Value& v) {
  const int32_t* p = v.As<Napi::Int32Array>().Data();
  return pz::PoolGeom{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
}

Napi::Value Init(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), pz::init((int)num(info[0]))); }

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  pz::setThreads((int)num(info[0]));
  return info.Env().Undefined();
}

Napi::Value SetGemmLib(const Napi::CallbackInfo& info) {
  pz::setGemmLib((int)num(info[0]));
  return info.Env().Undefined();
}

Napi::Value SetConvLayout(const Napi::CallbackInfo& info) {
  pz::setConvLayout((int)num(info[0]));
  return info.Env().Undefined();
}

// gemm(a, b, c, batch, m, n, k, transA, transB, strideA, strideB)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  pz::gemm(f32(info[0]), f32(info[1]), f32(info[2]), num(info[3]), num(info[4]), num(info[5]), num(info[6]), info[7].As<Napi::Boolean>(), info[8].As<Napi::Boolean>(),
           num(info[9]), num(info[10]));
  return info.Env().Undefined();
}

// biasActivation(y, bias | null, rows, cols, activation, alpha)
Napi::Value BiasActivation(const Napi::CallbackInfo& info) {
  pz::biasActivation(f32(info[0]), f32(info[1]), num(info[2]), num(info[3]), (int)num(info[4]), (float)info[5].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

// conv2d(x, w, bias | null, y, geometry Int32Array(17), activation, alpha) → oneDNN implementation name
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  std::string impl = pz::conv2d(f32(info[0]), f32(info[1]), f32(info[2]), f32(info[3]), convGeom(info[4]), (int)num(info[5]), (float)info[6].As<Napi::Number>().DoubleValue());
  return Napi::String::New(info.Env(), impl);
}

// conv2dBackpropInput(dy, w, dx, geometry)
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pz::conv2dBackpropInput(f32(info[0]), f32(info[1]), f32(info[2]), convGeom(info[3])));
}

// conv2dBackpropFilter(x, dy, dw, geometry)
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pz::conv2dBackpropFilter(f32(info[0]), f32(info[1]), f32(info[2]), convGeom(info[3])));
}

// maxPool(x, y | null, argmax Int32Array | null, geometry Int32Array(14))
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  pz::maxPool(f32(info[0]), f32(info[1]), i32(info[2]), poolGeom(info[3]));
  return info.Env().Undefined();
}

// maxPoolGrad(x, dy, dx, geometry)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  pz::maxPoolGrad(f32(info[0]), f32(info[1]), f32(info[2]), poolGeom(info[3]));
  return info.Env().Undefined();
}

// avgPool(x, y, geometry)
Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  pz::avgPool(f32(info[0]), f32(info[1]), poolGeom(info[2]));
  return info.Env().Undefined();
}

// avgPoolGrad(dy, dx, geometry)
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  pz::avgPoolGrad(f32(info[0]), f32(info[1]), poolGeom(info[2]));
  return info.Env().Undefined();
}

// unary(op, x, y, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  auto x = info[1].As<Napi::Float32Array>();
  pz::unary((int)num(info[0]), x.Data(), f32(info[2]), (int64_t)x.ElementLength(), (float)info[3].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

// A broadcast layout Float64Array(3·rank): shape, strides of a, strides of b (rank ≤ 8); returns the rank.
static int readLayout(const Napi::Value& v, int64_t* shape, int64_t* sa, int64_t* sb) {
  auto layout = v.As<Napi::Float64Array>();
  const int rank = (int)(layout.ElementLength() / 3);
  for (int d = 0; d < rank; d++) {
    shape[d] = (int64_t)layout[d];
    sa[d] = (int64_t)layout[rank + d];
    sb[d] = (int64_t)layout[2 * rank + d];
  }
  return rank;
}

// binary(op, a, b, out, layout)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  int64_t shape[8], sa[8], sb[8];
  const int rank = readLayout(info[4], shape, sa, sb);
  pz::binary((int)num(info[0]), f32(info[1]), f32(info[2]), f32(info[3]), rank, shape, sa, sb);
  return info.Env().Undefined();
}

// compare(op, a, b, out Uint8Array, layout as binary's)
Napi::Value Compare(const Napi::CallbackInfo& info) {
  int64_t shape[8], sa[8], sb[8];
  const int rank = readLayout(info[4], shape, sa, sb);
  pz::compare((int)num(info[0]), f32(info[1]), f32(info[2]), info[3].As<Napi::Uint8Array>().Data(), rank, shape, sa, sb);
  return info.Env().Undefined();
}

// logicalNot(x Uint8Array, out Uint8Array)
Napi::Value LogicalNot(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Uint8Array>();
  pz::logicalNot(x.Data(), info[1].As<Napi::Uint8Array>().Data(), (int64_t)x.ElementLength());
  return info.Env().Undefined();
}

// stridedCopy(src, dst, layout Float64Array(3·rank): shape, source strides, destination strides)
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  auto layout = info[2].As<Napi::Float64Array>();
  const int rank = (int)(layout.ElementLength() / 3);
  int64_t shape[8], ss[8], ds[8];
  for (int d = 0; d < rank; d++) {
    shape[d] = (int64_t)layout[d];
    ss[d] = (int64_t)layout[rank + d];
    ds[d] = (int64_t)layout[2 * rank + d];
  }
  pz::stridedCopy(f32(info[0]), f32(info[1]), rank, shape, ss, ds);
  return info.Env().Undefined();
}

// reduce(op, x, out, outer, mid, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  pz::reduce((int)num(info[0]), f32(info[1]), f32(info[2]), num(info[3]), num(info[4]), num(info[5]));
  return info.Env().Undefined();
}

// batchNorm(x, mean, variance, offset | null, scale | null, y, channels, epsilon)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  const int64_t c = num(info[6]);
  pz::batchNorm(x.Data(), f32(info[1]), f32(info[2]), f32(info[3]), f32(info[4]), f32(info[5]), (int64_t)x.ElementLength() / c, c,
                (float)info[7].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

// batchNormGrad(x, mean, variance, scale | null, dy, epsilon, dx, dmean, dvariance, dscale, doffset)
Napi::Value BatchNormGrad(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  auto mean = info[1].As<Napi::Float32Array>();
  const int64_t c = (int64_t)mean.ElementLength();
  pz::batchNormGrad(x.Data(), mean.Data(), f32(info[2]), f32(info[3]), f32(info[4]), (float)info[5].As<Napi::Number>().DoubleValue(), (int64_t)x.ElementLength() / c, c,
                    f32(info[6]), f32(info[7]), f32(info[8]), f32(info[9]), f32(info[10]));
  return info.Env().Undefined();
}

// softmax(x, y, rows, cols, log)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  pz::softmax(f32(info[0]), f32(info[1]), num(info[2]), num(info[3]), info[4].As<Napi::Boolean>());
  return info.Env().Undefined();
}

// activationGrad(op, dy, v, dx, alpha): relu, leakyRelu (v = x, alpha its slope), tanh, sigmoid (v = y)
Napi::Value ActivationGrad(const Napi::CallbackInfo& info) {
  auto dy = info[1].As<Napi::Float32Array>();
  pz::activationGrad((int)num(info[0]), dy.Data(), f32(info[2]), f32(info[3]), (int64_t)dy.ElementLength(), (float)info[4].As<Napi::Number>().DoubleValue());
  return info.Env().Undefined();
}

// batchNormTrain(x, scale | null, offset | null, epsilon, y, mean, variance)
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  auto mean = info[5].As<Napi::Float32Array>();
  const int64_t c = (int64_t)mean.ElementLength();
  pz::batchNormTrain(x.Data(), f32(info[1]), f32(info[2]), (float)info[3].As<Napi::Number>().DoubleValue(), (int64_t)x.ElementLength() / c, c, f32(info[4]),
                     mean.Data(), f32(info[6]));
  return info.Env().Undefined();
}

// batchNormTrainGrad(x, scale | null, mean, variance, dy, dmean | null, dvariance | null, epsilon, dx, dscale, doffset)
Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  auto mean = info[2].As<Napi::Float32Array>();
  const int64_t c = (int64_t)mean.ElementLength();
  pz::batchNormTrainGrad(x.Data(), f32(info[1]), mean.Data(), f32(info[3]), f32(info[4]), f32(info[5]), f32(info[6]), (float)info[7].As<Napi::Number>().DoubleValue(),
                         (int64_t)x.ElementLength() / c, c, f32(info[8]), f32(info[9]), f32(info[10]));
  return info.Env().Undefined();
}

// lstmCell(gates, c, h, cNext, rows, units)
Napi::Value LstmCell(const Napi::CallbackInfo& info) {
  pz::lstmCell(f32(info[0]), f32(info[1]), f32(info[2]), f32(info[3]), num(info[4]), num(info[5]));
  return info.Env().Undefined();
}

// lstmCellGrad(gates, c, dh, dcNext, dgates, dc, rows, units)
Napi::Value LstmCellGrad(const Napi::CallbackInfo& info) {
  pz::lstmCellGrad(f32(info[0]), f32(info[1]), f32(info[2]), f32(info[3]), f32(info[4]), f32(info[5]), num(info[6]), num(info[7]));
  return info.Env().Undefined();
}

// gruCell(xGates, hGates, h, hNext, rows, units)
Napi::Value GruCell(const Napi::CallbackInfo& info) {
  pz::gruCell(f32(info[0]), f32(info[1]), f32(info[2]), f32(info[3]), num(info[4]), num(info[5]));
  return info.Env().Undefined();
}

// gruCellGrad(xGates, hGates, h, dhNext, dxGates, dhGates, dh, rows, units)
Napi::Value GruCellGrad(const Napi::CallbackInfo& info) {
  pz::gruCellGrad(f32(info[0]), f32(info[1]), f32(info[2]), f32(info[3]), f32(info[4]), f32(info[5]), f32(info[6]), num(info[7]), num(info[8]));
  return info.Env().Undefined();
}

// softmaxCrossEntropy(logits, labels, loss, stats, rows, cols)
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  pz::softmaxCrossEntropy(f32(info[0]), f32(info[1]), f32(info[2]), f32(info[3]), num(info[4]), num(info[5]));
  return info.Env().Undefined();
}

// softmaxCrossEntropyGrad(logits, labels, stats, dy, out, rows, cols, part)
Napi::Value SoftmaxCrossEntropyGrad(const Napi::CallbackInfo& info) {
  pz::softmaxCrossEntropyGrad(f32(info[0]), f32(info[1]), f32(info[2]), f32(info[3]), f32(info[4]), num(info[5]), num(info[6]), (int)num(info[7]));
  return info.Env().Undefined();
}

// layerNorm(x, gamma | null, beta | null, epsilon, y, mean, rstd): rows = mean's length
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  auto mean = info[5].As<Napi::Float32Array>();
  const int64_t rows = (int64_t)mean.ElementLength();
  pz::layerNorm(x.Data(), f32(info[1]), f32(info[2]), (float)info[3].As<Napi::Number>().DoubleValue(), rows, rows > 0 ? (int64_t)x.ElementLength() / rows : 0, f32(info[4]),
                mean.Data(), f32(info[6]));
  return info.Env().Undefined();
}

// layerNormGrad(x, gamma | null, mean, rstd, dy, dx, dgamma | null, dbeta | null)
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  auto mean = info[2].As<Napi::Float32Array>();
  const int64_t rows = (int64_t)mean.ElementLength();
  pz::layerNormGrad(x.Data(), f32(info[1]), mean.Data(), f32(info[3]), f32(info[4]), rows, rows > 0 ? (int64_t)x.ElementLength() / rows : 0, f32(info[5]), f32(info[6]),
                    f32(info[7]));
  return info.Env().Undefined();
}

// gelu(x, y)
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  pz::gelu(x.Data(), f32(info[1]), (int64_t)x.ElementLength());
  return info.Env().Undefined();
}

// geluGrad(x, dy, dx)
Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>();
  pz::geluGrad(x.Data(), f32(info[1]), f32(info[2]), (int64_t)x.ElementLength());
  return info.Env().Undefined();
}

// softmaxGrad(y, dy, dx, rows, cols)
Napi::Value SoftmaxGrad(const Napi::CallbackInfo& info) {
  pz::softmaxGrad(f32(info[0]), f32(info[1]), f32(info[2]), num(info[3]), num(info[4]));
  return info.Env().Undefined();
}

// select(condition Uint8Array, a, b, out)
Napi::Value Select(const Napi::CallbackInfo& info) {
  auto cond = info[0].As<Napi::Uint8Array>();
  pz::select(cond.Data(), f32(info[1]), f32(info[2]), f32(info[3]), (int64_t)cond.ElementLength());
  return info.Env().Undefined();
}

// adamUpdate(theta, grad, m, v, scalars Float32Array[10] (pz::AdamScalars' order), thetaOut, mOut, vOut)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  auto theta = info[0].As<Napi::Float32Array>();
  const float* p = info[4].As<Napi::Float32Array>().Data();
  const pz::AdamScalars s{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]};
  pz::adamUpdate(theta.Data(), f32(info[1]), f32(info[2]), f32(info[3]), (int64_t)theta.ElementLength(), s, f32(info[5]), f32(info[6]), f32(info[7]));
  return info.Env().Undefined();
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setGemmLib", Napi::Function::New(env, SetGemmLib));
  exports.Set("setConvLayout", Napi::Function::New(env, SetConvLayout));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("activationGrad", Napi::Function::New(env, ActivationGrad));
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad));
  exports.Set("biasActivation", Napi::Function::New(env, BiasActivation));
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("compare", Napi::Function::New(env, Compare));
  exports.Set("logicalNot", Napi::Function::New(env, LogicalNot));
  exports.Set("stridedCopy", Napi::Function::New(env, StridedCopy));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("lstmCell", Napi::Function::New(env, LstmCell));
  exports.Set("lstmCellGrad", Napi::Function::New(env, LstmCellGrad));
  exports.Set("gruCell", Napi::Function::New(env, GruCell));
  exports.Set("gruCellGrad", Napi::Function::New(env, GruCellGrad));
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, SoftmaxCrossEntropy));
  exports.Set("softmaxCrossEntropyGrad", Napi::Function::New(env, SoftmaxCrossEntropyGrad));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormGrad", Napi::Function::New(env, LayerNormGrad));
  exports.Set("gelu", Napi::Function::New(env, Gelu));
  exports.Set("geluGrad", Napi::Function::New(env, GeluGrad));
  exports.Set("softmaxGrad", Napi::Function::New(env, SoftmaxGrad));
  exports.Set("select", Napi::Function::New(env, Select));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  return exports;
}

}  // namespace

NODE_API_MODULE(paperzoo_native, Module)

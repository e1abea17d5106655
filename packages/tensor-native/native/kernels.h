// The kernels of the paperzoo native backend (plain C++ over float32 arrays; no Node-API here).
#pragma once
#include <cstdint>

namespace pz {

enum Unary { U_RELU, U_RELU6, U_TANH, U_SIGMOID, U_EXP, U_LOG, U_NEG, U_SQRT, U_RSQRT, U_SQUARE, U_ABS, U_RECIPROCAL, U_STEP, U_ELU, U_LEAKYRELU, U_SOFTPLUS };
enum Binary { B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_SQDIFF };
enum Activation { A_LINEAR, A_RELU, A_RELU6, A_ELU, A_LEAKYRELU, A_SIGMOID, A_TANH };
enum Reduce { R_SUM, R_MAX, R_MIN };

void unary(int op, const float* x, float* y, int64_t n, float alpha);
void binary(int op, const float* a, const float* b, float* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb);
void batchNorm(const float* x, const float* mean, const float* var, const float* offset, const float* scale, float* y, int64_t rows, int64_t c, float eps);
void softmax(const float* x, float* y, int64_t rows, int64_t cols, bool logSoftmax);
void biasActivation(float* y, const float* bias, int64_t rows, int64_t cols, int act, float alpha);

}  // namespace pz

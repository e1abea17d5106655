{
  "targets": [
    {
      "target_name": "paperzoo_elementwise",
      "type": "static_library",
      "sources": ["native/ew.cc", "native/lstm.cc", "native/gru.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-march=native", "-fopenmp", "-ffast-math", "-fPIC", "-std=c++17"]
    },
    {
      "target_name": "paperzoo_optim",
      "type": "static_library",
      "sources": ["native/optim.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-march=native", "-fopenmp", "-ffp-contract=off", "-fno-math-errno", "-fPIC", "-std=c++17"]
    },
    {
      "target_name": "paperzoo_native",
      "sources": ["native/addon.cc", "native/dense.cc", "native/train.cc", "native/ew-exact.cc", "native/transformer.cc"],
      "dependencies": ["paperzoo_elementwise", "paperzoo_optim"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-O3", "-march=native", "-fopenmp", "-std=c++17", "-fexceptions"],
      "libraries": ["-lopenblas", "-ldnnl", "-fopenmp"]
    }
  ]
}

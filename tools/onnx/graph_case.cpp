// graph_case: writes one of the small float graphs of frontends/onnx/test_graphs.h as an .onnx
// file, for check_onnx_graph.py (nnac, the RTL and onnxruntime on its QDQ export; docs/onnx.md,
// "Graphs").
//   graph_case block|chain|mobile|head|fold|acts|pools|pools_exclude|inception_pool|
//   inception_pool_include|decoder|decoder_cropped|spp|tf_pools|alone OUT.onnx
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "frontends/onnx/graph.h"
#include "frontends/onnx/test_graphs.h"

int main(int argc, char** argv) {
  namespace tg = nna::onnx::test_graphs;
  const std::map<std::string, nna::onnx::Model (*)()> cases{
      {"block", tg::Block},
      {"chain", tg::Chain},
      {"mobile", tg::Mobile},
      {"head", tg::Head},
      {"fold", tg::Fold},
      {"acts", tg::Acts},
      {"pools", tg::Pools},
      {"pools_exclude", tg::PoolsExclude},
      {"inception_pool", tg::InceptionPoolExclude},
      {"inception_pool_include", tg::InceptionPoolInclude},
      {"decoder", tg::Decoder},
      {"decoder_cropped", tg::DecoderCropped},
      {"spp", tg::Spp},
      {"tf_pools", tg::TfPools},
      {"alone", tg::Alone}};
  const auto it = argc == 3 ? cases.find(argv[1]) : cases.end();
  if (it == cases.end()) {
    std::fprintf(
        stderr,
        "usage: graph_case "
        "block|chain|mobile|head|fold|acts|pools|pools_exclude|inception_pool|inception_pool_include|"
        "decoder|decoder_cropped|spp|tf_pools|alone "
        "OUT.onnx\n");
    return 2;
  }
  try {
    const std::filesystem::path out(argv[2]);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    nna::onnx::SaveModel(it->second(), argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "graph_case: %s\n", e.what());
    return 2;
  }
  return 0;
}

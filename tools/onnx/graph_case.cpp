// graph_case: writes one of the small float graphs of frontends/onnx/test_graphs.h as an .onnx
// file, for check_onnx_graph.py (nnac, the RTL and onnxruntime on its QDQ export; docs/onnx.md,
// "Graphs").
//   graph_case block|chain|mobile|head OUT.onnx
#include <cstdio>
#include <filesystem>
#include <string>

#include "frontends/onnx/graph.h"
#include "frontends/onnx/test_graphs.h"

int main(int argc, char** argv) {
  const std::string which = argc == 3 ? argv[1] : "";
  if (which != "block" && which != "chain" && which != "mobile" && which != "head") {
    std::fprintf(stderr, "usage: graph_case block|chain|mobile|head OUT.onnx\n");
    return 2;
  }
  try {
    namespace tg = nna::onnx::test_graphs;
    const std::filesystem::path out(argv[2]);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
    nna::onnx::SaveModel(which == "block"   ? tg::Block()
                         : which == "chain" ? tg::Chain()
                                            : tg::Mobile(),
                         argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "graph_case: %s\n", e.what());
    return 2;
  }
  return 0;
}

// Rewrites of a float ONNX graph into an equivalent one whose nodes the graph import lowers
// (docs/onnx.md, "Graphs"): a Pad of zeros folded into the pads of the Convs that read it; a Mul
// or Div by a per-channel constant folded into the weights and bias of the Conv before it; the
// decomposed hard swish x * Clip(x + 3, 0, 6) / 6 as one HardSwish node. The import, the float
// reference and the QDQ export all read the folded graph, so onnxruntime runs the network the
// accelerator runs. A Pad that cannot fold is one sentence naming it.
#pragma once

#include "frontends/onnx/model.h"

namespace nna::onnx {

Model FoldGraph(const Model& model);

}  // namespace nna::onnx

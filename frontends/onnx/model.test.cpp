// LoadModel and ReadTensorPb on libonnx-testdata's files ([testdata]: registered only when the
// package is installed) and on files this test writes, corrupted one way each.
#include "frontends/onnx/model.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "frontends/onnx/test_files.h"
#include "onnx/onnx_pb.h"

using namespace nna::onnx;
using Catch::Matchers::Contains;
using nna::onnx::test::OutDir;
using nna::onnx::test::WriteBytes;

namespace {

const std::filesystem::path kNode = NNA_ONNX_TESTDATA;

// A one-node model, x -> Relu -> y, with an initializer w the caller corrupts.
::onnx::ModelProto SmallModel() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* x = g->add_input();
  x->set_name("x");
  x->mutable_type()->mutable_tensor_type()->set_elem_type(::onnx::TensorProto::FLOAT);
  x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_param("N");
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(::onnx::TensorProto::UINT8);
  w->add_dims(2);
  w->add_int32_data(7);
  w->add_int32_data(255);
  auto* n = g->add_node();
  n->set_op_type("Add");
  n->add_input("x");
  n->add_input("w");
  n->add_output("y");
  auto* a = n->add_attribute();
  a->set_name("alpha");
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(0.25f);
  g->add_output()->set_name("y");
  return m;
}

std::filesystem::path Save(const ::onnx::ModelProto& m, const std::filesystem::path& path) {
  WriteBytes(path, m.SerializeAsString());
  return path;
}

}  // namespace

TEST_CASE("model: QLinearConv node test", "[testdata]") {
  const Model m = LoadModel(kNode / "test_qlinearconv/model.onnx");
  REQUIRE(m.inputs.size() == 8);
  CHECK(m.inputs[0].name == "x");
  CHECK(m.inputs[0].Describe() == "uint8 [1,1,7,7]");
  CHECK(m.inputs[1].Describe() == "float []");
  CHECK(m.inputs[4].Describe() == "float [1]");
  REQUIRE(m.outputs.size() == 1);
  CHECK(m.outputs[0].Describe() == "uint8 [1,1,7,7]");
  REQUIRE(m.nodes.size() == 1);
  CHECK(m.nodes[0].op_type == "QLinearConv");
  CHECK(m.nodes[0].inputs.size() == 8);
  CHECK(m.OpsetVersion() >= 10);
  if (m.nodes[0].name_synthesized) CHECK(m.nodes[0].name == "QLinearConv_0");
  CHECK(m.initializers.empty());

  const Tensor x = ReadTensorPb(kNode / "test_qlinearconv/test_data_set_0/input_0.pb");
  CHECK(x.Describe() == "uint8 [1,1,7,7]");
  CHECK(x.AtInt(0) == 255);  // the operator's documented example input
  CHECK(x.AtInt(1) == 174);
  const Tensor y = ReadTensorPb(kNode / "test_qlinearconv/test_data_set_0/output_0.pb");
  CHECK(y.Describe() == "uint8 [1,1,7,7]");
  CHECK(y.AtInt(1) == 81);
  const Tensor scale = ReadTensorFile(kNode / "test_qlinearconv/test_data_set_0/input_1.pb");
  CHECK(scale.Describe() == "float []");
  CHECK(scale.AtDouble(0) == Approx(0.00369204697));
}

TEST_CASE("model: Conv attributes and the written .npy of a test tensor", "[testdata]") {
  const Model m = LoadModel(kNode / "test_conv_with_strides_padding/model.onnx");
  REQUIRE(m.nodes.size() == 1);
  const Node& n = m.nodes[0];
  CHECK(n.op_type == "Conv");
  REQUIRE(n.Find("strides"));
  CHECK(n.Find("strides")->kind == Attribute::Kind::kInts);
  CHECK(n.Find("strides")->ints == std::vector<int64_t>{2, 2});
  CHECK(n.Find("pads")->ValueText() == "[1,1,1,1]");
  CHECK(n.Find("kernel_shape")->ValueText() == "[3,3]");
  CHECK(n.Find("dilations") == nullptr);

  const Tensor w = ReadTensorPb(kNode / "test_conv_with_strides_padding/test_data_set_0/input_1.pb");
  const auto npy = OutDir("pb_to_npy") / "w.npy";
  WriteNpy(npy, w);
  const Tensor back = ReadNpy(npy);
  CHECK(Compare(w, back).Equal());
  CHECK(back.Describe() == "float [1,1,3,3]");
}

TEST_CASE("model: initializers and a tensor attribute", "[testdata]") {
  const Model conv = LoadModel(kNode / "../pytorch-converted/test_Conv2d/model.onnx");
  REQUIRE_FALSE(conv.initializers.empty());
  for (const ValueInfo& in : conv.inputs) CHECK(conv.FindInitializer(in.name) == nullptr);
  const Tensor& w = conv.initializers[0];
  CHECK(w.bytes.size() == w.NumElements() * ElementSize(w.type));

  const Model constant = LoadModel(kNode / "test_constant/model.onnx");
  REQUIRE(constant.nodes.size() == 1);
  const Attribute* value = constant.nodes[0].Find("value");
  REQUIRE(value);
  CHECK(value->kind == Attribute::Kind::kTensor);
  CHECK(value->t.Describe() == "float [5,5]");
}

TEST_CASE("model: every node test loads, or fails with one sentence", "[testdata]") {
  size_t loaded = 0, refused = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kNode)) {
    try {
      LoadModel(entry.path() / "model.onnx");
      ++loaded;
    } catch (const OnnxError& e) {
      ++refused;
      const std::string what = e.what();
      INFO(what);
      CHECK_THAT(what, Contains(entry.path().string()));
      CHECK(what.back() == '.');
    }
  }
  CHECK(loaded > 900);
  CHECK(refused < 20);
}

TEST_CASE("model: a written model loads, with synthesized names and its opsets", "[model]") {
  const auto path = Save(SmallModel(), OutDir("model_ok") / "small.onnx");
  const Model m = LoadModel(path);
  CHECK(m.inputs.size() == 1);
  CHECK(m.inputs[0].Describe() == "float [N]");
  CHECK(m.outputs[0].Describe() == "undefined (no shape)");
  REQUIRE(m.nodes.size() == 1);
  CHECK(m.nodes[0].name == "Add_0");
  CHECK(m.nodes[0].name_synthesized);
  CHECK(m.nodes[0].Find("alpha")->f == 0.25f);
  CHECK(m.OpsetVersion("") == 13);
  CHECK(m.OpsetVersion("ai.onnx") == 13);
  REQUIRE(m.FindInitializer("w"));
  CHECK(m.FindInitializer("w")->Describe() == "uint8 [2]");
  CHECK(m.FindInitializer("w")->AtInt(1) == 255);
}

TEST_CASE("model: every corrupted model or tensor file is one sentence", "[model]") {
  const auto dir = OutDir("model_errors");
  const std::string good = SmallModel().SerializeAsString();
  struct Case {
    const char* name;
    std::string bytes;
    const char* message;
  };
  auto corrupt = [](auto change) {
    ::onnx::ModelProto m = SmallModel();
    change(m);
    return m.SerializeAsString();
  };
  auto w = [](::onnx::ModelProto& m) { return m.mutable_graph()->mutable_initializer(0); };
  const Case cases[] = {
      {"truncated", good.substr(0, good.size() / 2), "do not parse as a ModelProto"},
      {"empty", "", "has no graph"},
      {"text", "ir_version: 8\n", "do not parse as a ModelProto"},
      {"no_opset", corrupt([](auto& m) { m.clear_opset_import(); }), "has no opset_import"},
      {"external", corrupt([&](auto& m) {
         w(m)->clear_int32_data();
         w(m)->set_data_location(::onnx::TensorProto::EXTERNAL);
         auto* kv = w(m)->add_external_data();
         kv->set_key("location");
         kv->set_value("weights.bin");
       }),
       "initializer 'w' keeps its data in an external file ('weights.bin')"},
      {"raw_short", corrupt([&](auto& m) {
         w(m)->clear_int32_data();
         w(m)->set_raw_data("\x07");
       }),
       "initializer 'w' has 1 bytes of raw_data where uint8 [2] needs 2"},
      {"count", corrupt([&](auto& m) { w(m)->add_int32_data(1); }),
       "initializer 'w' has 3 values in int32_data"},
      {"range", corrupt([&](auto& m) { w(m)->set_int32_data(1, 256); }),
       "initializer 'w' element [1] is 256, beyond uint8"},
      {"string", corrupt([&](auto& m) { w(m)->set_data_type(::onnx::TensorProto::STRING); }),
       "initializer 'w' has data type string, which is not supported"},
      {"undefined_type", corrupt([&](auto& m) { w(m)->set_data_type(0); }), "has data type undefined"},
      {"negative_dim", corrupt([&](auto& m) { w(m)->set_dims(0, -2); }), "has a negative dimension -2"},
      {"undefined_input", corrupt([](auto& m) { m.mutable_graph()->mutable_node(0)->set_input(1, "v"); }),
       "node 'Add_0' (Add) reads 'v', which is no graph input"},
      {"no_producer", corrupt([](auto& m) { m.mutable_graph()->clear_node(); }),
       "graph output 'y' is produced by no node"},
      {"tensor_attr", corrupt([](auto& m) {
         auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
         a->set_name("value");
         a->set_type(::onnx::AttributeProto::TENSOR);
         a->mutable_t()->set_data_type(::onnx::TensorProto::FLOAT);
         a->mutable_t()->add_dims(3);
       }),
       "node 'Add_0' (Add) attribute 'value' has 0 values in float_data for its 3 elements"},
  };
  for (const Case& c : cases) {
    const auto path = dir / (std::string(c.name) + ".onnx");
    WriteBytes(path, c.bytes);
    INFO(c.name);
    REQUIRE_THROWS_AS(LoadModel(path), OnnxError);
    REQUIRE_THROWS_WITH(LoadModel(path), Contains(path.string()) && Contains(c.message));
  }
  REQUIRE_THROWS_WITH(LoadModel(dir / "missing.onnx"), Contains("cannot open") && Contains("missing.onnx"));

  // Tensor files: cut inside the data, and a model given where a tensor is expected.
  ::onnx::TensorProto t;
  t.set_name("x");
  t.set_data_type(::onnx::TensorProto::FLOAT);
  t.add_dims(4);
  t.set_raw_data(std::string(16, '\0'));
  const std::string tensor = t.SerializeAsString();
  WriteBytes(dir / "cut.pb", tensor.substr(0, tensor.size() - 3));
  REQUIRE_THROWS_WITH(ReadTensorPb(dir / "cut.pb"), Contains("cut.pb is not a TensorProto file"));
  t.set_raw_data(std::string(12, '\0'));
  WriteBytes(dir / "short.pb", t.SerializeAsString());
  REQUIRE_THROWS_WITH(ReadTensorPb(dir / "short.pb"),
                      Contains("short.pb: tensor 'x' has 12 bytes of raw_data where float [4] needs 16"));
  WriteBytes(dir / "empty.pb", "");
  REQUIRE_THROWS_WITH(ReadTensorFile(dir / "empty.pb"), Contains("empty.pb is empty"));
  WriteBytes(dir / "model.pb", good);
  REQUIRE_THROWS_WITH(ReadTensorPb(dir / "model.pb"), Contains("model.pb is not a TensorProto file"));
}

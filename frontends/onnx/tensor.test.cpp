// Tensors, .npy files written and read back, .npy files as NumPy writes them, and every malformed
// .npy file's sentence.
#include "frontends/onnx/tensor.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "frontends/onnx/test_files.h"

using namespace nna::onnx;
using Catch::Matchers::Contains;
using nna::onnx::test::OutDir;
using nna::onnx::test::WriteBytes;

namespace {

// A version 1.0 .npy file with the given header dict and data, padded as NumPy pads it.
std::string Npy(std::string dict, const std::string& data, int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  dict.append(63 - (prefix + dict.size()) % 64, ' ');
  dict += '\n';
  std::string s = "\x93NUMPY";
  s += static_cast<char>(major);
  s += '\0';
  s += static_cast<char>(dict.size() & 0xff);
  s += static_cast<char>(dict.size() >> 8);
  if (major > 1) s += std::string(2, '\0');
  return s + dict + data;
}

}  // namespace

TEST_CASE("npy: every supported type written and read back", "[npy]") {
  const auto dir = OutDir("npy_round_trip");
  std::vector<Tensor> tensors = {
      MakeIntTensor(DataType::kUint8, {1, 2, 3}, {0, 1, 127, 128, 254, 255}),
      MakeIntTensor(DataType::kInt8, {6}, {-128, -1, 0, 1, 126, 127}),
      MakeIntTensor(DataType::kInt16, {2, 1}, {-32768, 32767}),
      MakeIntTensor(DataType::kUint16, {2}, {0, 65535}),
      MakeIntTensor(DataType::kInt32, {2, 2}, {-2147483648LL, 2147483647, 0, -5}),
      MakeIntTensor(DataType::kUint32, {1}, {4294967295LL}),
      MakeIntTensor(DataType::kInt64, {3}, {INT64_MIN, INT64_MAX, -7}),
      MakeIntTensor(DataType::kBool, {2}, {0, 1}),
      MakeFloatTensor(DataType::kFloat, {}, {-0.5}),  // a scalar: shape ()
      MakeFloatTensor(DataType::kDouble, {2, 0, 3}, {}),
  };
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    const auto path = dir / ("t" + std::to_string(i) + ".npy");
    WriteNpy(path, t);
    const Tensor back = ReadNpy(path);
    INFO(t.Describe());
    CHECK(back.type == t.type);
    CHECK(back.dims == t.dims);
    CHECK(back.bytes == t.bytes);
    CHECK(Compare(t, back).Equal());
    CHECK(std::filesystem::file_size(path) % 64 == t.bytes.size() % 64);  // data aligned to 64 bytes
  }
  CHECK(tensors[1].AtInt(0) == -128);
  CHECK(tensors[6].AtInt(0) == INT64_MIN);
  CHECK(tensors[8].AtDouble(0) == -0.5);
}

TEST_CASE("npy: files as NumPy writes them, versions 1.0 and 2.0", "[npy]") {
  const auto dir = OutDir("npy_numpy");
  WriteBytes(dir / "v1.npy", Npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 1), }",
                                 std::string("\x05\0\0\0\xfe\xff\xff\xff", 8)));
  const Tensor v1 = ReadNpy(dir / "v1.npy");
  CHECK(v1.Describe() == "int32 [2,1]");
  CHECK(v1.AtInt(0) == 5);
  CHECK(v1.AtInt(1) == -2);
  WriteBytes(dir / "v2.npy", Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", "abc", 2));
  const Tensor v2 = ReadNpy(dir / "v2.npy");
  CHECK(v2.Describe() == "uint8 [3]");
  CHECK(v2.AtInt(2) == 'c');
  WriteBytes(dir / "scalar.npy",
             Npy("{'descr': '<f2', 'fortran_order': False, 'shape': (), }", std::string("\x00\x3c", 2)));
  const Tensor half = ReadNpy(dir / "scalar.npy");
  CHECK(half.dims.empty());
  CHECK(half.AtDouble(0) == 1.0);
}

TEST_CASE("npy: every malformed file is one sentence", "[npy]") {
  const auto dir = OutDir("npy_errors");
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const std::string data(8, '\0');
  struct Case {
    const char* name;
    std::string bytes;
    const char* message;
  };
  const Case cases[] = {
      {"fortran", Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", data), "Fortran order"},
      {"big_endian", Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data), "dtype '>f4'"},
      {"complex", Npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", data), "dtype '<c8'"},
      {"object", Npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", data), "dtype '|O'"},
      {"structured", Npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", data),
       "structured dtype"},
      {"short_data", Npy(ok_dict, data.substr(0, 5)),
       "is truncated: shape [2] of float needs 8 bytes of data but 5"},
      {"long_data", Npy(ok_dict, data + "xx"), "has extra bytes"},
      {"no_shape", Npy("{'descr': '<f4', 'fortran_order': False, }", data), "without 'shape'"},
      {"bad_magic", "PK\x03\x04 not numpy at all", "is not a .npy file"},
      {"version", std::string("\x93NUMPY\x04\x00\x10\x00", 10), "version 4.0"},
      {"header_cut", Npy(ok_dict, data).substr(0, 30), "is truncated: its .npy header says"},
      {"empty", "", "is not a .npy file"},
  };
  for (const Case& c : cases) {
    const auto path = dir / (std::string(c.name) + ".npy");
    WriteBytes(path, c.bytes);
    INFO(c.name);
    REQUIRE_THROWS_AS(ReadNpy(path), OnnxError);
    REQUIRE_THROWS_WITH(ReadNpy(path), Contains(path.string()) && Contains(c.message));
  }
  REQUIRE_THROWS_WITH(ReadNpy(dir / "missing.npy"), Contains("cannot open") && Contains("missing.npy"));
  Tensor bf16;
  bf16.type = DataType::kBfloat16;
  bf16.dims = {1};
  bf16.bytes = {0, 0};
  REQUIRE_THROWS_WITH(WriteNpy(dir / "bf16.npy", bf16), Contains(".npy has no dtype for bfloat16"));
}

TEST_CASE("compare: equal, the first differing element, type, shape, tolerance", "[compare]") {
  const Tensor a = MakeIntTensor(DataType::kUint8, {1, 2, 2}, {1, 2, 3, 4});
  Tensor b = MakeIntTensor(DataType::kUint8, {1, 2, 2}, {1, 2, 9, 8});
  b.name = "y";
  CHECK(Compare(a, a).Equal());
  const Comparison c = Compare(a, b);
  CHECK_FALSE(c.Equal());
  CHECK(c.mismatches == 2);
  CHECK(c.first == 2);
  CHECK(c.summary ==
        "'y' differs from the expected uint8 [1,2,2] in 2 of 4 elements, the first at [0,1,0]: "
        "expected 3, actual 9.");
  CHECK_THAT(Compare(a, MakeIntTensor(DataType::kInt8, {1, 2, 2}, {1, 2, 3, 4})).summary,
             Contains("has type int8, expected uint8"));
  CHECK_THAT(Compare(a, MakeIntTensor(DataType::kUint8, {4}, {1, 2, 3, 4})).summary,
             Contains("has shape [4], expected [1,2,2]"));
  const Tensor f = MakeFloatTensor(DataType::kFloat, {2}, {1.0, 2.0});
  const Tensor g = MakeFloatTensor(DataType::kFloat, {2}, {1.0, 2.0001});
  CHECK_FALSE(Compare(f, g).Equal());  // bit for bit by default
  CHECK(Compare(f, g, 1e-3, 1e-7).Equal());
  CHECK(Compare(f, g).max_abs_diff == Approx(1e-4).epsilon(0.01));
  const Tensor nan = MakeFloatTensor(DataType::kFloat, {1}, {NAN});
  CHECK(Compare(nan, nan).Equal());
  CHECK_FALSE(Compare(nan, MakeFloatTensor(DataType::kFloat, {1}, {0.0}), 1, 1).Equal());
}

TEST_CASE("uint8 as int8: each byte minus 128, the same shape and name; other types refused", "[tensor]") {
  Tensor u = MakeIntTensor(DataType::kUint8, {1, 4}, {0, 127, 128, 255});
  u.name = "y";
  const Tensor s = Uint8AsInt8(u);
  CHECK(s.type == DataType::kInt8);
  CHECK(s.dims == u.dims);
  CHECK(s.name == "y");
  for (size_t i = 0; i < 4; ++i) CHECK(s.AtInt(i) == u.AtInt(i) - 128);
  CHECK_THROWS_WITH(Uint8AsInt8(s), Contains("takes uint8, not int8 [1,4] 'y'"));
}

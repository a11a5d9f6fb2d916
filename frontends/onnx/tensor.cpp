// Tensors, .npy files and comparisons. The .npy format: NumPy's "format.py" description (magic
// "\x93NUMPY", version, header length, a Python dict literal with descr, fortran_order and shape).
#include "frontends/onnx/tensor.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

namespace nna::onnx {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "tensor bytes are kept little-endian, as the host's");

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
void Store(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

float HalfToFloat(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
  }
  return sign ? -v : v;
}

float BfloatToFloat(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "nan";
  std::ostringstream os;
  os.precision(9);
  os << v;
  return os.str();
}

// The .npy dtype strings of the supported types (without the byte-order character).
struct NpyType {
  const char* code;
  DataType type;
};
constexpr NpyType kNpyTypes[] = {
    {"b1", DataType::kBool},    {"i1", DataType::kInt8},   {"u1", DataType::kUint8},
    {"i2", DataType::kInt16},   {"u2", DataType::kUint16}, {"i4", DataType::kInt32},
    {"u4", DataType::kUint32},  {"i8", DataType::kInt64},  {"u8", DataType::kUint64},
    {"f2", DataType::kFloat16}, {"f4", DataType::kFloat},  {"f8", DataType::kDouble},
};

// The header's dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }.
class NpyHeaderParser {
 public:
  NpyHeaderParser(const std::string& text, const std::string& file) : s_(text), file_(file) {}

  void Parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    Expect('{');
    while (Peek() != '}') {
      const std::string key = String();
      Expect(':');
      if (key == "descr") {
        if (Peek() == '[') Fail("has a structured dtype (a list of fields), which is not supported");
        descr = String();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = Bool();
        have_fortran = true;
      } else if (key == "shape") {
        shape = Tuple();
        have_shape = true;
      } else {
        Fail("has an unknown header key '" + key + "'");
      }
      if (Peek() == ',') ++pos_;
    }
    if (!have_descr || !have_fortran || !have_shape)
      Fail("has a header without '" +
           std::string(!have_descr     ? "descr"
                       : !have_fortran ? "fortran_order"
                                       : "shape") +
           "'");
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const { throw OnnxError(file_ + " " + what + "."); }
  char Peek() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n')) ++pos_;
    if (pos_ >= s_.size()) Fail("has a header that ends early: '" + s_ + "'");
    return s_[pos_];
  }
  void Expect(char c) {
    if (Peek() != c)
      Fail("has a header that is not a dict literal (expected '" + std::string(1, c) + "' at offset " +
           std::to_string(pos_) + " of '" + s_ + "')");
    ++pos_;
  }
  std::string String() {
    const char q = Peek();
    if (q != '\'' && q != '"') Expect('\'');
    const size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) Fail("has a header with an unterminated string");
    std::string v = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return v;
  }
  bool Bool() {
    Peek();
    if (s_.compare(pos_, 4, "True") == 0) return pos_ += 4, true;
    if (s_.compare(pos_, 5, "False") == 0) return pos_ += 5, false;
    Fail("has a header whose fortran_order is neither True nor False");
  }
  std::vector<int64_t> Tuple() {
    std::vector<int64_t> v;
    Expect('(');
    while (Peek() != ')') {
      size_t end = pos_;
      while (end < s_.size() && s_[end] >= '0' && s_[end] <= '9') ++end;
      if (end == pos_ || end - pos_ > 18) Fail("has a shape that is not a tuple of sizes: '" + s_ + "'");
      v.push_back(std::stoll(s_.substr(pos_, end - pos_)));
      pos_ = end;
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 long literals
      if (Peek() == ',') ++pos_;
    }
    ++pos_;
    return v;
  }

  const std::string& s_;
  const std::string& file_;
  size_t pos_ = 0;
};

}  // namespace

std::string ToString(DataType type) {
  switch (type) {
    case DataType::kUndefined:
      return "undefined";
    case DataType::kFloat:
      return "float";
    case DataType::kUint8:
      return "uint8";
    case DataType::kInt8:
      return "int8";
    case DataType::kUint16:
      return "uint16";
    case DataType::kInt16:
      return "int16";
    case DataType::kInt32:
      return "int32";
    case DataType::kInt64:
      return "int64";
    case DataType::kString:
      return "string";
    case DataType::kBool:
      return "bool";
    case DataType::kFloat16:
      return "float16";
    case DataType::kDouble:
      return "double";
    case DataType::kUint32:
      return "uint32";
    case DataType::kUint64:
      return "uint64";
    case DataType::kComplex64:
      return "complex64";
    case DataType::kComplex128:
      return "complex128";
    case DataType::kBfloat16:
      return "bfloat16";
  }
  return "data type " + std::to_string(static_cast<int32_t>(type));
}

size_t ElementSize(DataType type) {
  switch (type) {
    case DataType::kUint8:
    case DataType::kInt8:
    case DataType::kBool:
      return 1;
    case DataType::kUint16:
    case DataType::kInt16:
    case DataType::kFloat16:
    case DataType::kBfloat16:
      return 2;
    case DataType::kFloat:
    case DataType::kInt32:
    case DataType::kUint32:
      return 4;
    case DataType::kInt64:
    case DataType::kUint64:
    case DataType::kDouble:
      return 8;
    default:
      return 0;
  }
}

bool IsSupported(DataType type) { return ElementSize(type) != 0; }

bool IsFloatingPoint(DataType type) {
  return type == DataType::kFloat || type == DataType::kDouble || type == DataType::kFloat16 ||
         type == DataType::kBfloat16;
}

size_t CountElements(const std::vector<int64_t>& dims, const std::string& what) {
  size_t n = 1;
  for (int64_t d : dims) {
    if (d < 0)
      throw OnnxError(what + " has a negative dimension " + std::to_string(d) + " in " + DimsText(dims) +
                      ".");
    if (d != 0 && n > (size_t{1} << 40) / static_cast<size_t>(d))
      throw OnnxError(what + " has dims " + DimsText(dims) + " whose element count exceeds 2^40.");
    n *= static_cast<size_t>(d);
  }
  return n;
}

size_t Tensor::NumElements() const { return CountElements(dims, "tensor '" + name + "'"); }

double Tensor::AtDouble(size_t i) const {
  const uint8_t* p = bytes.data() + i * ElementSize(type);
  switch (type) {
    case DataType::kFloat:
      return Load<float>(p);
    case DataType::kDouble:
      return Load<double>(p);
    case DataType::kFloat16:
      return HalfToFloat(Load<uint16_t>(p));
    case DataType::kBfloat16:
      return BfloatToFloat(Load<uint16_t>(p));
    case DataType::kUint64:
      return static_cast<double>(Load<uint64_t>(p));
    default:
      return static_cast<double>(AtInt(i));
  }
}

int64_t Tensor::AtInt(size_t i) const {
  const uint8_t* p = bytes.data() + i * ElementSize(type);
  switch (type) {
    case DataType::kBool:
    case DataType::kUint8:
      return *p;
    case DataType::kInt8:
      return static_cast<int8_t>(*p);
    case DataType::kUint16:
      return Load<uint16_t>(p);
    case DataType::kInt16:
      return Load<int16_t>(p);
    case DataType::kUint32:
      return Load<uint32_t>(p);
    case DataType::kInt32:
      return Load<int32_t>(p);
    case DataType::kInt64:
      return Load<int64_t>(p);
    case DataType::kUint64: {
      const uint64_t v = Load<uint64_t>(p);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw OnnxError("tensor '" + name + "' element " + FormatIndex(i) + " is " + std::to_string(v) +
                        ", beyond int64.");
      return static_cast<int64_t>(v);
    }
    default:
      throw OnnxError("tensor '" + name + "' has type " + ToString(type) + ", not an integer type.");
  }
}

std::string Tensor::Format(size_t i) const {
  if (type == DataType::kUint64) return std::to_string(Load<uint64_t>(bytes.data() + i * 8));
  return IsFloatingPoint(type) ? FormatDouble(AtDouble(i)) : std::to_string(AtInt(i));
}

std::string Tensor::FormatIndex(size_t i) const {
  std::vector<int64_t> idx(dims.size());
  for (size_t k = dims.size(); k-- > 0;) {
    idx[k] = dims[k] ? static_cast<int64_t>(i % static_cast<size_t>(dims[k])) : 0;
    if (dims[k]) i /= static_cast<size_t>(dims[k]);
  }
  return DimsText(idx);
}

std::string Tensor::Describe() const { return ToString(type) + " " + DimsText(dims); }

Tensor Uint8AsInt8(const Tensor& bytes) {
  if (bytes.type != DataType::kUint8)
    throw OnnxError("Uint8AsInt8 takes uint8, not " + bytes.Describe() + " '" + bytes.name + "'.");
  Tensor t = bytes;
  t.type = DataType::kInt8;
  for (uint8_t& b : t.bytes) b ^= 0x80;  // (b - 128) as two's complement
  return t;
}

Tensor MakeIntTensor(DataType type, std::vector<int64_t> dims, const std::vector<int64_t>& values) {
  Tensor t;
  t.type = type;
  t.dims = std::move(dims);
  const size_t n = t.NumElements(), size = ElementSize(type);
  if (IsFloatingPoint(type) || !size)
    throw OnnxError("MakeIntTensor cannot make a " + ToString(type) + " tensor.");
  if (values.size() != n)
    throw OnnxError("MakeIntTensor got " + std::to_string(values.size()) + " values for " +
                    std::to_string(n) + " elements.");
  t.bytes.resize(n * size);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t v = static_cast<uint64_t>(values[i]);
    std::memcpy(t.bytes.data() + i * size, &v, size);  // little-endian: the low bytes
  }
  return t;
}

Tensor MakeFloatTensor(DataType type, std::vector<int64_t> dims, const std::vector<double>& values) {
  Tensor t;
  t.type = type;
  t.dims = std::move(dims);
  const size_t n = t.NumElements();
  if (type != DataType::kFloat && type != DataType::kDouble)
    throw OnnxError("MakeFloatTensor cannot make a " + ToString(type) + " tensor.");
  if (values.size() != n)
    throw OnnxError("MakeFloatTensor got " + std::to_string(values.size()) + " values for " +
                    std::to_string(n) + " elements.");
  t.bytes.resize(n * ElementSize(type));
  for (size_t i = 0; i < n; ++i) {
    if (type == DataType::kFloat)
      Store(t.bytes.data() + i * 4, static_cast<float>(values[i]));
    else
      Store(t.bytes.data() + i * 8, values[i]);
  }
  return t;
}

Tensor ReadNpy(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw OnnxError("cannot open " + file + ".");
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0)
    throw OnnxError(file + " is not a .npy file: it does not start with \\x93NUMPY.");
  const int major = static_cast<uint8_t>(data[6]), minor = static_cast<uint8_t>(data[7]);
  if (major < 1 || major > 3 || minor != 0)
    throw OnnxError(file + " is .npy version " + std::to_string(major) + "." + std::to_string(minor) +
                    ", which is not supported (1.0, 2.0 and 3.0 are).");
  const auto* u = reinterpret_cast<const uint8_t*>(data.data());
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (data.size() < 8 + len_bytes) throw OnnxError(file + " is truncated inside its .npy header length.");
  const size_t header_len = major == 1 ? Load<uint16_t>(u + 8) : Load<uint32_t>(u + 8);
  const size_t start = 8 + len_bytes + header_len;
  if (data.size() < start)
    throw OnnxError(file + " is truncated: its .npy header says " + std::to_string(header_len) +
                    " bytes but the file ends after " + std::to_string(data.size() - 8 - len_bytes) + ".");
  std::string descr;
  bool fortran = false;
  Tensor t;
  NpyHeaderParser(data.substr(8 + len_bytes, header_len), file).Parse(descr, fortran, t.dims);
  if (fortran)
    throw OnnxError(file +
                    " stores its array in Fortran order (fortran_order: True), which is not supported; save "
                    "it in C order (numpy.ascontiguousarray).");
  const char order = descr.empty() ? '?' : descr[0];
  const std::string code = descr.size() > 1 ? descr.substr(1) : "";
  for (const NpyType& n : kNpyTypes)
    if (code == n.code) t.type = n.type;
  const bool byte_type = ElementSize(t.type) == 1;
  if (t.type == DataType::kUndefined || !(order == '<' || order == '|' || order == '=') ||
      (order == '|' && !byte_type))
    throw OnnxError(
        file + " has dtype '" + descr +
        "', which is not supported (little-endian or byte types only: b1, i1, u1, <i2, <u2, <i4, <u4, "
        "<i8, <u8, <f2, <f4, <f8).");
  const size_t need = CountElements(t.dims, file) * ElementSize(t.type), have = data.size() - start;
  if (have != need)
    throw OnnxError(file + (have < need ? " is truncated" : " has extra bytes") + ": shape " +
                    DimsText(t.dims) + " of " + ToString(t.type) + " needs " + std::to_string(need) +
                    " bytes of data but " + std::to_string(have) + " follow the header.");
  t.bytes.assign(u + start, u + data.size());
  t.name = path.stem().string();
  return t;
}

void WriteNpy(const std::filesystem::path& path, const Tensor& tensor) {
  const char* code = nullptr;
  for (const NpyType& n : kNpyTypes)
    if (n.type == tensor.type) code = n.code;
  if (!code)
    throw OnnxError("cannot write tensor '" + tensor.name + "' to " + path.string() +
                    ": .npy has no dtype for " + ToString(tensor.type) + ".");
  if (tensor.bytes.size() != tensor.NumElements() * ElementSize(tensor.type))
    throw OnnxError("cannot write tensor '" + tensor.name + "' to " + path.string() + ": it has " +
                    std::to_string(tensor.bytes.size()) + " bytes for " + tensor.Describe() + ".");
  std::string shape = "(";
  for (int64_t d : tensor.dims) shape += std::to_string(d) + ", ";
  if (tensor.dims.size() > 1) shape.resize(shape.size() - 2);  // (3,) keeps its comma, (1, 3) does not
  if (tensor.dims.size() == 1) shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = std::string("{'descr': '") + (ElementSize(tensor.type) == 1 ? '|' : '<') + code +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Version 1.0 while the header fits its 16-bit length; data aligned to 64 bytes as NumPy does.
  const int major = header.size() + 12 < 65536 ? 1 : 2;
  const size_t prefix = major == 1 ? 10 : 12;
  header.append(63 - (prefix + header.size()) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) throw OnnxError("cannot write " + path.string() + ".");
  out.write("\x93NUMPY", 6);
  out.put(static_cast<char>(major));
  out.put(0);
  uint8_t len[4];
  Store<uint32_t>(len, static_cast<uint32_t>(header.size()));
  out.write(reinterpret_cast<const char*>(len), major == 1 ? 2 : 4);
  out << header;
  out.write(reinterpret_cast<const char*>(tensor.bytes.data()),
            static_cast<std::streamsize>(tensor.bytes.size()));
  if (!out) throw OnnxError("cannot write " + path.string() + " (disk full?).");
}

Comparison Compare(const Tensor& expected, const Tensor& actual, double rtol, double atol) {
  Comparison c;
  const std::string who = actual.name.empty() ? "the tensor" : "'" + actual.name + "'";
  if (expected.type != actual.type) {
    c.same_type = false;
    c.summary = who + " has type " + ToString(actual.type) + ", expected " + ToString(expected.type) + ".";
    return c;
  }
  if (expected.dims != actual.dims) {
    c.same_shape = false;
    c.summary = who + " has shape " + DimsText(actual.dims) + ", expected " + DimsText(expected.dims) + ".";
    return c;
  }
  const size_t n = expected.NumElements(), size = ElementSize(expected.type);
  const bool fp = IsFloatingPoint(expected.type), tolerant = fp && (rtol > 0 || atol > 0);
  for (size_t i = 0; i < n; ++i) {
    bool same = std::memcmp(expected.bytes.data() + i * size, actual.bytes.data() + i * size, size) == 0;
    if (fp) {
      const double e = expected.AtDouble(i), a = actual.AtDouble(i);
      if (std::isnan(e) && std::isnan(a)) {
        same = true;
      } else {
        const double diff = std::fabs(a - e);
        if (!(diff <= c.max_abs_diff)) c.max_abs_diff = diff;  // NaN against a number: NaN
        if (tolerant) same = diff <= atol + rtol * std::fabs(e);
      }
    }
    if (!same && c.mismatches++ == 0) c.first = i;
  }
  const std::string max = fp ? ", max abs diff " + FormatDouble(c.max_abs_diff) : "";
  if (c.mismatches == 0) {
    c.summary = who + " equals the expected " + expected.Describe() + (tolerant ? " within tolerance" : "") +
                max + ".";
  } else {
    c.summary = who + " differs from the expected " + expected.Describe() + " in " +
                std::to_string(c.mismatches) + " of " + std::to_string(n) + " elements, the first at " +
                expected.FormatIndex(c.first) + ": expected " + expected.Format(c.first) + ", actual " +
                actual.Format(c.first) + max + ".";
  }
  return c;
}

std::string DimsText(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace nna::onnx
